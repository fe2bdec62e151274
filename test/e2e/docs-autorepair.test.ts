// e2e: docs/auto-repair.md is run as written — every ```sh block, in order, in one shell session —
// and what the walkthrough promises is checked on the real objects between blocks: the Node
// events of aks-auto-repair in order, the SimMachine counters and conditions, the SimCluster's
// status.autoRepair, the nodes' Ready condition. A "no status" fault needs ~20-40 s real before
// the Node turns Unknown whatever the timeScale, which is most of this test's time.
import { expect } from 'chai';
import type { EventsV1Event } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimOperation } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { aksimOnPath, type BlockCheck, docBlocks, runChecked } from '../support/docs.js';
import { KUBECONFIG, run, sharedOperator, waitFor } from '../support/env.js';

const kube = Kube.fromFile(KUBECONFIG);
const RG = 'demo-repair';
const WINDOW_MS = 10_000; // unhealthyWindow PT10M at --time-scale 60
const READY_WAIT_MS = 2_000; // readyTimeout PT2M at --time-scale 60 (also the floor)
const ALL_FAIL = 'cluster has 1 node(s); auto-repair needs at least 2';

type AutoRepair = NonNullable<NonNullable<SimCluster['status']>['autoRepair']>;

const machine = async (name: string): Promise<SimMachine> => (await kube.get<SimMachine>('SimMachine', RG, name))!;
const autoRepair = async (cluster: string): Promise<AutoRepair> =>
  (await kube.get<SimCluster>('SimCluster', RG, cluster))?.status?.autoRepair ?? {};
const condition = (m: SimMachine, type: string) => m.status?.conditions?.find((c) => c.type === type);
async function ready(node: string): Promise<string> {
  const n = await kube.core.readNode({ name: node });
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'none';
}
/** aks-auto-repair events on this Node object, oldest first (node names repeat when the page is run again; uids do not). */
async function repairEvents(node: string): Promise<EventsV1Event[]> {
  const uid = (await kube.core.readNode({ name: node })).metadata?.uid;
  const list = await kube.eventsApi.listNamespacedEvent({
    namespace: 'default',
    fieldSelector: `regarding.name=${node},reportingController=aks-auto-repair`,
  });
  return list.items.filter((e) => e.regarding?.uid === uid).sort((a, b) => at(a) - at(b));
}
/** The node's aks-auto-repair events once there are n of them (events are posted asynchronously). */
const eventsOf = (node: string, n: number): Promise<EventsV1Event[]> =>
  waitFor(
    `${n} repair events on ${node}`,
    async () => {
      const e = await repairEvents(node);
      return e.length >= n ? e : false;
    },
    10_000,
  );
const reasons = (evs: EventsV1Event[]): (string | undefined)[] => evs.map((e) => e.reason);
const at = (e: EventsV1Event | undefined): number => (e?.eventTime ? new Date(e.eventTime).getTime() : NaN);

const REBOOT = ['NodeRebootStart', 'NodeRebootEnd'];
const REIMAGE = ['NodeReimageStart', 'NodeReimageEnd'];
const REDEPLOY = ['NodeRedeployStart', 'NodeRedeployEnd'];

/** Removes the resource group, and the Node events of its nodes (their names come back on the next run). */
async function cleanup(nodes: string[] = []): Promise<void> {
  for (const n of nodes)
    await run('kubectl', ['delete', 'events.events.k8s.io', '-n', 'default', '--field-selector', `regarding.name=${n}`]);
  if ((await run('kubectl', ['get', 'namespace', RG])).code !== 0) return;
  await run('kubectl', ['delete', 'simclusters', '--all', '-n', RG, '--wait=true', '--timeout=60s']);
  await run('kubectl', ['delete', 'namespace', RG, '--wait=true', '--timeout=60s']);
}

describe('e2e: docs/auto-repair.md walkthrough', function () {
  this.timeout(240_000);
  const vars: Record<string, string> = {};
  before(async () => {
    await sharedOperator();
    await cleanup();
  });
  after(async () => cleanup(['NODE', 'NODE1', 'NODE2', 'NODE3', 'SOLO'].flatMap((k) => (vars[k] ? [vars[k]] : []))));

  it('runs every shell block of the page: reboot, reimage, redeploy, investigation, one node at a time, no repair below 2 nodes', async () => {
    const bin = aksimOnPath();
    const blocks = docBlocks('docs/auto-repair.md');
    expect(blocks.length).to.be.at.least(12);
    const v = (name: string): string => {
      expect(vars[name], `$${name}`).to.be.a('string').and.not.equal('');
      return vars[name]!;
    };

    // What status.autoRepair of repairdemo shows over the whole walkthrough.
    let maxRepairs = 0;
    const queueReasons = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const s = await autoRepair('repairdemo').catch((): AutoRepair => ({}));
        maxRepairs = Math.max(maxRepairs, s.repairs?.length ?? 0);
        for (const q of s.queue ?? []) queueReasons.add((q.reason ?? '').replace(/ \(repairing .*\)$/, ''));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    const hostIds: Record<string, string | undefined> = {};
    const eventCounts: Record<string, number> = {};
    let faultSince = NaN;
    const checks: BlockCheck[] = [
      [
        /aksim aks create -g demo-repair -n repairdemo/,
        async (stdout) => {
          const ms = await kube.list<SimMachine>('SimMachine', RG, 'aksim.io/cluster=repairdemo');
          expect(ms).to.have.length(4);
          for (const m of ms) {
            expect(m.status?.provisionedTime, `${m.metadata.name} registered healthy`).to.be.a('string');
            expect(await ready(m.metadata.name!)).to.equal('True');
          }
          expect(stdout.match(/ Ready /g)).to.have.length(4);
        },
      ],
      [
        /"readyTimeout":"PT2M"/,
        async () => {
          const c = (await kube.get<SimCluster>('SimCluster', RG, 'repairdemo'))!;
          expect(c.spec.autoRepair).to.deep.include({ readyTimeout: 'PT2M' });
          expect(c.spec.autoRepair?.unhealthyWindow).to.equal(undefined); // the source document's 10 minutes
          // Like every change to a cluster, an Update operation.
          await waitFor(
            'Update operation succeeded',
            async () => {
              const ops = await kube.list<SimOperation>('SimOperation', RG, 'aksim.io/target=repairdemo');
              return ops.some((o) => o.spec.type === 'Update' && o.status?.status === 'Succeeded');
            },
            10_000,
          );
        },
      ],
      [
        /--node "\$NODE" --type ContainerRuntimeDown/,
        async () => {
          const node = v('NODE');
          expect(await ready(node)).to.equal('False');
          const faults = (await machine(node)).spec.faults ?? [];
          expect(faults.map((f) => f.type)).to.deep.equal(['ContainerRuntimeDown']);
          faultSince = Date.parse(faults[0]!.since!);
          // Detected, waiting out the window; nothing done yet.
          await waitFor(
            'NODE queued for the window',
            async () => (await autoRepair('repairdemo')).queue?.some((q) => q.node === node && q.reason === 'unhealthy for less than 10m'),
            5_000,
          );
          expect(await repairEvents(node)).to.deep.equal([]);
        },
      ],
      [
        /lastRepair.node}'="\$NODE"/,
        async (stdout) => {
          const node = v('NODE');
          expect((await autoRepair('repairdemo')).lastRepair).to.deep.include({ node, result: 'Succeeded', steps: ['Reboot'] });
          const evs = await eventsOf(node, 2);
          expect(reasons(evs)).to.deep.equal(REBOOT);
          expect(evs.every((e) => e.type === 'Normal')).to.equal(true);
          expect(evs[0]!.note).to.match(/started by aks-remediator \(attempt 1\): node was NotReady for 10m$/);
          // The reboot came only after the 10-minute window (10 s real), counted from the fault.
          expect(at(evs[0]) - faultSince).to.be.at.least(WINDOW_MS);
          const m = await machine(node);
          expect(m.status?.lastAction).to.deep.include({ type: 'Reboot', actor: 'aks-remediator', cleared: ['ContainerRuntimeDown'] });
          expect(m.spec.lastRequestedBy).to.equal('aks-remediator');
          expect(m.status?.reboots).to.equal(1);
          expect(m.spec.faults ?? []).to.deep.equal([]);
          expect(await ready(node)).to.equal('True');
          expect(stdout).to.match(/^1 aks-remediator \["ContainerRuntimeDown"\]$/m);
          expect(stdout).to.match(/NodeRebootStart[\s\S]*NodeRebootEnd/);
        },
      ],
      [
        /--type NetworkMisconfiguration/,
        async () => {
          const [n1, n2, n3] = [v('NODE1'), v('NODE2'), v('NODE3')];
          expect(new Set([v('NODE'), n1, n2, n3]).size).to.equal(4);
          for (const [n, t] of [
            [n1, 'DiskCorruption'],
            [n2, 'HostHardwareFailure'],
            [n3, 'NetworkMisconfiguration'],
          ] as const) {
            const m = await machine(n);
            expect(m.spec.faults?.map((f) => f.type)).to.deep.equal([t]);
            hostIds[n] = m.status?.hostId;
          }
          expect(hostIds[n2]).to.match(/^host-/);
        },
      ],
      [
        /lastRepair.node}'="\$NODE1"/,
        async (stdout) => {
          const n1 = v('NODE1');
          expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).to.deep.include({
            node: n1,
            result: 'Succeeded',
            steps: ['Reboot', 'Reimage'],
          });
          const evs = await eventsOf(n1, 4);
          expect(reasons(evs)).to.deep.equal([...REBOOT, ...REIMAGE]);
          expect(evs[2]!.note).to.match(/node still not Ready after Reboot$/);
          // The remediator waited readyTimeout (PT2M: 2 s real, not the default 5 s) for Ready after the
          // reboot (NodeRebootEnd is stamped after the status write that set the deadline: a few ms late).
          expect(at(evs[2]) - at(evs[1])).to.be.within(READY_WAIT_MS - 500, 4_500);
          const m = await machine(n1);
          expect(m.status).to.include({ reboots: 1, reimages: 1 });
          expect(m.status?.lastAction).to.deep.include({ type: 'Reimage', actor: 'aks-remediator', cleared: ['DiskCorruption'] });
          expect(await ready(n1)).to.equal('True');
        },
      ],
      [
        /--for=condition=Ready=Unknown/,
        async () => {
          for (const n of [v('NODE2'), v('NODE3')]) {
            expect(await ready(n)).to.equal('Unknown');
            expect(await repairEvents(n)).to.deep.equal([]); // the 10-minute window has just begun
          }
        },
      ],
      [
        /--for=condition=AutoRepairFailed/,
        async (stdout) => {
          const [n2, n3] = [v('NODE2'), v('NODE3')];
          const e2 = await eventsOf(n2, 6);
          const e3 = await eventsOf(n3, 7);
          expect(reasons(e2)).to.deep.equal([...REBOOT, ...REIMAGE, ...REDEPLOY]);
          expect(reasons(e3)).to.deep.equal([...REBOOT, ...REIMAGE, ...REDEPLOY, 'NodeAutoRepairFailed']);
          expect(e3.at(-1)!.type).to.equal('Warning');
          expect(e2[0]!.note).to.match(/node reported no status for 10m$/);
          // One node at a time: the second repair began after the first one ended.
          const [first, second] = at(e2[0]) < at(e3[0]) ? [e2, e3] : [e3, e2];
          expect(at(second[0])).to.be.at.least(at(first.at(-1)));
          expect(maxRepairs).to.equal(1);
          expect([...queueReasons]).to.include('waiting: one node is repaired at a time');
          // NODE2: redeployed to another host, Ready. NODE3: left for investigation.
          const m2 = await machine(n2);
          expect(m2.status).to.include({ reboots: 1, reimages: 1, redeploys: 1 });
          expect(m2.status?.hostId)
            .to.match(/^host-/)
            .and.not.equal(hostIds[n2]);
          expect(m2.spec.faults ?? []).to.deep.equal([]);
          expect(await ready(n2)).to.equal('True');
          const m3 = await machine(n3);
          expect(condition(m3, 'AutoRepairFailed')).to.include({ status: 'True', reason: 'AllRepairActionsFailed' });
          expect(m3.spec.faults?.map((f) => f.type)).to.deep.equal(['NetworkMisconfiguration']);
          expect(await ready(n3)).to.equal('Unknown');
          const s = await autoRepair('repairdemo');
          expect(s.failed?.map((f) => f.node)).to.deep.equal([n3]);
          expect(s.repairs ?? []).to.deep.equal([]); // not repaired again while it stays unhealthy
          expect(s.queue?.find((q) => q.node === n3)?.reason).to.equal('auto-repair failed; left for investigation');
          expect(stdout).to.match(/NodeAutoRepairFailed/);
          expect(stdout.trim().split('\n').at(-1)).to.equal(n3);
        },
      ],
      [
        /fault clear --node "\$NODE3"/,
        async () => {
          const n3 = v('NODE3');
          expect(await ready(n3)).to.equal('True');
          await waitFor('NODE3 off the failed list', async () => ((await autoRepair('repairdemo')).failed ?? []).length === 0, 10_000);
          await waitFor('AutoRepairFailed condition gone', async () => !condition(await machine(n3), 'AutoRepairFailed'), 10_000);
        },
      ],
      [
        /-n solo --node-count 1/,
        async (stdout) => {
          const solo = v('SOLO');
          expect(stdout.trim()).to.equal(ALL_FAIL);
          // After the window: queued with that reason, never acted on.
          const s = await waitFor(
            'solo node queued with the short-circuit reason',
            async () => {
              const st = await autoRepair('solo');
              return st.queue?.some((q) => q.node === solo && q.reason === ALL_FAIL) ? st : false;
            },
            WINDOW_MS + 20_000,
          );
          expect(s.message).to.equal(ALL_FAIL);
          expect(s.repairs ?? []).to.deep.equal([]);
          expect((await machine(solo)).spec.rebootRequests).to.equal(undefined);
          expect(await repairEvents(solo)).to.deep.equal([]);
          expect(await ready(solo)).to.equal('False');
        },
      ],
      [
        /jsonpath='\{\.status\.autoRepair\}/,
        async (stdout) => {
          const s = JSON.parse(stdout) as AutoRepair;
          expect(s.repairs).to.deep.equal([]);
          expect(s.queue).to.deep.equal([]);
          expect(s.failed).to.deep.equal([]);
          expect(s.lastRepair).to.deep.include({ node: v('NODE3'), result: 'Failed', steps: ['Reboot', 'Reimage', 'Redeploy'] });
          expect(s.message, 'message only when the whole cluster is short-circuited').to.equal(undefined);
          for (const n of [v('NODE'), v('NODE1'), v('NODE2'), v('NODE3')]) eventCounts[n] = (await repairEvents(n)).length;
          hostIds[v('NODE2')] = (await machine(v('NODE2'))).status?.hostId;
        },
      ],
      [
        /aksim sim redeploy --node "\$NODE2" --as alice/,
        async (stdout) => {
          for (const [n, type] of [
            [v('NODE'), 'Reboot'],
            [v('NODE1'), 'Reimage'],
            [v('NODE2'), 'Redeploy'],
          ] as const) {
            const m = await machine(n);
            expect(m.status?.lastAction).to.include({ type, actor: 'alice' });
            expect(m.spec.lastRequestedBy).to.equal('alice');
            expect(await ready(n)).to.equal('True');
            expect(stdout).to.match(new RegExp(`^${n}\\s+${type}\\s+alice\\s+host-`, 'm'));
          }
          expect((await machine(v('NODE2'))).status?.hostId).to.not.equal(hostIds[v('NODE2')]);
          // Done by hand and shorter than the window: auto-repair did not step in.
          for (const [n, count] of Object.entries(eventCounts)) expect((await repairEvents(n)).length, n).to.equal(count);
          expect((await autoRepair('repairdemo')).repairs ?? []).to.deep.equal([]);
        },
      ],
      [
        /aksim group delete --name demo-repair/,
        async () => {
          await waitFor('clusters gone', async () => (await kube.list('SimCluster', RG)).length === 0, 60_000);
          await waitFor(
            'their nodes gone',
            async () => (await kube.core.listNode({ labelSelector: `aksim.io/namespace=${RG}` })).items.length === 0,
            30_000,
          );
        },
      ],
    ];

    try {
      await runChecked(blocks, checks, bin, vars);
    } finally {
      sampling = false;
      await sampler;
    }
  });
});
