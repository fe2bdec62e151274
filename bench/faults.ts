// One auto-repair sample, shared by the repair and scale benchmarks: inject a fault on a node with
// the CLI, follow the node with the remediator's own rule for when its unhealthy window started,
// and time the NodeRebootStart Event against the window's end; then wait for the repair to finish.
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine } from '../src/api/generated.js';
import { requestsOf } from '../src/model/faults.js';
import { unhealthySince } from '../controllers/remediation/view.js';
import { type EventObj, type Operator, OPERATOR_ENTRY, run, sleep, TIMEOUT_MS, Watcher } from './lib.js';

export type ClusterObj = SimCluster & KubernetesObject;
export type MachineObj = SimMachine & KubernetesObject;

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
export const readyOf = (n: V1Node | undefined): string => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';

/**
 * Events on Nodes (namespace default): the first NodeRebootStart of aks-auto-repair per node, with its
 * eventTime and when the watch got it.
 */
export async function watchRebootStarts(): Promise<{
  watch: Watcher<EventObj>;
  starts: Map<string, { eventTime: number; receipt: number }>;
}> {
  const starts = new Map<string, { eventTime: number; receipt: number }>();
  const watch = new Watcher<EventObj>('/apis/events.k8s.io/v1/namespaces/default/events');
  watch.informer.on({
    add: (e) => {
      if (
        e.reason === 'NodeRebootStart' &&
        e.reportingController === 'aks-auto-repair' &&
        e.regarding?.name &&
        !starts.has(e.regarding.name)
      ) {
        starts.set(e.regarding.name, { eventTime: Date.parse(e.eventTime ?? ''), receipt: Date.now() });
      }
    },
  });
  await watch.start();
  return { watch, starts };
}

export interface Watches {
  nodes: Watcher<V1Node>;
  machines: Watcher<MachineObj>;
  clusters: Watcher<ClusterObj>;
  rebootStarts: Map<string, { eventTime: number; receipt: number }>;
}

export interface Sample {
  fault: string;
  node: string;
  /** Ready condition status the remediator saw (Unknown = no status, False = NotReady). */
  ready: string;
  /** Window start by the remediator's rule (unhealthySince), and as it published it in status.autoRepair.queue. */
  unhealthySince: string;
  publishedUnhealthySince?: string;
  windowEnd: string;
  /** Fault injection -> node seen unhealthy by the bench (detection, not part of the target). */
  secondsInjectToUnhealthy: number;
  /** Window end -> NodeRebootStart eventTime (the operator's clock when it recorded the event). */
  msToEventTime: number;
  /** Window end -> the bench's watch received the Event. */
  msToWatchReceipt: number;
  /** Window end -> the machine's spec.rebootRequests raised (seen by the bench's watch). */
  msToRebootRequested?: number;
  /** NodeRebootStart -> node Ready again (repair finished). */
  secondsRebootToReady: number;
}

export async function sample(
  op: Operator,
  ns: string,
  cluster: string,
  fault: string,
  node: string,
  windowRealMs: number,
  w: Watches,
): Promise<Sample> {
  const { nodes: nodeWatch, machines: machineWatch, clusters: clusterWatch, rebootStarts } = w;
  const m0 = machineWatch.informer.get(`${ns}/${node}`);
  if (!m0) throw new Error(`no SimMachine ${ns}/${node}`);
  const baseline = requestsOf(m0, 'Reboot');
  // Track the window start with the remediator's own rule until it asks for the reboot; after that
  // the node's conditions move again (the reboot itself makes it NotReady).
  let since: number | undefined;
  let ready = '';
  let published: string | undefined;
  let unhealthyAt: number | undefined;
  let requestedAt: number | undefined;
  let finished = false;
  const track = (): void => {
    if (finished || requestedAt !== undefined) return;
    const m = machineWatch.informer.get(`${ns}/${node}`);
    const nd = nodeWatch.informer.get(node);
    if (!m || !nd) return;
    if (requestsOf(m, 'Reboot') > baseline) {
      requestedAt = Date.now();
      return;
    }
    const r = readyOf(nd);
    if (r === 'True' || m.status?.action) return;
    // For False, the window starts once the machine controller has recorded the transition.
    const seen = (m.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'NodeReady');
    if (r === 'False' && seen?.status !== 'False') return;
    since = unhealthySince(m, nd, Date.now());
    ready = r;
    unhealthyAt ??= Date.now();
    const q = clusterWatch.informer.get(`${ns}/${cluster}`)?.status?.autoRepair?.queue?.find((x) => x.node === node);
    if (q?.unhealthySince) published = q.unhealthySince;
  };
  const h = { add: track, update: track };
  nodeWatch.informer.on(h);
  machineWatch.informer.on(h);
  clusterWatch.informer.on(h);

  const injectedAt = Date.now();
  const r = await run(process.execPath, [OPERATOR_ENTRY, 'sim', 'fault', 'inject', '--node', node, '--type', fault, '-g', ns]);
  if (r.code !== 0) throw new Error(`aksim sim fault inject --node ${node} --type ${fault}: ${r.stderr}`);
  const gotEvent = async (): Promise<void> => {
    const end = Date.now() + TIMEOUT_MS;
    while (!rebootStarts.has(node)) {
      if (Date.now() > end) throw new Error(`no NodeRebootStart for ${node} within ${TIMEOUT_MS / 1000}s`);
      await sleep(20);
    }
  };
  await Promise.race([gotEvent(), op.died]);
  const ev = rebootStarts.get(node)!;
  if (since === undefined) throw new Error(`the bench never saw ${node} unhealthy before NodeRebootStart`);
  const windowEnd = since + windowRealMs;
  // The repair finishes: the node Ready again and the remediator's lastRepair names it.
  await Promise.race([
    Promise.all([
      nodeWatch.until(`${node} Ready again`, () => readyOf(nodeWatch.informer.get(node)) === 'True' && rebootStarts.has(node)),
      clusterWatch.until(`${node} repaired`, (cs) =>
        cs.some((c) => c.status?.autoRepair?.lastRepair?.node === node && !(c.status.autoRepair.repairs ?? []).length),
      ),
    ]),
    op.died,
  ]);
  const readyAgain = Date.now();
  finished = true; // informers keep their handlers; this one goes quiet
  const s: Sample = {
    fault,
    node,
    ready,
    unhealthySince: new Date(since).toISOString(),
    windowEnd: new Date(windowEnd).toISOString(),
    secondsInjectToUnhealthy: round3(((unhealthyAt ?? injectedAt) - injectedAt) / 1000),
    msToEventTime: round1(ev.eventTime - windowEnd),
    msToWatchReceipt: round1(ev.receipt - windowEnd),
    secondsRebootToReady: round3((readyAgain - ev.receipt) / 1000),
  };
  if (published) s.publishedUnhealthySince = published;
  if (requestedAt !== undefined) s.msToRebootRequested = round1(requestedAt - windowEnd);
  return s;
}
