// The Azure Instance Metadata Service's Scheduled Events endpoint, as `aksim serve` answers it:
//   GET  /metadata/scheduledevents?api-version=2020-07-01   (header Metadata: true)
//   POST /metadata/scheduledevents?api-version=2020-07-01   {"StartRequests":[{"EventId":"..."}]}
// A real VM asks about itself; here the VM is chosen with ?node=<node name>, else the header
// X-Aksim-Node, else the AKSIM_IMDS_NODE environment variable of `aksim serve`.
import type { IncomingHttpHeaders } from 'node:http';
import type { ScheduledEvent, SimMachine } from '../api/generated.js';
import type { KubeApi } from '../runtime/kube-api.js';
import { imdsEvent, type ImdsEvent } from '../model/scheduled-events.js';

export interface ImdsResponse {
  status: number;
  body?: unknown;
}

export const IMDS_PATH = '/metadata/scheduledevents';

const bad = (error: string): ImdsResponse => ({ status: 400, body: { error } });

async function machineOf(kube: KubeApi, node: string): Promise<SimMachine | undefined> {
  try {
    const n = await kube.readNode(node);
    const ns = n.metadata?.labels?.['aksim.io/namespace'];
    if (ns) return await kube.get<SimMachine>('SimMachine', ns, node);
  } catch {
    // no Node: look for the machine itself (a VM that is still booting)
  }
  const all = await kube.listAll<SimMachine>('SimMachine');
  return all.find((m) => m.metadata.name === node);
}

async function eventsOf(kube: KubeApi, m: SimMachine): Promise<ScheduledEvent[]> {
  const all = await kube.list<ScheduledEvent>('ScheduledEvent', m.metadata.namespace!);
  return all.filter((e) => e.spec.nodes.includes(m.metadata.name!));
}

export async function handleImds(
  kube: KubeApi,
  req: { method: string; url: URL; headers: IncomingHttpHeaders; body: unknown },
): Promise<ImdsResponse> {
  if (String(req.headers.metadata ?? '').toLowerCase() !== 'true') return bad('Bad request. Required metadata header not specified');
  if (!req.url.searchParams.get('api-version'))
    return bad('Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds');
  const node = req.url.searchParams.get('node') ?? (req.headers['x-aksim-node'] as string | undefined) ?? process.env.AKSIM_IMDS_NODE;
  if (!node) return bad('Bad request. aksim needs the VM: ?node=<node name>, header X-Aksim-Node or AKSIM_IMDS_NODE');
  const m = await machineOf(kube, node);
  if (!m) return { status: 404, body: { error: `Not found. No simulated VM ${node}` } };
  const events = await eventsOf(kube, m);
  if (req.method === 'GET') {
    const Events = events.map(imdsEvent).filter((x): x is ImdsEvent => x !== undefined);
    return { status: 200, body: { DocumentIncarnation: m.status?.eventsIncarnation ?? 0, Events } };
  }
  if (req.method === 'POST') {
    const starts = (req.body as { StartRequests?: { EventId?: string }[] } | undefined)?.StartRequests;
    if (!Array.isArray(starts)) return bad('Bad request. The body must be {"StartRequests":[{"EventId":"..."}]}');
    for (const s of starts) {
      const e = events.find((x) => (x.status?.eventId ?? x.spec.eventId)?.toUpperCase() === String(s.EventId ?? '').toUpperCase());
      if (!e) return bad(`Bad request. Unknown EventId ${s.EventId}`);
      await kube.patch('ScheduledEvent', e.metadata.namespace!, e.metadata.name!, { spec: { approved: true } });
    }
    return { status: 200 };
  }
  return { status: 405, body: { error: 'Method not allowed' } };
}
