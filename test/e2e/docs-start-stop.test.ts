// e2e: docs/start-stop.md is run as written — every ```sh block, in order — and what the page
// promises is checked between blocks: the Nodes of what is stopped go NotReady and come back,
// the same Nodes, and a stopped cluster refuses to scale.
import { expect } from 'chai';
import { aksimOnPath, docBlocks, runChecked, type BlockCheck } from '../support/docs.js';
import { kubectl, kubectlJson, sharedOperator } from '../support/env.js';

const NS = 'myresourcegroup';
const SEL = 'kubernetes.azure.com/cluster=MC_myResourceGroup_myAKSCluster_eastus';

/** The Ready status of each Node of the page's cluster, by name. */
async function readiness(): Promise<Record<string, string>> {
  const nodes = await kubectlJson('get', 'nodes', '-l', SEL);
  return Object.fromEntries(
    nodes.items.map((n: any) => [n.metadata.name, n.status.conditions.find((c: any) => c.type === 'Ready').status]),
  );
}

/** The first JSON object a block printed (kubectl's lines follow it). */
const firstJson = (out: string): unknown => JSON.parse(out.slice(out.indexOf('{'), out.indexOf('\n}') + 2));

describe('e2e: docs/start-stop.md walkthrough', function () {
  this.timeout(600_000);
  before(async () => {
    await sharedOperator();
    await kubectl('delete', 'namespace', NS, '--ignore-not-found', '--wait=true', '--timeout=120s').catch(() => undefined);
  });
  after(async () => {
    await kubectl('delete', 'namespace', NS, '--ignore-not-found', '--wait=false').catch(() => undefined);
  });

  it('runs every shell block of the page and ends where the page says', async () => {
    let names: string[] = [];
    const checks: BlockCheck[] = [
      [
        /nodepool add/,
        async (out) => {
          names = Object.keys(await readiness()).sort();
          expect(names).to.have.length(4);
          expect(out.trim().split('\n')).to.have.length(5); // the header and four Nodes
        },
      ],
      [
        /nodepool stop .*--query/,
        async (out) => {
          expect(firstJson(out)).to.deep.equal({ state: 'Succeeded', power: 'Stopped' });
          const r = await readiness();
          expect(Object.keys(r).sort()).to.deep.equal(names);
          expect(
            Object.entries(r)
              .filter(([n]) => n.startsWith('aks-userpool-'))
              .map(([, s]) => s),
          ).to.deep.equal(['Unknown', 'Unknown']);
          expect(
            Object.entries(r)
              .filter(([n]) => n.startsWith('aks-nodepool1-'))
              .map(([, s]) => s),
          ).to.deep.equal(['True', 'True']);
        },
      ],
      [
        /nodepool start/,
        async (out) => {
          expect(out.split('\n')[0]).to.equal('Running');
          const r = await readiness();
          expect(Object.keys(r).sort()).to.deep.equal(names);
          expect(
            Object.entries(r)
              .filter(([n]) => n.startsWith('aks-userpool-'))
              .map(([, s]) => s),
          ).to.deep.equal(['True', 'True']);
        },
      ],
      [
        /aksim aks stop/,
        async (out) => {
          expect(firstJson(out)).to.deep.equal({ power: 'Stopped', pools: ['Stopped', 'Stopped'] });
          expect(Object.values(await readiness())).to.deep.equal(['Unknown', 'Unknown', 'Unknown', 'Unknown']);
        },
      ],
      [
        /aksim aks scale/,
        async (out) => {
          expect(out).to.include(
            '(OperationNotAllowed) Managed cluster myAKSCluster is in Power State(Stopped): scaling cannot be performed on a stopped cluster. Start the cluster first (az aks start).',
          );
          const pools = await kubectlJson('get', 'simnodepools', '-n', NS);
          expect(pools.items.map((p: any) => p.spec.count)).to.deep.equal([2, 2]);
        },
      ],
      [
        /\/start\?api-version/,
        async (out) => {
          expect(JSON.parse(out.slice(out.lastIndexOf('{')))).to.deep.equal({ state: 'Succeeded', power: 'Running' });
          const r = await readiness();
          expect(Object.keys(r).sort()).to.deep.equal(names); // the same Nodes came back
          expect(Object.values(r)).to.deep.equal(['True', 'True', 'True', 'True']);
        },
      ],
      [
        /aksim aks delete/,
        async () => {
          expect(await kubectl('get', 'simclusters', '-n', NS, '-o', 'name').catch(() => '')).to.equal('');
        },
      ],
    ];
    await runChecked(docBlocks('docs/start-stop.md'), checks, aksimOnPath(), {});
  });
});
