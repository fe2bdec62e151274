// ARM resource ids of ACI resources (NGroups, container group profiles, container groups): build and parse.
import { parseArmId } from '../azure/ids.js';

export const ACI_PROVIDER = 'Microsoft.ContainerInstance';
export const NGROUP_TYPE = `${ACI_PROVIDER}/ngroups`;
export const PROFILE_TYPE = `${ACI_PROVIDER}/containerGroupProfiles`;
export const CONTAINER_GROUP_TYPE = `${ACI_PROVIDER}/containerGroups`;

const rgBase = (sub: string, rg: string): string => `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ACI_PROVIDER}`;

export const ngroupId = (sub: string, rg: string, name: string): string => `${rgBase(sub, rg)}/ngroups/${name}`;
export const profileId = (sub: string, rg: string, name: string): string => `${rgBase(sub, rg)}/containerGroupProfiles/${name}`;
export const containerGroupId = (sub: string, rg: string, name: string): string => `${rgBase(sub, rg)}/containerGroups/${name}`;

export interface AciRef {
  subscription: string;
  resourceGroup: string;
  name: string;
}

/** Parses an id of one ACI resource type (`ngroups`, `containerGroupProfiles`, `containerGroups`), case-insensitively. */
export function parseAciId(id: string, type: 'ngroups' | 'containerGroupProfiles' | 'containerGroups'): AciRef | undefined {
  const p = parseArmId(id);
  if (!p || p.provider.toLowerCase() !== ACI_PROVIDER.toLowerCase() || p.types.length !== 1) return undefined;
  const t = p.types[0]!;
  if (t.type.toLowerCase() !== type.toLowerCase()) return undefined;
  return { subscription: p.subscription, resourceGroup: p.resourceGroup, name: t.name };
}

/**
 * Where a containerGroupProfiles[].resource.id points: an ARM id (its resource group is the
 * namespace) or a plain profile name in the NGroup's own namespace. undefined when it is neither.
 */
export function profileRefOf(idOrName: string, namespace: string): { namespace: string; name: string } | undefined {
  if (idOrName.includes('/')) {
    const p = parseAciId(idOrName, 'containerGroupProfiles');
    return p ? { namespace: p.resourceGroup.toLowerCase(), name: p.name.toLowerCase() } : undefined;
  }
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(idOrName) ? { namespace, name: idOrName } : undefined;
}
