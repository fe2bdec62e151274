// ARM routes of Microsoft.ContainerInstance (2026-06-01-preview): ngroups, containerGroupProfiles
// and their revisions, latestRollingUpdate, cancelRollingUpdate, stop, start and restart, and the status URLs NGroup
// writes hand out. Registered on the shared router, so `aksim serve` and `aksim rest` answer alike.
import type { ContainerGroupProfile, NGroup, NGroupSpec } from '../api/generated.js';
import { DISPLAY_NAME_ANNOTATION } from '../azure/ids.js';
import { ArmError, notFound } from '../arm/errors.js';
import { decodeToken, isTerminalStatus, type AsyncStatus, type LroToken } from '../arm/lro.js';
import { methodNotAllowed, noRoute, ok, registerRoutes, type ArmResponse, type RouteRequest } from '../arm/router.js';
import type { ArmService } from '../arm/service.js';
import { wallNow } from '../runtime/clock.js';
import { isNotFound, statusCode, apiMessage } from '../runtime/kube-api.js';
import {
  CODES,
  cancelRollingUpdatePatch,
  checkNGroupUpdate,
  latestRollingUpdateToArm,
  listToArm,
  mergeNGroupPatch,
  powerPatch,
  ngroupSpecFromArm,
  ngroupToArm,
  profileRevisionsToArm,
  profileSpecFromArm,
  profileToArm,
} from './arm.js';

type Json = Record<string, unknown>;
const FIELD_MANAGER = 'aksim-arm';

/** API server refusals (CEL: zones removed, faultDomainCount changed...) as ARM 400s. */
async function write<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err: unknown) {
    const code = statusCode(err);
    if (code === 422 || code === 400) throw new ArmError(400, CODES.invalid, apiMessage(err), undefined, { cause: err });
    throw err;
  }
}

/**
 * A PUT replaces the NGroup, except what can only be set at creation and what ARM keeps when a
 * body leaves it out: zones and placementProfile keep their value, and a left-out elasticProfile
 * (or desiredCount) keeps the count. So seed 002's rolling-update body (location, updateProfile,
 * containerGroupProfiles) works on a zonal NGroup with fault domains.
 */
export function putOverCurrent(current: NGroupSpec, next: NGroupSpec, body: Json): NGroupSpec {
  const out: NGroupSpec = { ...next };
  if (body.zones === undefined || body.zones === null) out.zones = current.zones;
  const props = (body.properties ?? {}) as Json;
  if (props.placementProfile === undefined || props.placementProfile === null) out.placementProfile = current.placementProfile;
  const ep = props.elasticProfile as Json | undefined | null;
  if (ep === undefined || ep === null) out.elasticProfile = current.elasticProfile;
  else if (ep.desiredCount === undefined)
    out.elasticProfile = { ...out.elasticProfile, desiredCount: current.elasticProfile?.desiredCount ?? 0 };
  if (body.tags === undefined) out.tags = current.tags;
  // Not ARM properties: stop/start/restart set them, and a PUT never undoes them.
  out.powerState = current.powerState;
  out.restartRequests = current.restartRequests;
  for (const k of Object.keys(out) as (keyof NGroupSpec)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** What an NGroup write's status URL answers: the NGroup's provisioning state once it saw the write. */
async function ngroupStatus(svc: ArmService, token: LroToken, id: string, statusUrl: string): Promise<AsyncStatus> {
  const t = token.target as { kind: 'NGroup'; rg: string; name: string };
  const base = { id: statusUrl, name: id, startTime: new Date(token.at).toISOString() };
  const ng = await svc.kube.get<NGroup>('NGroup', t.rg, t.name);
  const now = new Date(wallNow()).toISOString();
  if (!ng)
    return token.del
      ? { ...base, status: 'Succeeded', endTime: now }
      : { ...base, status: 'Failed', endTime: now, error: { code: CODES.notFound, message: `NGroup '${t.name}' no longer exists.` } };
  if (token.del) return { ...base, status: 'InProgress' };
  const state = ng.status?.provisioningState ?? 'Creating';
  const seen = (ng.status?.observedGeneration ?? 0) >= (token.gen ?? 0);
  if (seen && isTerminalStatus(state)) return { ...base, status: state as AsyncStatus['status'], endTime: now, ...failure(ng, state) };
  return { ...base, status: 'InProgress' };
}

/** A Failed NGroup's error, as its Ready condition says it (e.g. InPlaceUpdateNotAllowed naming the properties). */
function failure(ng: NGroup, state: string): Pick<AsyncStatus, 'error'> {
  if (state !== 'Failed') return {};
  const c = ng.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'False');
  return { error: { code: c?.reason ?? 'Failed', message: c?.message ?? `NGroup '${ng.metadata.name}' failed.` } };
}

async function ngroups(req: RouteRequest, svc: ArmService, rest: string[]): Promise<ArmResponse> {
  const sub = svc.subscriptionId;
  const [name, action] = [rest[0], rest[1]?.toLowerCase()];
  if (!name) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    const groups = req.rg ? [await svc.group(req.rg)] : await svc.groups();
    const out: Json[] = [];
    for (const g of groups) for (const ng of await svc.kube.list<NGroup>('NGroup', g.ns)) out.push(ngroupToArm(ng, sub, g.name));
    return ok(listToArm(out));
  }
  if (!req.rg || rest.length > 2) throw noRoute(req.path);
  const g = await svc.group(req.rg);
  const obj = name.toLowerCase();
  const current = await svc.kube.get<NGroup>('NGroup', g.ns, obj);
  const need = (): NGroup => {
    if (!current) throw notFound('Microsoft.ContainerInstance/ngroups', name, req.rg!);
    return current;
  };
  const location = (ng?: NGroup): string => ng?.spec.location ?? g.location;
  const lro = (ng: NGroup | undefined, extra: Partial<LroToken> = {}): Record<string, string> =>
    req.lro({ target: { kind: 'NGroup', rg: g.ns, name: obj }, gen: ng?.metadata.generation, at: wallNow(), ...extra }, location(ng));
  if (action === 'latestrollingupdate') {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    const ru = latestRollingUpdateToArm(need());
    if (!ru) throw new ArmError(404, CODES.noRollingUpdate, `NGroup '${name}' has had no rolling update.`);
    return ok(ru);
  }
  if (action === 'cancelrollingupdate') {
    if (req.method !== 'POST') throw methodNotAllowed(req.method);
    await svc.kube.patch('NGroup', g.ns, obj, cancelRollingUpdatePatch(need(), new Date(wallNow()).toISOString()));
    return { status: 202, headers: lro(current) };
  }
  if (action === 'stop' || action === 'start' || action === 'restart') {
    if (req.method !== 'POST') throw methodNotAllowed(req.method);
    const patch = powerPatch(need(), action);
    const patched = patch ? await svc.kube.patch<NGroup>('NGroup', g.ns, obj, patch) : current;
    // Stop is synchronous in Azure (204): the CGs go in the background, desiredCount is kept.
    return action === 'stop' ? { status: 204, headers: {} } : { status: 202, headers: lro(patched) };
  }
  if (action) throw noRoute(req.path);
  switch (req.method) {
    case 'GET':
      return ok(ngroupToArm(need(), sub, g.name));
    case 'PUT':
    case 'PATCH': {
      let next = (req.method === 'PATCH' ? mergeNGroupPatch(need().spec, req.body) : ngroupSpecFromArm(req.body)) as NGroupSpec;
      if (current) {
        if (req.method === 'PUT') next = putOverCurrent(current.spec, next, req.body);
        const refusal = checkNGroupUpdate(current.spec, next);
        if (refusal) throw refusal;
      }
      // Server-side apply: the display-name annotation is sent every time, or it would be dropped.
      const given = current?.metadata.annotations?.[DISPLAY_NAME_ANNOTATION] ?? name;
      const body: Partial<NGroup> = {
        spec: next,
        metadata: { name: obj, namespace: g.ns, annotations: { [DISPLAY_NAME_ANNOTATION]: given } },
      };
      const applied = (await write(() => svc.kube.apply<Partial<NGroup>>('NGroup', g.ns, obj, body, FIELD_MANAGER))) as NGroup;
      return { status: current ? 200 : 201, headers: lro(applied), body: ngroupToArm(applied, sub, g.name) };
    }
    case 'DELETE':
      if (!current) return { status: 204, headers: {} };
      await svc.kube.delete('NGroup', g.ns, obj);
      return { status: 202, headers: lro(current, { del: true }) };
    default:
      throw methodNotAllowed(req.method);
  }
}

async function profiles(req: RouteRequest, svc: ArmService, rest: string[]): Promise<ArmResponse> {
  const sub = svc.subscriptionId;
  const name = rest[0];
  if (!name) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    const groups = req.rg ? [await svc.group(req.rg)] : await svc.groups();
    const out: Json[] = [];
    for (const g of groups)
      for (const p of await svc.kube.list<ContainerGroupProfile>('ContainerGroupProfile', g.ns))
        out.push(profileToArm(p, sub, undefined, g.name) ?? {});
    return ok(listToArm(out));
  }
  if (!req.rg) throw noRoute(req.path);
  const g = await svc.group(req.rg);
  const obj = name.toLowerCase();
  const current = await svc.kube.get<ContainerGroupProfile>('ContainerGroupProfile', g.ns, obj);
  const need = (): ContainerGroupProfile => {
    if (!current)
      throw new ArmError(
        404,
        CODES.profileNotFound,
        `The container group profile '${name}' under resource group '${req.rg}' was not found.`,
      );
    return current;
  };
  if (rest[1]?.toLowerCase() === 'revisions' && rest.length <= 3) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    if (!rest[2]) return ok(profileRevisionsToArm(need(), sub, g.name));
    const rev = Number(rest[2]);
    const out = Number.isInteger(rev) ? profileToArm(need(), sub, rev, g.name) : undefined;
    if (!out) throw new ArmError(404, CODES.revisionNotFound, `Revision ${rest[2]} of container group profile '${name}' was not found.`);
    return ok(out);
  }
  if (rest.length > 1) throw noRoute(req.path);
  // Server-side apply: the display-name annotation is sent every time, or it would be dropped.
  const meta = {
    metadata: {
      name: obj,
      namespace: g.ns,
      annotations: { [DISPLAY_NAME_ANNOTATION]: current?.metadata.annotations?.[DISPLAY_NAME_ANNOTATION] ?? name },
    },
  };
  switch (req.method) {
    case 'GET':
      return ok(profileToArm(need(), sub, undefined, g.name));
    case 'PUT': {
      const spec = profileSpecFromArm(req.body);
      const applied = await write(() =>
        svc.kube.apply<Partial<ContainerGroupProfile>>('ContainerGroupProfile', g.ns, obj, { spec, ...meta }, FIELD_MANAGER),
      );
      return ok(profileToArm(applied as ContainerGroupProfile, sub, undefined, g.name), current ? 200 : 201);
    }
    case 'PATCH': {
      const cur = need();
      const spec = { ...cur.spec, ...(req.body.tags !== undefined ? { tags: req.body.tags } : {}) };
      const applied = await write(() =>
        svc.kube.apply<Partial<ContainerGroupProfile>>(
          'ContainerGroupProfile',
          g.ns,
          obj,
          { spec, ...meta } as Partial<ContainerGroupProfile>,
          FIELD_MANAGER,
        ),
      );
      return ok(profileToArm(applied as ContainerGroupProfile, sub, undefined, g.name));
    }
    case 'DELETE':
      if (!current) return { status: 204, headers: {} };
      try {
        await svc.kube.delete('ContainerGroupProfile', g.ns, obj);
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
      return { status: 200, headers: {} };
    default:
      throw methodNotAllowed(req.method);
  }
}

/** GET .../Microsoft.ContainerInstance/locations/{location}/operations|operationresults/{id} */
async function locations(req: RouteRequest, svc: ArmService, rest: string[]): Promise<ArmResponse> {
  const lc = rest.map((s) => s.toLowerCase());
  if (req.method !== 'GET') throw methodNotAllowed(req.method);
  if (rest.length !== 3 || (lc[1] !== 'operations' && lc[1] !== 'operationresults')) throw noRoute(req.path);
  const token = decodeToken(req.query.get('t'));
  if (!token || token.target.kind !== 'NGroup') throw new ArmError(404, 'OperationNotFound', `Operation ${rest[2]} was not found.`);
  const st = await ngroupStatus(svc, token, rest[2]!, req.path);
  if (lc[1] === 'operations') return ok(st, 200, isTerminalStatus(st.status) ? {} : { 'Retry-After': req.retryAfter });
  if (!isTerminalStatus(st.status)) return { status: 202, headers: req.lro(token, rest[0]!) };
  return st.status === 'Succeeded'
    ? { status: 204, headers: {} }
    : { status: 400, headers: {}, body: { error: st.error ?? { code: 'OperationFailed', message: `The operation ended ${st.status}.` } } };
}

registerRoutes(async (req, svc) => {
  const lc = req.segments.map((s) => s.toLowerCase());
  if (lc[1] !== 'microsoft.containerinstance') return undefined;
  const rest = req.segments.slice(3);
  if (lc[2] === 'ngroups') return ngroups(req, svc, rest);
  if (lc[2] === 'containergroupprofiles') return profiles(req, svc, rest);
  if (lc[2] === 'locations' && !req.rg) return locations(req, svc, rest);
  throw new ArmError(
    404,
    'InvalidResourceType',
    `The resource type '${req.segments[2]}' of Microsoft.ContainerInstance is not supported by aksim.`,
  );
});
