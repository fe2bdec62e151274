// Pure conversion between aksim's NGroup / ContainerGroupProfile objects and the ARM JSON of
// Microsoft.ContainerInstance (api-version 2026-06-01-preview), for `aksim rest` and `aksim serve`.
// Input is accepted as Azure accepts it (percents as 20, "20" or "20%"); errors are ARM error
// bodies with ACI-like codes.
import type { ContainerGroupProfile, ContainerGroupProfileSpec, NGroup, NGroupSpec } from '../api/generated.js';
import { displayName } from '../azure/ids.js';
import { durationMs } from '../runtime/duration.js';
import { NGROUP_TYPE, PROFILE_TYPE, ngroupId, profileId, profileRefOf } from './ids.js';
import { specAtRevision } from './profile.js';

export const API_VERSION = '2026-06-01-preview';

/** The annotations the REST layer writes for POST actions (read by controllers/ngroup). */
export const ANNOTATIONS = {
  cancelRollingUpdate: 'aksim.io/cancel-rolling-update',
  updateContainerGroups: 'aksim.io/update-container-groups',
  fault: 'aksim.io/fault',
} as const;

export { ArmError, armError, type ArmErrorBody } from '../arm/errors.js';
import { ArmError } from '../arm/errors.js';

export const CODES = {
  invalid: 'InvalidRequestContent',
  badRequest: 'BadRequest',
  notFound: 'ResourceNotFound',
  profileNotFound: 'ContainerGroupProfileNotFound',
  revisionNotFound: 'ContainerGroupProfileRevisionNotFound',
  noRollingUpdate: 'RollingUpdateNotFound',
  rollingUpdateNotInProgress: 'NoRollingUpdateInProgress',
  notAllowed: 'OperationNotAllowed',
  faultDomainImmutable: 'FaultDomainCountImmutable',
  zonesRemoved: 'ZonesCannotBeRemoved',
} as const;

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => Boolean(x) && typeof x === 'object' && !Array.isArray(x);
const bad = (message: string, target?: string): ArmError => new ArmError(400, CODES.invalid, message, target);
const drop = <T extends Json>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** A percent given as 20, "20" or "20%"; throws ArmError 400 naming the field otherwise. */
export function percent(v: unknown, field: string, min = 0): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.0+)?\s*%?\s*$/.test(v) ? parseFloat(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > 100)
    throw bad(`The value of '${field}' must be an integer percent from ${min} to 100, got ${JSON.stringify(v)}.`, field);
  return n;
}

function int(v: unknown, field: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    throw bad(`The value of '${field}' must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}.`, field);
  return n;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw bad(`The value of '${field}' must be a string.`, field);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw bad(`The value of '${field}' must be true or false.`, field);
}

function tagsOf(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw bad("The value of 'tags' must be an object.", 'tags');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function zonesOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((z) => !['1', '2', '3'].includes(String(z))))
    throw bad("The value of 'zones' must be a list of zones '1', '2' or '3'.", 'zones');
  return v.map(String);
}

// ------------------------------------------------------------------------------------------
// NGroups

/**
 * The NGroup spec an ARM PUT body asks for (`namespace` is the resource group, for resolving
 * profile ids). Throws ArmError 400 for a malformed body. With `partial` (PATCH), only the fields
 * present are returned, for mergeNGroupPatch.
 */
export function ngroupSpecFromArm(body: unknown, opts: { partial?: boolean } = {}): Partial<NGroupSpec> {
  if (!isObj(body)) throw bad('The request content must be a JSON object.');
  const props = body.properties ?? {};
  if (!isObj(props)) throw bad("The value of 'properties' must be an object.", 'properties');
  const spec: Partial<NGroupSpec> = {};
  if (body.location !== undefined) spec.location = str(body.location, 'location');
  else if (!opts.partial) spec.location = 'eastus';
  const zones = zonesOf(body.zones);
  if (zones) spec.zones = zones as NGroupSpec['zones'];
  const tags = tagsOf(body.tags);
  if (tags) spec.tags = tags;
  const ep = props.elasticProfile;
  if (ep !== undefined && ep !== null) {
    if (!isObj(ep)) throw bad("The value of 'properties.elasticProfile' must be an object.", 'properties.elasticProfile');
    const e: NonNullable<NGroupSpec['elasticProfile']> = {};
    if (ep.desiredCount !== undefined) e.desiredCount = int(ep.desiredCount, 'properties.elasticProfile.desiredCount', 0, 5000);
    if (ep.maintainDesiredCount !== undefined)
      e.maintainDesiredCount = bool(ep.maintainDesiredCount, 'properties.elasticProfile.maintainDesiredCount');
    const prefix = (ep.containerGroupNamingPolicy as Json | undefined)?.guidNamingPolicy as Json | undefined;
    if (prefix?.prefix !== undefined) {
      const p = str(prefix.prefix, 'properties.elasticProfile.containerGroupNamingPolicy.guidNamingPolicy.prefix');
      if (!/^([a-z0-9][-a-z0-9]*)?$/.test(p) || p.length > 26)
        throw bad(
          `The container group name prefix '${p}' must be at most 26 lowercase letters, digits and hyphens, starting with a letter or digit.`,
          'prefix',
        );
      e.containerGroupNamingPolicy = { guidNamingPolicy: { prefix: p } };
    }
    spec.elasticProfile = e;
  }
  const pp = props.placementProfile;
  if (isObj(pp) && pp.faultDomainCount !== undefined)
    spec.placementProfile = { faultDomainCount: int(pp.faultDomainCount, 'properties.placementProfile.faultDomainCount', 1, 3) };
  const cgps = props.containerGroupProfiles;
  if (cgps !== undefined && cgps !== null) {
    if (!Array.isArray(cgps))
      throw bad("The value of 'properties.containerGroupProfiles' must be an array.", 'properties.containerGroupProfiles');
    if (cgps.length > 1) throw bad('aksim supports one container group profile per NGroup.', 'properties.containerGroupProfiles');
    spec.containerGroupProfiles = cgps.map((c: unknown, i) => {
      const id = isObj(c) && isObj(c.resource) ? c.resource.id : undefined;
      const field = `properties.containerGroupProfiles[${i}].resource.id`;
      if (typeof id !== 'string' || !profileRefOf(id, 'x'))
        throw bad(`The value of '${field}' must be a containerGroupProfiles resource id.`, field);
      const rev = (c as Json).revision;
      return drop({
        resource: { id },
        revision:
          rev === undefined || rev === null ? undefined : int(rev, `properties.containerGroupProfiles[${i}].revision`, 1, 2 ** 31 - 1),
      });
    });
  }
  const up = props.updateProfile;
  if (isObj(up)) {
    const u: NonNullable<NGroupSpec['updateProfile']> = {};
    if (up.updateMode !== undefined) {
      if (up.updateMode !== 'Manual' && up.updateMode !== 'Rolling')
        throw bad(
          `The value of 'properties.updateProfile.updateMode' must be Manual or Rolling, got ${JSON.stringify(up.updateMode)}.`,
          'properties.updateProfile.updateMode',
        );
      u.updateMode = up.updateMode;
    }
    const r = up.rollingUpdateProfile;
    if (isObj(r)) {
      const f = 'properties.updateProfile.rollingUpdateProfile';
      const rp: NonNullable<NonNullable<NGroupSpec['updateProfile']>['rollingUpdateProfile']> = {};
      if (r.maxBatchPercent !== undefined && r.maxBatchPercent !== null)
        rp.maxBatchPercent = percent(r.maxBatchPercent, `${f}.maxBatchPercent`, 1);
      if (r.maxUnhealthyPercent !== undefined && r.maxUnhealthyPercent !== null)
        rp.maxUnhealthyPercent = percent(r.maxUnhealthyPercent, `${f}.maxUnhealthyPercent`);
      if (r.maxUnhealthyUpdatedPercent !== undefined && r.maxUnhealthyUpdatedPercent !== null)
        rp.maxUnhealthyUpdatedPercent = percent(r.maxUnhealthyUpdatedPercent, `${f}.maxUnhealthyUpdatedPercent`);
      if (r.pauseTimeBetweenBatches !== undefined && r.pauseTimeBetweenBatches !== null) {
        const d = str(r.pauseTimeBetweenBatches, `${f}.pauseTimeBetweenBatches`);
        try {
          durationMs(d);
        } catch {
          throw bad(
            `The value of '${f}.pauseTimeBetweenBatches' must be an ISO 8601 duration such as PT1M, got ${JSON.stringify(d)}.`,
            `${f}.pauseTimeBetweenBatches`,
          );
        }
        rp.pauseTimeBetweenBatches = d;
      }
      if (r.inPlaceUpdate !== undefined) rp.inPlaceUpdate = r.inPlaceUpdate === null ? null : bool(r.inPlaceUpdate, `${f}.inPlaceUpdate`);
      u.rollingUpdateProfile = rp;
    }
    spec.updateProfile = u;
  }
  if (!opts.partial) {
    spec.elasticProfile ??= {};
    spec.updateProfile ??= {};
  }
  return spec;
}

/** The full spec after an ARM PATCH body is applied to the current one (objects merge, lists replace). */
export function mergeNGroupPatch(current: NGroupSpec, body: unknown): NGroupSpec {
  const patch = ngroupSpecFromArm(body, { partial: true });
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isObj(a) || !isObj(b)) return b === undefined ? a : b;
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  };
  return merge(current, patch) as NGroupSpec;
}

/**
 * Refuses a PUT/PATCH that changes what cannot change (the CRD's CEL rules say the same; this
 * gives the ARM error before the API server is asked). Returns undefined when allowed.
 */
export function checkNGroupUpdate(current: NGroupSpec, next: NGroupSpec): ArmError | undefined {
  const fd = (s: NGroupSpec): number => s.placementProfile?.faultDomainCount ?? 1;
  if (fd(current) !== fd(next))
    return new ArmError(
      400,
      CODES.faultDomainImmutable,
      'placementProfile.faultDomainCount can only be set when the NGroup is created.',
      'properties.placementProfile.faultDomainCount',
    );
  const removed = (current.zones ?? []).filter((z) => !(next.zones ?? []).includes(z));
  if (removed.length > 0)
    return new ArmError(
      400,
      CODES.zonesRemoved,
      `Zones can be added to an NGroup but not removed (removed: ${removed.join(', ')}).`,
      'zones',
    );
  return undefined;
}

/** ARM JSON of an NGroup (GET, PUT and PATCH responses, list items). */
export function ngroupToArm(ng: NGroup, subscriptionId: string, rg = ng.metadata.namespace!): Json {
  const s = ng.spec;
  const ns = ng.metadata.namespace!;
  const ep = s.elasticProfile ?? {};
  const up = s.updateProfile ?? {};
  const properties: Json = drop({
    elasticProfile: drop({
      desiredCount: ep.desiredCount ?? 0,
      maintainDesiredCount: ep.maintainDesiredCount,
      containerGroupNamingPolicy: ep.containerGroupNamingPolicy,
    }),
    placementProfile: s.placementProfile,
    containerGroupProfiles: (s.containerGroupProfiles ?? []).map((c) => {
      const ref = profileRefOf(c.resource.id, ns);
      return drop({ resource: { id: ref ? profileId(subscriptionId, ref.namespace, ref.name) : c.resource.id }, revision: c.revision });
    }),
    updateProfile: drop({ updateMode: up.updateMode ?? 'Manual', rollingUpdateProfile: up.rollingUpdateProfile }),
    provisioningState: ng.status?.provisioningState ?? 'Creating',
  });
  return drop({
    id: ngroupId(subscriptionId, rg, displayName(ng)),
    name: displayName(ng),
    type: NGROUP_TYPE,
    location: s.location ?? 'eastus',
    tags: s.tags && Object.keys(s.tags).length > 0 ? s.tags : undefined,
    zones: s.zones && s.zones.length > 0 ? s.zones : undefined,
    properties,
  });
}

/**
 * GET {ngroupId}/latestRollingUpdate. undefined when the NGroup never ran one (answer 404 with
 * CODES.noRollingUpdate). Counts are of container groups; times are ISO 8601 UTC.
 */
export function latestRollingUpdateToArm(ng: NGroup): Json | undefined {
  const ru = ng.status?.latestRollingUpdate;
  if (!ru) return undefined;
  return drop({
    id: ru.id,
    containerGroupProfile: drop({ resource: { id: ru.profile?.id }, revision: ru.profile?.revision }),
    updateType: ru.inPlace ? 'InPlace' : 'Replace',
    state: ru.state,
    batchesCompleted: ru.batchesCompleted ?? 0,
    totalBatches: ru.totalBatches,
    currentBatch: ru.currentBatch
      ? drop({
          index: ru.currentBatch.index,
          phase: ru.currentBatch.phase,
          containerGroupCount: ru.currentBatch.members?.length ?? 0,
          faultDomain: ru.currentBatch.faultDomain,
        })
      : undefined,
    succeededCount: ru.succeededCount ?? 0,
    failedCount: ru.failedCount ?? 0,
    pendingCount: ru.pendingCount ?? 0,
    startTime: ru.startTime,
    endTime: ru.endTime,
    error: ru.error,
    lastAction: ru.lastAction,
    lastActionTime: ru.lastActionTime,
  });
}

/**
 * POST {ngroupId}/cancelRollingUpdate: the merge patch to apply to the NGroup (an annotation the
 * controller acts on once). Throws ArmError 409 when no rolling update is in progress.
 */
export function cancelRollingUpdatePatch(ng: NGroup, nowIso: string): Json {
  if (ng.status?.latestRollingUpdate?.state !== 'InProgress') {
    throw new ArmError(409, CODES.rollingUpdateNotInProgress, `NGroup '${ng.metadata.name}' has no rolling update in progress to cancel.`);
  }
  return { metadata: { annotations: { [ANNOTATIONS.cancelRollingUpdate]: nowIso } } };
}

/**
 * POST {ngroupId}/stop|start|restart: the merge patch to apply to the NGroup's spec (undefined when
 * there is nothing to change: a stop of a stopped NGroup, a start of a running one). Throws
 * ArmError 409 when the NGroup cannot take it now.
 */
export function powerPatch(ng: NGroup, action: 'stop' | 'start' | 'restart'): Json | undefined {
  const name = displayName(ng);
  const stopped = ng.spec.powerState === 'Stopped';
  if (action !== 'start' && ng.status?.latestRollingUpdate?.state === 'InProgress')
    throw new ArmError(
      409,
      CODES.notAllowed,
      `NGroup '${name}' has a rolling update in progress; cancel it (cancelRollingUpdate) or wait for it to end before ${action === 'stop' ? 'stopping' : 'restarting'}.`,
    );
  if (action === 'restart' && stopped)
    throw new ArmError(409, CODES.notAllowed, `NGroup '${name}' is stopped; start it instead of restarting it.`);
  if (action === 'restart') return { spec: { restartRequests: (ng.spec.restartRequests ?? 0) + 1 } };
  const want = action === 'stop' ? 'Stopped' : 'Running';
  return (ng.spec.powerState ?? 'Running') === want ? undefined : { spec: { powerState: want } };
}

// ------------------------------------------------------------------------------------------
// Container group profiles

function containerFromArm(c: unknown, i: number): ContainerGroupProfileSpec['containers'][number] {
  const f = `properties.containers[${i}]`;
  if (!isObj(c) || typeof c.name !== 'string' || !isObj(c.properties)) throw bad(`'${f}' must have a name and properties.`, f);
  const p = c.properties;
  if (typeof p.image !== 'string' || !p.image)
    throw bad(`The value of '${f}.properties.image' must be an image reference.`, `${f}.properties.image`);
  const req = isObj(p.resources) && isObj(p.resources.requests) ? p.resources.requests : undefined;
  if (!req || typeof req.cpu !== 'number' || typeof req.memoryInGB !== 'number')
    throw bad(`'${f}.properties.resources.requests' must give cpu and memoryInGB.`, `${f}.properties.resources.requests`);
  const { instanceView: _iv, securityContext: _sc, configMap: _cm, ...rest } = p;
  return { name: c.name, ...(rest as Omit<ContainerGroupProfileSpec['containers'][number], 'name'>) };
}

/** Read-only or ACI-assigned fields that a PUT body may carry but the spec does not keep. */
const PROFILE_READ_ONLY = new Set(['revision', 'registeredRevisions', 'provisioningState', 'instanceView']);

/** The ContainerGroupProfile spec an ARM PUT body asks for; throws ArmError 400 when malformed. */
export function profileSpecFromArm(body: unknown): ContainerGroupProfileSpec {
  if (!isObj(body) || !isObj(body.properties)) throw bad("The request content must be a JSON object with 'properties'.");
  const p = body.properties;
  if (!Array.isArray(p.containers) || p.containers.length === 0)
    throw bad("'properties.containers' must list at least one container.", 'properties.containers');
  const out: Json = {};
  for (const [k, v] of Object.entries(p)) if (!PROFILE_READ_ONLY.has(k) && k !== 'containers' && v !== null) out[k] = v;
  out.containers = p.containers.map(containerFromArm);
  if (p.osType !== 'Linux' && p.osType !== 'Windows')
    throw bad(
      `The value of 'properties.osType' is required and must be Linux or Windows, got ${JSON.stringify(p.osType)}.`,
      'properties.osType',
    );

  if (isObj(out.ipAddress)) {
    const { ip: _ip, fqdn: _fqdn, ...ipa } = out.ipAddress;
    out.ipAddress = ipa;
  }
  if (body.location !== undefined) out.location = str(body.location, 'location');
  const zones = zonesOf(body.zones);
  if (zones) out.zones = zones;
  const tags = tagsOf(body.tags);
  if (tags) out.tags = tags;
  return out as unknown as ContainerGroupProfileSpec;
}

/** Secrets ARM never returns: secure env values, storage keys, secret volume contents, workspace keys. */
function redact(spec: Json): Json {
  const out = structuredClone(spec);
  for (const c of (out.containers as Json[] | undefined) ?? []) {
    const p = c.properties as Json;
    for (const e of (p.environmentVariables as Json[] | undefined) ?? []) delete e.secureValue;
  }
  for (const v of (out.volumes as Json[] | undefined) ?? []) {
    if (isObj(v.azureFile)) delete v.azureFile.storageAccountKey;
    if (isObj(v.secret)) v.secret = {};
  }
  const la = isObj(out.diagnostics) ? (out.diagnostics.logAnalytics as Json | undefined) : undefined;
  if (la) {
    delete la.workspaceKey;
    delete la.workspaceResourceId;
  }
  for (const c of (out.imageRegistryCredentials as Json[] | undefined) ?? []) delete c.password;
  return out;
}

/** ARM JSON of a profile at one revision (default: the current one). undefined when that revision is unknown. */
export function profileToArm(
  cgp: ContainerGroupProfile,
  subscriptionId: string,
  revision?: number,
  rg = cgp.metadata.namespace!,
): Json | undefined {
  const at = revision === undefined ? { revision: cgp.status?.revision ?? 0, spec: cgp.spec } : specAtRevision(cgp, revision);
  if (!at) return undefined;
  const { location: _l, zones: _z, tags: _t, containers, ...rest } = at.spec;
  const properties: Json = {
    ...rest,
    containers: containers.map(({ name, ...p }) => ({ name, properties: p })),
    revision: at.revision,
  };
  return drop({
    id: profileId(subscriptionId, rg, displayName(cgp)),
    name: displayName(cgp),
    type: PROFILE_TYPE,
    location: cgp.spec.location ?? 'eastus',
    tags: cgp.spec.tags && Object.keys(cgp.spec.tags).length > 0 ? cgp.spec.tags : undefined,
    zones: cgp.spec.zones && cgp.spec.zones.length > 0 ? cgp.spec.zones : undefined,
    properties: redact(properties),
  });
}

/** GET .../containerGroupProfiles/{name}/revisions: every kept revision, oldest first. */
export function profileRevisionsToArm(cgp: ContainerGroupProfile, subscriptionId: string, rg = cgp.metadata.namespace!): { value: Json[] } {
  return { value: (cgp.status?.revisions ?? []).map((r) => profileToArm(cgp, subscriptionId, r.revision, rg)!).filter(Boolean) };
}

/** A list response. */
export function listToArm(items: Json[]): { value: Json[] } {
  return { value: items };
}
