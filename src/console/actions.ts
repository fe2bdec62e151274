// What the console's buttons do. Each action checks its input as the CLI checks its flags, then
// calls the code the CLI calls: abort and scale through the ARM layer (ArmService), faults and
// scheduled events through `aksim sim`'s functions, NGroup cancel through the ACI routes. Every
// action is one write, so a refused one changes nothing.
import { handle } from '../arm/routes.js';
import { API_VERSION } from '../aci/arm.js';
import { ArmError } from '../arm/errors.js';
import type { ArmService, Target } from '../arm/service.js';
import { approveEvent, clearFault, injectFault, scheduleEventOn } from '../cli/sim.js';
import { ACTIONS, type ActionName } from './records.js';

type Json = Record<string, unknown>;
const bad = (message: string): ArmError => new ArmError(400, 'InvalidArgumentValue', message);

/** Lowercase Kubernetes object names (resource groups, clusters, pools, NGroups). */
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Node (VM) names and event ids: also dots and uppercase GUIDs. */
const LOOSE = /^[A-Za-z0-9]([-A-Za-z0-9._]{0,251}[A-Za-z0-9])?$/;

function field(body: Json, name: string, opts: { lower?: boolean; optional?: boolean; pattern?: RegExp } = {}): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return undefined;
    throw bad(`${name} is required`);
  }
  if (typeof v !== 'string') throw bad(`${name} must be a string, got ${JSON.stringify(v)}`);
  const s = opts.lower ? v.trim().toLowerCase() : v.trim();
  if (!(opts.pattern ?? LOOSE).test(s)) throw bad(`${name} ${JSON.stringify(v)} is not a valid name`);
  return s;
}
const need = (body: Json, name: string, lower = true): string => field(body, name, { lower, pattern: lower ? NAME : LOOSE })!;

/** A node count as `aksim aks nodepool scale -c` takes it: an integer. */
function count(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw bad(`expected an integer node count, got ${JSON.stringify(v)}`);
  return n;
}

export function isAction(name: string): name is ActionName {
  return (ACTIONS as readonly string[]).includes(name);
}

export async function runAction(svc: ArmService, name: ActionName, input: unknown): Promise<Json> {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new ArmError(400, 'InvalidRequestContent', 'the request body must be a JSON object');
  const body = input as Json;
  switch (name) {
    case 'abort': {
      const rg = need(body, 'resourceGroup');
      const cluster = need(body, 'cluster');
      const pool = field(body, 'pool', { lower: false, optional: true, pattern: NAME });
      const t: Target = pool ? { kind: 'SimNodePool', rg, cluster, pool } : { kind: 'SimCluster', rg, cluster };
      const a = await svc.abort(t);
      return { operationId: a.operationId, status: 'Canceling' };
    }
    case 'scale': {
      const rg = need(body, 'resourceGroup');
      const cluster = need(body, 'cluster');
      const pool = need(body, 'pool', false);
      const n = count(body.count);
      const a = await svc.putPool(rg, cluster, pool, { properties: { count: n } });
      return { operationId: a.operationId ?? null, count: n };
    }
    case 'fault-inject': {
      const m = await injectFault(
        svc.kube,
        need(body, 'node', false),
        need(body, 'type', false),
        field(body, 'resourceGroup', { lower: true, optional: true, pattern: NAME }),
      );
      return { node: m.metadata.name, faults: (m.spec.faults ?? []).map((f) => f.type) };
    }
    case 'fault-clear': {
      const m = await clearFault(
        svc.kube,
        need(body, 'node', false),
        need(body, 'type', false),
        field(body, 'resourceGroup', { lower: true, optional: true, pattern: NAME }),
      );
      return { node: m.metadata.name, faults: (m.spec.faults ?? []).map((f) => f.type) };
    }
    case 'event-schedule': {
      const notBefore = body.notBefore === undefined || body.notBefore === '' ? undefined : body.notBefore;
      if (notBefore !== undefined && typeof notBefore !== 'string')
        throw bad(`notBefore must be an ISO time or +<ISO duration>, got ${JSON.stringify(notBefore)}`);
      const e = await scheduleEventOn(svc.kube, need(body, 'node', false), need(body, 'type', false), {
        resourceGroup: field(body, 'resourceGroup', { lower: true, optional: true, pattern: NAME }),
        notBefore,
        description: 'scheduled from the aksim console',
      });
      return { name: e.metadata.name, eventId: e.status?.eventId ?? e.spec.eventId };
    }
    case 'event-approve': {
      const e = await approveEvent(svc.kube, {
        id: need(body, 'id', false),
        resourceGroup: field(body, 'resourceGroup', { lower: true, optional: true, pattern: NAME }),
      });
      return { name: e.metadata.name, approved: true };
    }
    case 'ngroup-cancel': {
      const rg = need(body, 'resourceGroup');
      const ngroup = need(body, 'ngroup');
      const url = `/subscriptions/${svc.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ContainerInstance/ngroups/${ngroup}/cancelRollingUpdate?api-version=${API_VERSION}`;
      const r = await handle(svc, { method: 'POST', url });
      if (r.status >= 400) {
        const e = (r.body as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new ArmError(r.status, e?.code ?? 'Error', e?.message ?? `HTTP ${r.status}`);
      }
      return { ngroup, status: 'Cancelling' };
    }
  }
}
