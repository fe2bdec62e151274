// e2e: the REST part of docs/ngroups.md is run as written, through `aksim rest` on the shared
// ARM layer: profiles and an NGroup by PUT, the source document's rolling update body by PATCH,
// latestRollingUpdate, cancelRollingUpdate; then section 8's stop, start and restart.
import { expect } from 'chai';
import type { NGroup } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { aksimOnPath, docBlocks, runBlock } from '../support/docs.js';
import { KUBECONFIG, run, sharedOperator } from '../support/env.js';

const kube = Kube.fromFile(KUBECONFIG);

describe('e2e: docs/ngroups.md over REST', function () {
  before(async () => sharedOperator());
  after(async () => {
    for (const ns of ['rest-rg', 'power-rg']) {
      await run('kubectl', ['delete', 'ngroups,containergroupprofiles', '--all', '-n', ns, '--wait=true', '--timeout=60s']);
      await run('kubectl', ['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    }
  });

  it('creates, rolls and cancels an NGroup through the ARM surface', async () => {
    const bin = aksimOnPath();
    const blocks = docBlocks('docs/ngroups.md', '## 7. The same over REST');
    expect(blocks).to.have.length(5);
    let vars: Record<string, string> = {};
    const out: string[] = [];
    for (const block of blocks) {
      const r = await runBlock(block, vars, bin);
      vars = r.vars;
      out.push(r.stdout);
      if (block.includes('"desiredCount": 12')) {
        const pods = await kube.core.listNamespacedPod({ namespace: 'rest-rg', labelSelector: 'aksim.io/ngroup=ngroup-rest' });
        expect(pods.items).to.have.length(12);
        expect(new Set(pods.items.map((p) => p.metadata?.labels?.['aksim.io/cg-zone'])).size).to.equal(3);
      }
      if (block.includes('"maxBatchPercent": "10"')) {
        const ng = (await kube.get<NGroup>('NGroup', 'rest-rg', 'ngroup-rest'))!;
        expect(ng.spec.updateProfile?.rollingUpdateProfile).to.include({
          maxBatchPercent: 10,
          maxUnhealthyPercent: 10,
          maxUnhealthyUpdatedPercent: 10,
          pauseTimeBetweenBatches: 'PT2M',
        });
        const ru = JSON.parse(r.stdout);
        expect(ru.state).to.equal('InProgress');
        expect(ru.lastAction).to.equal('Start');
      }
      if (block.includes('cancelRollingUpdate')) {
        const ru = JSON.parse(r.stdout);
        expect(ru).to.deep.equal({ state: 'Canceled', lastAction: 'Cancel' });
        const pods = await kube.core.listNamespacedPod({ namespace: 'rest-rg', labelSelector: 'aksim.io/ngroup=ngroup-rest' });
        const revisions = new Set(
          pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.labels?.['aksim.io/cg-profile']),
        );
        expect(revisions.has('cgp1'), 'old profile still present (no rollback)').to.equal(true);
      }
    }
    expect(vars.SUB).to.match(/^[0-9a-f-]{36}$/);
  });

  it('stops, starts and restarts an NGroup through the ARM surface (section 8)', async () => {
    const bin = aksimOnPath();
    const blocks = docBlocks('docs/ngroups.md', '## 8. Stop, start and restart');
    expect(blocks).to.have.length(5);
    const cgs = async (): Promise<{ name: string; uid: string; phase?: string }[]> =>
      (await kube.core.listNamespacedPod({ namespace: 'power-rg', labelSelector: 'aksim.io/ngroup=ngroup-power' })).items
        .filter((p) => !p.metadata?.deletionTimestamp)
        .map((p) => ({ name: p.metadata!.name!, uid: p.metadata!.uid!, phase: p.status?.phase }))
        .sort((a, b) => a.name.localeCompare(b.name));
    let vars: Record<string, string> = {};
    let first: { name: string; uid: string }[] = [];
    for (const block of blocks) {
      const r = await runBlock(block, vars, bin);
      vars = r.vars;
      if (block.includes('"desiredCount\\": 3')) {
        first = await cgs();
        expect(first).to.have.length(3);
      }
      if (block.includes('/stop?')) {
        expect(await cgs()).to.deep.equal([]);
        expect(r.stdout.trim().split('\n').at(-1)).to.equal('3');
      }
      if (block.includes('/start?')) {
        const now = await cgs();
        expect(now.map((c) => c.name)).to.deep.equal(first.map((c) => c.name));
        expect(now.every((c) => c.phase === 'Running')).to.equal(true);
        first = now;
      }
      if (block.includes('/restart?')) {
        const ng = (await kube.get<NGroup>('NGroup', 'power-rg', 'ngroup-power'))!;
        expect(ng.status?.restart).to.deep.equal({ request: 1, pending: [] });
        const pods = (await kube.core.listNamespacedPod({ namespace: 'power-rg', labelSelector: 'aksim.io/ngroup=ngroup-power' })).items;
        expect(pods.map((p) => p.metadata!.name).sort()).to.deep.equal(first.map((c) => c.name));
        expect(pods.filter((p) => first.some((c) => c.uid === p.metadata!.uid))).to.deep.equal([]);
      }
    }
  });
});
