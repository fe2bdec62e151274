// ARM routes of Microsoft.ContainerInstance (2026-06-01-preview): ngroups, containerGroupProfiles
// and their revisions, latestRollingUpdate and cancelRollingUpdate. Registered on the shared
// router, so `aksim serve` and `aksim rest` answer them alike.
import type { ContainerGroupProfile, NGroup, NGroupSpec } from '../api/generated.js';
import { ArmError, notFound } from '../arm/errors.js';
import { registerRoutes, type ArmResponse } from '../arm/router.js';
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
  ngroupSpecFromArm,
  ngroupToArm,
  profileRevisionsToArm,
  profileSpecFromArm,
  profileToArm,
} from './arm.js';

type Json = Record<string, unknown>;
const FIELD_MANAGER = 'aksim-arm';
const ok = (body: unknown, status = 200): ArmResponse => ({ status, headers: {}, body });
const methodNotAllowed = (m: string): ArmError => new ArmError(405, 'MethodNotAllowed', `The method ${m} is not allowed on this resource.`);

async function namespaces(svc: ArmService, rg: string | undefined): Promise<string[]> {
  if (rg) {
    await svc.ensureResourceGroup(rg);
    return [rg];
  }
  return (await svc.kube.listNamespaces()).map((n) => n.metadata!.name!);
}

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

async function ngroups(svc: ArmService, method: string, rg: string | undefined, rest: string[], body: Json): Promise<ArmResponse> {
  const sub = svc.subscriptionId;
  const [name, action] = [rest[0], rest[1]?.toLowerCase()];
  if (!name) {
    if (method !== 'GET') throw methodNotAllowed(method);
    const out: Json[] = [];
    for (const ns of await namespaces(svc, rg)) for (const ng of await svc.kube.list<NGroup>('NGroup', ns)) out.push(ngroupToArm(ng, sub));
    return ok(listToArm(out));
  }
  if (!rg) throw new ArmError(404, 'InvalidResourceType', 'NGroups are addressed within a resource group.');
  await svc.ensureResourceGroup(rg);
  const current = await svc.kube.get<NGroup>('NGroup', rg, name);
  const need = (): NGroup => {
    if (!current) throw notFound('Microsoft.ContainerInstance/ngroups', name, rg);
    return current;
  };
  if (action === 'latestrollingupdate') {
    if (method !== 'GET') throw methodNotAllowed(method);
    const ru = latestRollingUpdateToArm(need());
    if (!ru) throw new ArmError(404, CODES.noRollingUpdate, `NGroup '${name}' has had no rolling update.`);
    return ok(ru);
  }
  if (action === 'cancelrollingupdate') {
    if (method !== 'POST') throw methodNotAllowed(method);
    await svc.kube.patch('NGroup', rg, name, cancelRollingUpdatePatch(need(), new Date(wallNow()).toISOString()));
    return { status: 202, headers: {} };
  }
  if (action) throw new ArmError(400, 'NotSupported', `The action '${rest[1]}' is not supported by aksim.`);
  switch (method) {
    case 'GET':
      return ok(ngroupToArm(need(), sub));
    case 'PUT':
    case 'PATCH': {
      const next = (method === 'PATCH' ? mergeNGroupPatch(need().spec, body) : ngroupSpecFromArm(body)) as NGroupSpec;
      if (current) {
        const refusal = checkNGroupUpdate(current.spec, next);
        if (refusal) throw refusal;
      }
      const applied = await write(() => svc.kube.apply<Partial<NGroup>>('NGroup', rg, name, { spec: next }, FIELD_MANAGER));
      return ok(ngroupToArm(applied as NGroup, sub), current ? 200 : 201);
    }
    case 'DELETE':
      if (!current) return { status: 204, headers: {} };
      await svc.kube.delete('NGroup', rg, name);
      return { status: 202, headers: { Location: `https://management.azure.com${ngroupToArm(current, sub).id}?api-version=2026-06-01-preview` } };
    default:
      throw methodNotAllowed(method);
  }
}

async function profiles(svc: ArmService, method: string, rg: string | undefined, rest: string[], body: Json): Promise<ArmResponse> {
  const sub = svc.subscriptionId;
  const name = rest[0];
  if (!name) {
    if (method !== 'GET') throw methodNotAllowed(method);
    const out: Json[] = [];
    for (const ns of await namespaces(svc, rg)) for (const p of await svc.kube.list<ContainerGroupProfile>('ContainerGroupProfile', ns)) out.push(profileToArm(p, sub) ?? {});
    return ok(listToArm(out));
  }
  if (!rg) throw new ArmError(404, 'InvalidResourceType', 'Container group profiles are addressed within a resource group.');
  await svc.ensureResourceGroup(rg);
  const current = await svc.kube.get<ContainerGroupProfile>('ContainerGroupProfile', rg, name);
  const need = (): ContainerGroupProfile => {
    if (!current) throw new ArmError(404, CODES.profileNotFound, `The container group profile '${name}' under resource group '${rg}' was not found.`);
    return current;
  };
  if (rest[1]?.toLowerCase() === 'revisions') {
    if (method !== 'GET') throw methodNotAllowed(method);
    if (!rest[2]) return ok(profileRevisionsToArm(need(), sub));
    const rev = Number(rest[2]);
    const out = Number.isInteger(rev) ? profileToArm(need(), sub, rev) : undefined;
    if (!out) throw new ArmError(404, CODES.revisionNotFound, `Revision ${rest[2]} of container group profile '${name}' was not found.`);
    return ok(out);
  }
  switch (method) {
    case 'GET':
      return ok(profileToArm(need(), sub));
    case 'PUT': {
      const spec = profileSpecFromArm(body);
      const applied = await write(() => svc.kube.apply<Partial<ContainerGroupProfile>>('ContainerGroupProfile', rg, name, { spec }, FIELD_MANAGER));
      return ok(profileToArm(applied as ContainerGroupProfile, sub), current ? 200 : 201);
    }
    case 'PATCH': {
      const cur = need();
      const spec = { ...cur.spec, ...(body.tags !== undefined ? { tags: body.tags } : {}) };
      const applied = await write(() => svc.kube.apply<Partial<ContainerGroupProfile>>('ContainerGroupProfile', rg, name, { spec } as Partial<ContainerGroupProfile>, FIELD_MANAGER));
      return ok(profileToArm(applied as ContainerGroupProfile, sub));
    }
    case 'DELETE':
      if (!current) return { status: 204, headers: {} };
      try {
        await svc.kube.delete('ContainerGroupProfile', rg, name);
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
      return { status: 200, headers: {} };
    default:
      throw methodNotAllowed(method);
  }
}

registerRoutes(async (req, svc) => {
  const lc = req.segments.map((s) => s.toLowerCase());
  if (lc[0] !== 'providers' || lc[1] !== 'microsoft.containerinstance') return undefined;
  const rest = req.segments.slice(3);
  if (lc[2] === 'ngroups') return ngroups(svc, req.method, req.rg, rest, req.body);
  if (lc[2] === 'containergroupprofiles') return profiles(svc, req.method, req.rg, rest, req.body);
  throw new ArmError(404, 'InvalidResourceType', `The resource type '${req.segments[2]}' of Microsoft.ContainerInstance is not supported by aksim.`);
});
