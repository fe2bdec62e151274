// ARM resource ids for AKS clusters, agent pools, operations and snapshots: build and parse.

import { createHash } from 'node:crypto';

const CONTAINER_SERVICE = 'microsoft.containerservice';

/**
 * Azure names keep the case the user gave (lookups ignore case); Kubernetes names are lowercase.
 * Objects made through the ARM layer carry the given name in this annotation.
 */
export const DISPLAY_NAME_ANNOTATION = 'aksim.io/name';

/** On a SimCluster made through ARM: its resource group's name as the user gave it (AKS puts it in node labels). */
export const RESOURCE_GROUP_ANNOTATION = 'aksim.io/resource-group';

/** The name as the user gave it: the annotation when it matches the object's name, else the object's name. */
export function displayName(obj: { metadata?: { name?: string; annotations?: Record<string, string> } }): string {
  const name = obj.metadata?.name ?? '';
  const given = obj.metadata?.annotations?.[DISPLAY_NAME_ANNOTATION];
  return given && given.toLowerCase() === name.toLowerCase() ? given : name;
}

/** A GUID that is always the same for the same seed (identity ids and the like). */
export function guidFrom(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
const ARM_HOST = /^https:\/\/management\.azure\.com(?=\/)/i;

export function clusterId(sub: string, rg: string, cluster: string): string {
  // The az CLI prints `resourcegroups` in lowercase for managed clusters.
  return `/subscriptions/${sub}/resourcegroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}`;
}

export function agentPoolId(sub: string, rg: string, cluster: string, pool: string): string {
  return `${clusterId(sub, rg, cluster)}/agentPools/${pool}`;
}

export function operationId(resourceId: string, opName: string): string {
  return `${resourceId}/operations/${opName}`;
}

export function snapshotId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/snapshots/${name}`;
}

export interface ParsedId {
  subscription: string;
  resourceGroup: string;
  provider: string;
  types: { type: string; name: string }[];
}

/**
 * Parses `/subscriptions/S/resourceGroups/RG/providers/NS/type/name[/type/name...]`.
 * Fixed segments match case-insensitively; an optional `https://management.azure.com` prefix,
 * a query string and one trailing slash are accepted. Returns undefined when malformed.
 */
export function parseArmId(id: string): ParsedId | undefined {
  let path = id.trim().replace(ARM_HOST, '');
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  if (!path.startsWith('/')) return undefined;
  if (path.endsWith('/')) path = path.slice(0, -1);
  const segs = path.slice(1).split('/');
  if (segs.some((s) => s === '')) return undefined;
  const [s0, subscription, s2, resourceGroup, s4, provider, ...rest] = segs;
  if (s0?.toLowerCase() !== 'subscriptions' || s2?.toLowerCase() !== 'resourcegroups') return undefined;
  if (s4?.toLowerCase() !== 'providers') return undefined;
  if (!subscription || !resourceGroup || !provider) return undefined;
  if (rest.length === 0 || rest.length % 2 !== 0) return undefined;
  const types: { type: string; name: string }[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    types.push({ type: rest[i] ?? '', name: rest[i + 1] ?? '' });
  }
  return { subscription, resourceGroup, provider, types };
}

function containerServiceTypes(id: string, expected: string[]): (ParsedId & { names: string[] }) | undefined {
  const p = parseArmId(id);
  if (!p || p.provider.toLowerCase() !== CONTAINER_SERVICE) return undefined;
  if (p.types.length !== expected.length) return undefined;
  const names: string[] = [];
  for (const [i, t] of p.types.entries()) {
    if (t.type.toLowerCase() !== expected[i]) return undefined;
    names.push(t.name);
  }
  return { ...p, names };
}

export function parseClusterId(id: string): { subscription: string; resourceGroup: string; cluster: string } | undefined {
  const p = containerServiceTypes(id, ['managedclusters']);
  const cluster = p?.names[0];
  if (!p || cluster === undefined) return undefined;
  return { subscription: p.subscription, resourceGroup: p.resourceGroup, cluster };
}

export function parseAgentPoolId(id: string): { subscription: string; resourceGroup: string; cluster: string; pool: string } | undefined {
  const p = containerServiceTypes(id, ['managedclusters', 'agentpools']);
  const cluster = p?.names[0];
  const pool = p?.names[1];
  if (!p || cluster === undefined || pool === undefined) return undefined;
  return { subscription: p.subscription, resourceGroup: p.resourceGroup, cluster, pool };
}

/** A cluster's resource group as the user gave it (the annotation when it names the namespace), else the namespace. */
export function displayResourceGroup(obj: { metadata?: { namespace?: string; annotations?: Record<string, string> } }): string {
  const ns = obj.metadata?.namespace ?? '';
  const given = obj.metadata?.annotations?.[RESOURCE_GROUP_ANNOTATION];
  return given && given.toLowerCase() === ns ? given : ns;
}
