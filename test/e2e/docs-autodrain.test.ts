// e2e: docs/autodrain.md is run as written — every ```sh block, in order, in one shell session —
// and what the walkthrough promises is checked on the real objects between blocks: a Preempt
// cordons, taints and drains the spot node through the eviction API (the PodDisruptionBudget is
// never broken) before NotBefore, then the VM goes; Freeze and Reboot do not cordon and start
// when approved (IMDS StartRequests, CLI); a canceled Redeploy uncordons; the node condition
// VMEventScheduled and the Node events say so.
import { expect } from 'chai';
import type { EventsV1Event, V1Node, V1Pod } from '@kubernetes/client-node';
import type { ScheduledEvent, SimMachine } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { aksimOnPath, type BlockCheck, docBlocks, runChecked } from '../support/docs.js';
import { KUBECONFIG, run, sharedOperator, waitFor } from '../support/env.js';

const kube = Kube.fromFile(KUBECONFIG);
const RG = 'demo-drain';
const TAINT = 'remediator.aks.microsoft.com/unschedulable';
const CONTROLLER = 'aksim.io/scheduled-events';

const node = (name: string): Promise<V1Node> => kube.core.readNode({ name });
const nodeCond = (n: V1Node, type: string) => n.status?.conditions?.find((c) => c.type === type);
const machine = (name: string): Promise<SimMachine | undefined> => kube.get<SimMachine>('SimMachine', RG, name);
const sev = (name: string): Promise<ScheduledEvent | undefined> => kube.get<ScheduledEvent>('ScheduledEvent', RG, name);
const at = (e: EventsV1Event): number => (e.eventTime ? new Date(e.eventTime).getTime() : NaN);
/** Events of aksim.io/scheduled-events on a node, oldest first (uid: node names repeat when the page is run again). */
async function nodeEvents(name: string, uid: string | undefined): Promise<EventsV1Event[]> {
  const list = await kube.eventsApi.listNamespacedEvent({
    namespace: 'default',
    fieldSelector: `regarding.name=${name},reportingController=${CONTROLLER}`,
  });
  return list.items.filter((e) => e.regarding?.uid === uid).sort((a, b) => at(a) - at(b));
}
/**
 * The events are exactly these reasons, in this order as far as their times tell (eventTime has
 * millisecond precision: events emitted in the same millisecond may list in any order).
 */
function expectInOrder(evs: EventsV1Event[], order: string[]): void {
  expect(evs.map((e) => e.reason).sort()).to.deep.equal([...order].sort());
  const byReason = new Map(evs.map((e) => [e.reason, at(e)]));
  for (let i = 1; i < order.length; i++)
    expect(byReason.get(order[i]), `${order[i]} not before ${order[i - 1]}`).to.be.at.least(byReason.get(order[i - 1])!);
}
async function webPods(): Promise<V1Pod[]> {
  return (await kube.core.listNamespacedPod({ namespace: RG, labelSelector: 'app=web' })).items;
}
const podReady = (p: V1Pod): boolean =>
  !p.metadata?.deletionTimestamp && (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
const gone = async (kind: 'node' | 'simmachine' | 'sev', name: string): Promise<boolean> =>
  (await run('kubectl', kind === 'node' ? ['get', 'node', name] : ['get', kind, '-n', RG, name])).code !== 0;

/** Removes the resource group, and the Node events of its nodes (their names come back on the next run). */
async function cleanup(nodes: string[] = []): Promise<void> {
  for (const n of nodes)
    await run('kubectl', ['delete', 'events.events.k8s.io', '-n', 'default', '--field-selector', `regarding.name=${n}`]);
  if ((await run('kubectl', ['get', 'namespace', RG])).code !== 0) return;
  await run('kubectl', [
    'delete',
    'deployments,poddisruptionbudgets,scheduledevents,simclusters',
    '--all',
    '-n',
    RG,
    '--wait=true',
    '--timeout=60s',
  ]);
  await run('kubectl', ['delete', 'namespace', RG, '--wait=true', '--timeout=60s']);
}

describe('e2e: docs/autodrain.md walkthrough', function () {
  this.timeout(240_000);
  let nodeNames: string[] = [];
  before(async () => {
    await sharedOperator();
    await cleanup();
  });
  after(async () => cleanup(nodeNames));

  it('runs every shell block of the page: spot eviction with a PDB, Freeze and Reboot approved, a canceled Redeploy', async () => {
    const bin = aksimOnPath();
    const blocks = docBlocks('docs/autodrain.md');
    expect(blocks.length).to.be.at.least(9);
    const vars: Record<string, string> = {};
    const v = (name: string): string => {
      expect(vars[name], `$${name}`).to.be.a('string').and.not.equal('');
      return vars[name]!;
    };

    // Ready web pods over the whole walkthrough: the budget (minAvailable 1) must hold.
    let minReady = Infinity;
    let sampling = false;
    let sampler: Promise<void> = Promise.resolve();
    const startSampling = (): void => {
      sampling = true;
      sampler = (async () => {
        while (sampling) {
          const ps = await webPods().catch(() => undefined);
          if (ps) minReady = Math.min(minReady, ps.filter(podReady).length);
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
    };

    const uids: Record<string, string | undefined> = {};
    let notBefore = NaN;
    let incarnation = 0;
    const checks: BlockCheck[] = [
      [
        /nodepool add -g demo-drain --cluster-name draindemo -n spot --priority Spot/,
        async (stdout) => {
          const nodes = (await kube.core.listNode({ labelSelector: `aksim.io/namespace=${RG},aksim.io/cluster=draindemo` })).items;
          nodeNames = nodes.map((n) => n.metadata!.name!);
          expect(nodes).to.have.length(4);
          for (const n of nodes) {
            uids[n.metadata!.name!] = n.metadata?.uid;
            expect(nodeCond(n, 'Ready')?.status).to.equal('True');
          }
          const spot = nodes.filter((n) => n.metadata?.labels?.['kubernetes.azure.com/scalesetpriority'] === 'spot');
          expect(spot.map((n) => n.metadata?.labels?.['aksim.io/pool'])).to.deep.equal(['spot', 'spot']);
          for (const n of spot)
            expect(n.spec?.taints).to.deep.include({ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' });
          expect(stdout.match(/\sspot\s*$/gm)).to.have.length(2);
        },
      ],
      [
        /kind: PodDisruptionBudget/,
        async () => {
          const ps = (await webPods()).filter(podReady);
          expect(ps).to.have.length(2);
          for (const p of ps)
            expect((await node(p.spec!.nodeName!)).metadata?.labels).to.include({
              'kubernetes.azure.com/scalesetpriority': 'spot',
              'aksim.io/cluster': 'draindemo',
            });
          startSampling();
        },
      ],
      [
        /aksim sim spot-evict --node "\$SPOT"/,
        async (stdout) => {
          const spot = v('SPOT');
          const e = (await sev(v('PREEMPT')))!;
          expect(e.spec).to.include({ eventType: 'Preempt', eventSource: 'Platform' });
          expect(e.spec.nodes).to.deep.equal([spot]);
          expect(e.status).to.include({ eventStatus: 'Scheduled', action: 'CordonAndDrain' });
          expect(e.status?.nodes?.[0]).to.include({ node: spot, cordonedByAksim: true, drain: 'Drained' });
          expect(e.status?.resources?.[0]).to.match(/^aks-spot-\d{8}-vmss_\d+$/);
          notBefore = Date.parse(e.status!.notBefore!);
          // The asked NotBefore (+PT15S real), not the 30 s simulated minimum (half a second).
          expect(notBefore - Date.parse(e.metadata.creationTimestamp as unknown as string)).to.be.within(13_000, 17_000);
          expect(Date.now(), 'drained before NotBefore').to.be.lessThan(notBefore);
          const n = await node(spot);
          expect(n.spec?.unschedulable).to.equal(true);
          expect(n.spec?.taints).to.deep.include({ key: TAINT, value: 'true', effect: 'NoSchedule' });
          expect(nodeCond(n, 'VMEventScheduled')).to.include({ status: 'True', reason: 'PreemptScheduled' });
          expect(nodeCond(n, 'Ready')?.status).to.equal('True'); // kwok's conditions untouched
          const ready = (await webPods()).filter(podReady);
          expect(ready).to.have.length(2);
          expect(
            ready.every((p) => p.spec?.nodeName !== spot),
            'web pods moved off the spot node',
          ).to.equal(true);
          expect(stdout).to.match(/^PreemptScheduled$/m);
          expect(stdout).to.contain(`"key":"${TAINT}"`);
        },
      ],
      [
        /kubectl wait simmachine\/"\$SPOT" -n demo-drain --for=delete/,
        async (stdout) => {
          const spot = v('SPOT');
          expect(await gone('simmachine', spot)).to.equal(true);
          expect(await gone('node', spot)).to.equal(true);
          expect(await gone('sev', v('PREEMPT'))).to.equal(true);
          const evs = await nodeEvents(spot, uids[spot]);
          expectInOrder(evs, ['PreemptScheduled', 'NodeCordonStart', 'NodeCordonEnd', 'NodeDrainStart', 'NodeDrainEnd', 'PreemptStarted']);
          const time = (reason: string): number => at(evs.find((e) => e.reason === reason)!);
          expect(time('NodeDrainEnd'), 'drained before NotBefore').to.be.lessThan(notBefore);
          expect(time('PreemptStarted'), 'started at NotBefore, not earlier').to.be.at.least(notBefore - 1);
          const evicted = await kube.eventsApi.listNamespacedEvent({
            namespace: RG,
            fieldSelector: `reason=Evicted,reportingController=${CONTROLLER}`,
          });
          expect(evicted.items.length).to.be.at.least(1);
          expect(minReady, 'the PodDisruptionBudget held').to.be.at.least(1);
          // An idle pool does not replace the preempted VM.
          expect(await kube.list<SimMachine>('SimMachine', RG, 'aksim.io/pool=spot')).to.have.length(1);
          expect(stdout).to.match(/PreemptScheduled[\s\S]*NodeCordonStart[\s\S]*NodeDrainEnd[\s\S]*PreemptStarted/);
          expect(stdout).to.match(/Evicted/);
        },
      ],
      [
        /--type Freeze --duration 5/,
        async (stdout) => {
          const [a, b] = [v('NODE'), v('NODE2')];
          expect(a).to.not.equal(b);
          for (const [n, reason] of [
            [a, 'FreezeScheduled'],
            [b, 'RebootScheduled'],
          ] as const) {
            const x = await node(n);
            expect(nodeCond(x, 'VMEventScheduled')).to.include({ status: 'True', reason });
            expect(x.spec?.unschedulable ?? false).to.equal(false);
            expect((x.spec?.taints ?? []).map((t) => t.key)).to.not.include(TAINT);
          }
          const events = await kube.list<ScheduledEvent>('ScheduledEvent', RG);
          expect(events.map((e) => e.status?.eventId).sort()).to.deep.equal([v('FREEZE'), v('REBOOT')].sort());
          for (const e of events) {
            expect(e.status).to.include({ eventStatus: 'Scheduled', action: 'None' });
            // 15 simulated minutes of notice: 15 s real.
            expect(Date.parse(e.status!.notBefore!) - Date.parse(e.metadata.creationTimestamp as unknown as string)).to.be.within(
              14_000,
              16_000,
            );
          }
          expect(stdout).to.contain(v('FREEZE')).and.contain(v('REBOOT'));
          incarnation = (await machine(a))!.status?.eventsIncarnation ?? 0;
          expect(incarnation).to.be.greaterThan(0);
        },
      ],
      [
        /aksim sim status -g demo-drain -o table/,
        async (stdout) => {
          const vms = await kube.list<SimMachine>('SimMachine', RG);
          expect(stdout).to.match(/^Operator: \S+ \(leading, renewed \d+ s ago\); timeScale 60$/m);
          expect(stdout).to.match(new RegExp(`^VMs: ${vms.length}, ${vms.length} Running; 0 with faults, 0 in a reboot`, 'm'));
          const events = stdout.slice(stdout.indexOf('Scheduled events:'), stdout.indexOf('Operations in progress:'));
          expect(events).to.match(new RegExp(`\\s${v('FREEZE')}\\s+Freeze\\s+Scheduled\\s`));
          expect(events).to.match(new RegExp(`\\s${v('REBOOT')}\\s+Reboot\\s+Scheduled\\s`));
          expect(stdout).to.match(/^Faults:\nnone$/m);
          expect(stdout).to.match(/^Operations in progress:\nnone$/m);
        },
      ],
      [
        /aksim serve --http --port 0/,
        async (stdout) => {
          const [noHeader, doc, post] = stdout.trim().split('\n');
          expect(noHeader).to.equal('{"error":"Bad request. Required metadata header not specified"} 400');
          const d = JSON.parse(doc!) as { DocumentIncarnation: number; Events: Record<string, unknown>[] };
          expect(d.DocumentIncarnation).to.equal(incarnation);
          expect(d.Events, JSON.stringify(d.Events)).to.have.length(1);
          expect(d.Events[0]).to.include({
            EventId: v('FREEZE'),
            EventStatus: 'Scheduled',
            EventType: 'Freeze',
            ResourceType: 'VirtualMachine',
            EventSource: 'Platform',
            DurationInSeconds: 5,
            Description: 'Host server is undergoing maintenance.',
          });
          expect((d.Events[0]!.Resources as string[])[0]).to.match(/^aks-nodepool1-\d{8}-vmss_\d+$/);
          expect(post).to.equal('200');
          // The server the block started stopped with the block's shell (the trap).
          const pid = Number(v('SERVE_PID'));
          await waitFor(
            'aksim serve stopped',
            async () => {
              try {
                process.kill(pid, 0);
                return false;
              } catch {
                return true;
              }
            },
            5_000,
          );
        },
      ],
      [
        /aksim sim event approve --id "\$REBOOT"/,
        async (stdout) => {
          const [a, b] = [v('NODE'), v('NODE2')];
          expect(await kube.list('ScheduledEvent', RG)).to.deep.equal([]);
          const mb = (await machine(b))!;
          expect(mb.status?.reboots).to.equal(1);
          expect(mb.status?.lastAction).to.include({ type: 'Reboot', actor: `scheduled-event/${v('REBOOT')}` });
          expect((await machine(a))!.status?.eventsIncarnation).to.be.greaterThan(incarnation);
          for (const [n, type] of [
            [a, 'Freeze'],
            [b, 'Reboot'],
          ] as const) {
            const x = await node(n);
            expect(x.spec?.unschedulable ?? false).to.equal(false);
            expect((x.spec?.taints ?? []).map((t) => t.key)).to.not.include(TAINT);
            expect(nodeCond(x, 'VMEventScheduled')).to.include({ status: 'False', reason: 'NoVMEventScheduled' });
            expect(nodeCond(x, 'Ready')?.status).to.equal('True');
            expectInOrder(await nodeEvents(n, uids[n]), [`${type}Scheduled`, `${type}Started`]); // no cordon, no drain
          }
          expect(stdout).to.contain(`1 scheduled-event/${v('REBOOT')}`);
          expect(stdout).to.match(/^ NoVMEventScheduled$/m);
        },
      ],
      [
        /--type Redeploy --not-before \+PT60S/,
        async (stdout) => {
          const a = v('NODE');
          expect(await gone('sev', v('REDEPLOY'))).to.equal(true);
          const x = await node(a);
          expect(x.spec?.unschedulable ?? false).to.equal(false);
          expect((x.spec?.taints ?? []).map((t) => t.key)).to.not.include(TAINT);
          expect(nodeCond(x, 'VMEventScheduled')).to.include({ status: 'False', reason: 'NoVMEventScheduled' });
          const evs = (await nodeEvents(a, uids[a])).filter((e) => !e.reason?.startsWith('Freeze'));
          expectInOrder(evs, [
            'RedeployScheduled',
            'NodeCordonStart',
            'NodeCordonEnd',
            'NodeDrainStart',
            'NodeDrainEnd',
            'RedeployCanceled',
          ]);
          expect((await machine(a))!.status?.redeploys ?? 0).to.equal(0); // never started
          expect(stdout).to.match(/RedeployCanceled/);
        },
      ],
      [
        /aksim group delete --name demo-drain/,
        async () => {
          expect((await webPods()).filter((p) => !p.metadata?.deletionTimestamp)).to.deep.equal([]);
          await waitFor('cluster gone', async () => (await kube.list('SimCluster', RG)).length === 0, 60_000);
          await waitFor(
            'its nodes gone',
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
