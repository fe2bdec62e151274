// e2e: docs/operations.md is run as written — every ```sh block, in order — and the objects the
// walkthrough promises are checked between blocks.
import { expect } from 'chai';
import type { SimNodePool, SimOperation } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { aksimOnPath, docBlocks, runBlock } from '../support/docs.js';
import { KUBECONFIG, run, sharedOperator } from '../support/env.js';

const kube = Kube.fromFile(KUBECONFIG);
const NS = 'myresourcegroup';

describe('e2e: docs/operations.md walkthrough', function () {
  this.timeout(300_000);
  before(async () => {
    await sharedOperator();
    await run('kubectl', ['delete', 'simclusters', '--all', '-n', NS, '--wait=true', '--timeout=60s']);
  });
  after(async () => {
    await run('kubectl', ['delete', 'simclusters', '--all', '-n', NS, '--wait=true', '--timeout=60s']);
    await run('kubectl', ['delete', 'namespace', NS, '--wait=false']);
  });

  it('runs every shell block of the page and ends where the page says', async () => {
    const bin = aksimOnPath();
    const blocks = docBlocks('docs/operations.md');
    expect(blocks.length).to.be.at.least(10);
    let vars: Record<string, string> = {};
    const outputs: string[] = [];
    for (const block of blocks) {
      const r = await runBlock(block, vars, bin);
      vars = r.vars;
      outputs.push(r.stdout);
      if (block.includes('operations/latest?api-version')) {
        const latest = JSON.parse(r.stdout);
        expect(latest.status).to.equal('InProgress');
        expect(latest.percentComplete).to.be.within(0, 99);
      }
      if (block.includes('operation show-latest')) {
        const shown = JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}') + 2));
        expect(shown).to.have.all.keys(
          'endTime',
          'error',
          'id',
          'name',
          'operations',
          'percentComplete',
          'resourceGroup',
          'resourceId',
          'startTime',
          'status',
        );
        expect(shown.resourceGroup).to.equal('myResourceGroup'); // names keep the case the user gave
      }
      if (block.includes('nodepool operation-abort')) {
        const p = (await kube.get<SimNodePool>('SimNodePool', NS, 'myakscluster-mynodepool'))!;
        expect(p.status?.provisioningState).to.equal('Canceled');
        expect(p.status?.count).to.be.within(3, 11);
        const shown = JSON.parse(r.stdout);
        expect(shown.state).to.equal('Canceled');
        const ops = await kube.list<SimOperation>('SimOperation', NS, 'aksim.io/target=myakscluster-mynodepool');
        expect(ops.some((o) => o.spec.type === 'Scale' && o.status?.status === 'Canceled')).to.equal(true);
      }
      if (block.includes('--node-count 5 --query provisioningState')) {
        expect(r.stdout).to.match(/^Succeeded$/m);
        expect(r.stdout).to.match(/Canceled\s/);
      }
      if (block.includes('curl -s -o /dev/null')) expect(r.stdout.trim()).to.equal('409');
    }
    expect(await kube.get('SimCluster', NS, 'myakscluster')).to.equal(undefined);
  });
});
