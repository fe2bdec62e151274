// Routes ARM requests (method, path, query, body) to the ArmService: the one ARM surface that
// `aksim serve` exposes over HTTP and `aksim rest` calls in-process.
import { ArmError } from './errors.js';
import type { ArmService, Target } from './service.js';

export interface ArmRequest {
  method: string;
  /** Path with or without https://management.azure.com, with or without the query string. */
  url: string;
  body?: unknown;
}

export interface ArmResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

type Json = Record<string, unknown>;
/** Extra routes (e.g. ACI NGroups) register here: return undefined when the path is not theirs. */
export type RouteHandler = (req: { method: string; segments: string[]; query: URLSearchParams; body: Json; sub: string; rg?: string }, svc: ArmService) => Promise<ArmResponse | undefined>;
const extraRoutes: RouteHandler[] = [];
export function registerRoutes(h: RouteHandler): void {
  extraRoutes.push(h);
}

const ARM_HOST = 'https://management.azure.com';

export function asyncHeaders(resourceId: string, opId: string | undefined, apiVersion: string): Record<string, string> {
  const op = `${ARM_HOST}${resourceId}/operations/${opId ?? 'latest'}?api-version=${apiVersion}`;
  return { 'Azure-AsyncOperation': op, Location: op };
}

export async function handle(svc: ArmService, req: ArmRequest): Promise<ArmResponse> {
  try {
    return await route(svc, req);
  } catch (err: unknown) {
    if (err instanceof ArmError) return { status: err.status, headers: {}, body: err.body };
    const msg = err instanceof Error ? err.message : String(err);
    return { status: 500, headers: {}, body: { error: { code: 'InternalServerError', message: msg } } };
  }
}

async function route(svc: ArmService, req: ArmRequest): Promise<ArmResponse> {
  const u = new URL(req.url.replace(/^https?:\/\/management\.azure\.com/i, ''), 'http://arm.local');
  const apiVersion = u.searchParams.get('api-version');
  if (!apiVersion) throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  const method = req.method.toUpperCase();
  // A body, when there is one, is a JSON object (ARM refuses anything else before routing).
  if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
    const got = req.body === null ? 'null' : Array.isArray(req.body) ? 'an array' : `a ${typeof req.body}`;
    throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: the body of a ${method} request must be a JSON object, got ${got}.`);
  }
  const body = (req.body ?? {}) as Json;
  const seg = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const lc = seg.map((s) => s.toLowerCase());
  if (lc[0] !== 'subscriptions' || !seg[1]) throw new ArmError(404, 'InvalidResourceType', `The resource path '${u.pathname}' is not supported.`);
  if (seg[1].toLowerCase() !== svc.subscriptionId.toLowerCase()) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${seg[1]}' could not be found.`);
  // Resource groups are namespaces and Azure names are case-insensitive: objects use lowercase.
  const rg = lc[2] === 'resourcegroups' ? seg[3]?.toLowerCase() : undefined;
  const rest = rg ? seg.slice(4) : seg.slice(2);
  const restLc = rest.map((s) => s.toLowerCase());
  for (const h of extraRoutes) {
    const r = await h({ method, segments: rest, query: u.searchParams, body, sub: seg[1], rg }, svc);
    if (r) return r;
  }
  if (restLc[0] === 'providers' && restLc[1] === 'microsoft.containerservice' && restLc[2] === 'snapshots') return snapshots(svc, rg, rest[3], rest.length, method, body, u.pathname);
  if (restLc[0] !== 'providers' || restLc[1] !== 'microsoft.containerservice' || restLc[2] !== 'managedclusters') {
    throw new ArmError(404, 'InvalidResourceType', `The resource type in '${u.pathname}' is not supported by aksim.`);
  }
  const ok = (b: unknown, status = 200): ArmResponse => ({ status, headers: {}, body: b });
  if (!rg) {
    if (rest.length === 3 && method === 'GET') return ok({ value: await svc.listClusters() });
    throw new ArmError(404, 'InvalidResourceType', `The resource path '${u.pathname}' is not supported.`);
  }
  const cluster = rest[3]?.toLowerCase();
  if (!cluster) {
    if (method === 'GET') return ok({ value: await svc.listClusters(rg) });
    throw methodNotAllowed(method);
  }
  const tail = restLc.slice(4);
  const clusterTarget: Target = { kind: 'SimCluster', rg, cluster };
  if (tail.length === 0) {
    switch (method) {
      case 'GET':
        return ok(await svc.getCluster(rg, cluster));
      case 'PUT':
      case 'PATCH': {
        const a = await svc.putCluster(rg, cluster, method === 'PATCH' ? { ...(await svc.getCluster(rg, cluster)), ...body } : body);
        return { status: a.status, headers: asyncHeaders(a.resourceId, a.operationId, apiVersion), body: a.body };
      }
      case 'DELETE': {
        const a = await svc.deleteCluster(rg, cluster);
        return { status: 202, headers: asyncHeaders(a.resourceId, a.operationId, apiVersion) };
      }
      default:
        throw methodNotAllowed(method);
    }
  }
  if (tail[0] === 'abort' && tail.length === 1) return abortResponse(await svc.abort(clusterTarget));
  if (tail[0] === 'operations') return operations(svc, clusterTarget, tail[1] ? rest[5] : undefined, method);
  if (tail[0] === 'agentpools') {
    const pool = rest[5];
    if (!pool) {
      if (method === 'GET') return ok({ value: await svc.listPools(rg, cluster) });
      throw methodNotAllowed(method);
    }
    const pt: Target = { kind: 'SimNodePool', rg, cluster, pool };
    const ptail = tail.slice(2);
    if (ptail.length === 0) {
      switch (method) {
        case 'GET':
          return ok(await svc.getPool(rg, cluster, pool));
        case 'PUT': {
          const a = await svc.putPool(rg, cluster, pool, body);
          return { status: a.status, headers: asyncHeaders(a.resourceId, a.operationId, apiVersion), body: a.body };
        }
        case 'DELETE': {
          const a = await svc.deletePool(rg, cluster, pool);
          return { status: 202, headers: asyncHeaders(a.resourceId, a.operationId, apiVersion) };
        }
        default:
          throw methodNotAllowed(method);
      }
    }
    if (ptail[0] === 'abort' && ptail.length === 1) return abortResponse(await svc.abort(pt));
    if (ptail[0] === 'upgradenodeimageversion' && ptail.length === 1) {
      if (method !== 'POST') throw methodNotAllowed(method);
      const a = await svc.upgradeNodeImage(rg, cluster, pool);
      return { status: 202, headers: asyncHeaders(a.resourceId, a.operationId, apiVersion) };
    }
    if (ptail[0] === 'operations') return operations(svc, pt, ptail[1] ? rest[7] : undefined, method);
  }
  throw new ArmError(404, 'InvalidResourceType', `The resource path '${u.pathname}' is not supported.`);
}

/** Microsoft.ContainerService/snapshots: list (subscription or group), PUT/GET/DELETE one. */
async function snapshots(svc: ArmService, rg: string | undefined, name: string | undefined, depth: number, method: string, body: Json, path: string): Promise<ArmResponse> {
  const ok = (b: unknown, status = 200): ArmResponse => ({ status, headers: {}, body: b });
  if (depth > 4) throw new ArmError(404, 'InvalidResourceType', `The resource path '${path}' is not supported.`);
  if (!name) {
    if (method === 'GET') return ok({ value: await svc.listSnapshots(rg) });
    throw methodNotAllowed(method);
  }
  if (!rg) throw new ArmError(404, 'InvalidResourceType', `The resource path '${path}' is not supported.`);
  switch (method) {
    case 'GET':
      return ok(await svc.getSnapshot(rg, name));
    case 'PUT': {
      const r = await svc.putSnapshot(rg, name, body);
      return ok(r.body, r.status);
    }
    case 'DELETE': {
      const r = await svc.deleteSnapshot(rg, name);
      return { status: r.status, headers: {} };
    }
    default:
      throw methodNotAllowed(method);
  }
}

async function operations(svc: ArmService, t: Target, id: string | undefined, method: string): Promise<ArmResponse> {
  if (method !== 'GET') throw methodNotAllowed(method);
  if (!id) return { status: 200, headers: {}, body: { value: await svc.listOperations(t) } };
  return { status: 200, headers: {}, body: await svc.getOperation(t, id) };
}

function abortResponse(a: { status: number }): ArmResponse {
  return { status: a.status, headers: {} };
}

const methodNotAllowed = (m: string): ArmError => new ArmError(405, 'MethodNotAllowed', `The method ${m} is not allowed on this resource.`);
