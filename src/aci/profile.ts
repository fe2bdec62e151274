// Pure: container group profile revisions (hash, history) and which profile changes a running
// container group cannot take in place.
import { createHash } from 'node:crypto';
import type { ContainerGroupProfile, ContainerGroupProfileSpec, ContainerGroupProfileStatus } from '../api/generated.js';

/** Revisions kept in status.revisions (oldest dropped first). */
export const MAX_REVISIONS = 100;

/** Spec fields that describe the resource rather than the container group: no new revision when they change. */
const NOT_IN_REVISION = new Set(['tags', 'location']);

/** JSON with sorted keys, so equal specs hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function revisionSpec(spec: ContainerGroupProfileSpec): ContainerGroupProfileSpec {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) if (!NOT_IN_REVISION.has(k)) out[k] = v;
  return out as unknown as ContainerGroupProfileSpec;
}

export function profileHash(spec: ContainerGroupProfileSpec): string {
  return createHash('sha256')
    .update(canonicalJson(revisionSpec(spec)))
    .digest('hex')
    .slice(0, 16);
}

export type Revision = NonNullable<ContainerGroupProfileStatus['revisions']>[number];

/**
 * The revision history after the spec is seen: undefined when the spec matches the latest
 * revision, otherwise the list with a new revision (latest + 1; the first is 1) appended.
 */
export function recordRevision(
  status: ContainerGroupProfileStatus | undefined,
  spec: ContainerGroupProfileSpec,
  nowIso: string,
): { revision: number; revisions: Revision[] } | undefined {
  const list = status?.revisions ?? [];
  const hash = profileHash(spec);
  const last = list.at(-1);
  if (last && last.hash === hash) return undefined;
  const revision = (last?.revision ?? status?.revision ?? 0) + 1;
  const revisions = [...list, { revision, hash, createdAt: nowIso, spec: revisionSpec(spec) as unknown as Revision['spec'] }].slice(
    -MAX_REVISIONS,
  );
  return { revision, revisions };
}

/** The spec of one revision (default: the latest recorded), or undefined when it is not (yet) recorded. */
export function specAtRevision(
  cgp: ContainerGroupProfile,
  revision?: number,
): { revision: number; spec: ContainerGroupProfileSpec } | undefined {
  const list = cgp.status?.revisions ?? [];
  const r = revision === undefined ? list.at(-1) : list.find((x) => x.revision === revision);
  return r ? { revision: r.revision, spec: r.spec as unknown as ContainerGroupProfileSpec } : undefined;
}

/** Leaf paths where a and b differ (objects are walked, arrays compared whole). */
function diffPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  const isObj = (x: unknown): x is Record<string, unknown> => Boolean(x) && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (canonicalJson(a ?? null) !== canonicalJson(b ?? null)) out.push(path);
}

/** Container properties a running container group may change in place (ACI container group update). */
const IN_PLACE = new Set(['image', 'command', 'environmentVariables', 'livenessProbe', 'readinessProbe']);

/**
 * The properties whose change needs the container group deleted and recreated (OS type, CPU,
 * memory, GPU, restart policy, ports and network, zones, containers added or removed...), named
 * as paths like `containers[web].resources.requests.cpu`. Empty: the change can be made in place.
 */
export function recreateProperties(from: ContainerGroupProfileSpec, to: ContainerGroupProfileSpec): string[] {
  const out: string[] = [];
  const a = revisionSpec(from) as unknown as Record<string, unknown>;
  const b = revisionSpec(to) as unknown as Record<string, unknown>;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'containers') continue;
    diffPaths(a[k], b[k], k, out);
  }
  const ca = new Map(from.containers.map((c) => [c.name, c]));
  const cb = new Map(to.containers.map((c) => [c.name, c]));
  for (const name of new Set([...ca.keys(), ...cb.keys()])) {
    const x = ca.get(name);
    const y = cb.get(name);
    if (!x || !y) {
      out.push(`containers[${name}]`);
      continue;
    }
    const paths: string[] = [];
    diffPaths(x, y, '', paths);
    for (const p of paths) if (!IN_PLACE.has(p.split('.')[0]!)) out.push(`containers[${name}].${p}`);
  }
  return out.sort();
}
