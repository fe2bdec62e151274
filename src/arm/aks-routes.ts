// ARM routes of Microsoft.ContainerService: managed clusters (with stop and start), agent pools,
// operations and abort, snapshots, credentials, upgrade profiles, versions, machines, and the
// location routes clients poll (operations/operationresults) and read (kubernetesVersions, orchestrators).
import {
  availableAgentPoolVersions,
  clusterUpgradeProfile,
  credentials,
  kubernetesVersions,
  machines,
  orchestrators,
  poolUpgradeProfile,
} from './aks-extras.js';
import { ArmError } from './errors.js';
import { decodeToken, isTerminalStatus, type LroToken } from './lro.js';
import { methodNotAllowed, noRoute, ok, registerRoutes, type ArmResponse, type RouteRequest } from './router.js';
import type { Accepted, ArmService, Target } from './service.js';

/** A write the operator carries out: the body as it stands and where to poll it. */
function accepted(req: RouteRequest, a: Accepted, withBody = true): ArmResponse {
  return { status: a.status, headers: a.lro ? req.lro(a.lro.token, a.lro.location) : {}, body: withBody ? a.body : undefined };
}

const noContent: ArmResponse = { status: 204, headers: {} };

async function locationRoutes(req: RouteRequest, svc: ArmService, rest: string[]): Promise<ArmResponse> {
  const lc = rest.map((s) => s.toLowerCase());
  const location = rest[0]!;
  if (req.method !== 'GET') throw methodNotAllowed(req.method);
  if (lc[1] === 'kubernetesversions' && rest.length === 2) return ok(kubernetesVersions());
  if (lc[1] === 'orchestrators' && rest.length === 2) return ok(orchestrators(req.sub, location));
  if ((lc[1] === 'operations' || lc[1] === 'operationresults') && rest.length === 3) {
    const token = decodeToken(req.query.get('t'));
    if (!token || (token.target.kind !== 'SimCluster' && token.target.kind !== 'SimNodePool'))
      throw new ArmError(404, 'OperationNotFound', `Operation ${rest[2]} was not found.`);
    const statusUrl = req.path;
    const st = await svc.asyncStatus(token, rest[2]!, statusUrl);
    // Pollers wait Retry-After between looks (az: 30 s without it).
    if (lc[1] === 'operations') return ok(st, 200, isTerminalStatus(st.status) ? {} : { 'Retry-After': req.retryAfter });
    // operationresults: 202 while running; then 204 (or the error) like ARM's Location URLs.
    if (!isTerminalStatus(st.status)) return { status: 202, headers: req.lro(token as LroToken, location), body: undefined };
    if (st.status === 'Succeeded') return noContent;
    return {
      status: st.status === 'Canceled' ? 409 : 400,
      headers: {},
      body: { error: st.error ?? { code: 'OperationCanceled', message: `The operation ${rest[2]} was canceled.` } },
    };
  }
  throw noRoute(req.path);
}

async function snapshotRoutes(req: RouteRequest, svc: ArmService, name: string | undefined, depth: number): Promise<ArmResponse> {
  if (depth > 2) throw noRoute(req.path);
  if (!name) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return ok({ value: await svc.listSnapshots(req.rg) });
  }
  if (!req.rg) throw noRoute(req.path);
  switch (req.method) {
    case 'GET':
      return ok(await svc.getSnapshot(req.rg, name));
    case 'PUT': {
      const r = await svc.putSnapshot(req.rg, name, req.body);
      return ok(r.body, r.status);
    }
    case 'PATCH':
      return ok(await svc.patchSnapshotTags(req.rg, name, req.body));
    case 'DELETE':
      return { status: (await svc.deleteSnapshot(req.rg, name)).status, headers: {} };
    default:
      throw methodNotAllowed(req.method);
  }
}

async function operationRoutes(svc: ArmService, t: Target, id: string | undefined, method: string): Promise<ArmResponse> {
  if (method !== 'GET') throw methodNotAllowed(method);
  if (!id) return ok({ value: await svc.listOperations(t) });
  return ok(await svc.getOperation(t, id));
}

/** POST-only actions: a GET (or anything else) on them is refused. */
function action(req: RouteRequest): void {
  if (req.method !== 'POST') throw methodNotAllowed(req.method);
}

async function poolRoutes(req: RouteRequest, svc: ArmService, rg: string, cluster: string, rest: string[]): Promise<ArmResponse> {
  const lc = rest.map((s) => s.toLowerCase());
  const pool = rest[0];
  if (!pool) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return ok({ value: await svc.listPools(rg, cluster) });
  }
  const t: Target = { kind: 'SimNodePool', rg, cluster, pool };
  if (rest.length === 1) {
    switch (req.method) {
      case 'GET':
        return ok(await svc.getPool(rg, cluster, pool));
      case 'PUT':
        return accepted(req, await svc.putPool(rg, cluster, pool, req.body));
      case 'DELETE': {
        const a = await svc.deletePool(rg, cluster, pool);
        return a ? accepted(req, a, false) : noContent;
      }
      default:
        throw methodNotAllowed(req.method);
    }
  }
  const sub = lc[1];
  if (sub === 'abort' && rest.length === 2) {
    action(req);
    await svc.abort(t);
    return noContent;
  }
  if (sub === 'upgradenodeimageversion' && rest.length === 2) {
    action(req);
    return accepted(req, await svc.upgradeNodeImage(rg, cluster, pool));
  }
  if (sub === 'operations' && rest.length <= 3) return operationRoutes(svc, t, rest[2], req.method);
  if (sub === 'upgradeprofiles' && lc[2] === 'default' && rest.length === 3) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return ok(await poolUpgradeProfile(svc, rg, cluster, pool));
  }
  if (sub === 'machines' && rest.length <= 3) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return ok(await machines(svc, rg, cluster, pool, rest[2]));
  }
  throw noRoute(req.path);
}

async function clusterRoutes(req: RouteRequest, svc: ArmService, rest: string[]): Promise<ArmResponse> {
  const rg = req.rg;
  const name = rest[0];
  if (!name) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return ok({ value: await svc.listClusters(rg) });
  }
  if (!rg) throw noRoute(req.path);
  const lc = rest.map((s) => s.toLowerCase());
  const t: Target = { kind: 'SimCluster', rg, cluster: name };
  if (rest.length === 1) {
    switch (req.method) {
      case 'GET':
        return ok(await svc.getCluster(rg, name));
      case 'PUT':
        return accepted(req, await svc.putCluster(rg, name, req.body));
      case 'PATCH':
        return accepted(req, await svc.patchClusterTags(rg, name, req.body));
      case 'DELETE': {
        const a = await svc.deleteCluster(rg, name);
        return a ? accepted(req, a, false) : noContent;
      }
      default:
        throw methodNotAllowed(req.method);
    }
  }
  const sub = lc[1]!;
  if (rest.length === 2) {
    switch (sub) {
      case 'abort':
        action(req);
        await svc.abort(t);
        return noContent;
      case 'listclusterusercredential':
      case 'listclustermonitoringusercredential':
        action(req);
        return ok(await credentials(svc, rg, name, false));
      case 'listclusteradmincredential':
        action(req);
        return ok(await credentials(svc, rg, name, true));
      case 'stop':
      case 'start':
        action(req);
        return accepted(req, await svc.setClusterPower(rg, name, sub === 'stop' ? 'Stopped' : 'Running'), false);
      case 'availableagentpoolversions':
        if (req.method !== 'GET') throw methodNotAllowed(req.method);
        return ok(await availableAgentPoolVersions(svc, rg, name));
    }
  }
  if (sub === 'upgradeprofiles' && lc[2] === 'default' && rest.length === 3) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    return ok(await clusterUpgradeProfile(svc, rg, name));
  }
  if (sub === 'operations' && rest.length <= 3) return operationRoutes(svc, t, rest[2], req.method);
  if (sub === 'agentpools') return poolRoutes(req, svc, rg, name, rest.slice(2));
  throw noRoute(req.path);
}

registerRoutes(async (req, svc) => {
  const lc = req.segments.map((s) => s.toLowerCase());
  if (lc[1] !== 'microsoft.containerservice') return undefined;
  const rest = req.segments.slice(3);
  switch (lc[2]) {
    case 'managedclusters':
      return clusterRoutes(req, svc, rest);
    case 'snapshots':
      return snapshotRoutes(req, svc, rest[0], rest.length);
    case 'locations':
      if (req.rg || !rest[0]) throw noRoute(req.path);
      return locationRoutes(req, svc, rest);
    default:
      throw noRoute(req.path);
  }
});
