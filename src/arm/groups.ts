// ARM's own plumbing that clients call around the providers: subscriptions, tenants, locations,
// resource providers (get, register) and resource groups (namespaces). Resource group deletion is
// a long-running operation polled at /subscriptions/{sub}/operationresults/{id}.
import type { V1Namespace } from '@kubernetes/client-node';
import { DISPLAY_NAME_ANNOTATION } from '../azure/ids.js';
import { isConflict, isNotFound } from '../runtime/kube-api.js';
import { API_VERSIONS } from './apiversions.js';
import { ArmError, rgNotFound } from './errors.js';
import { groupOf, nsOf, RG_LABEL, RG_LOCATION_ANNOTATION, RG_TAGS_ANNOTATION, tagsField, type ArmService, type Group } from './service.js';

type Json = Record<string, unknown>;

/** Regions the simulated subscription offers. */
export const LOCATIONS: { name: string; displayName: string; geography: string }[] = [
  { name: 'eastus', displayName: 'East US', geography: 'United States' },
  { name: 'eastus2', displayName: 'East US 2', geography: 'United States' },
  { name: 'westus2', displayName: 'West US 2', geography: 'United States' },
  { name: 'westus3', displayName: 'West US 3', geography: 'United States' },
  { name: 'centralus', displayName: 'Central US', geography: 'United States' },
  { name: 'northeurope', displayName: 'North Europe', geography: 'Europe' },
  { name: 'westeurope', displayName: 'West Europe', geography: 'Europe' },
  { name: 'uksouth', displayName: 'UK South', geography: 'United Kingdom' },
  { name: 'brazilsouth', displayName: 'Brazil South', geography: 'Brazil' },
  { name: 'japaneast', displayName: 'Japan East', geography: 'Japan' },
  { name: 'australiaeast', displayName: 'Australia East', geography: 'Australia' },
];

export const SUBSCRIPTION_NAME = 'aksim simulated subscription';

export function subscriptionJson(sub: string, tenantId: string): Json {
  return {
    id: `/subscriptions/${sub}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub,
    tenantId,
    displayName: SUBSCRIPTION_NAME,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
  };
}

export function locationsJson(sub: string): Json {
  return {
    value: LOCATIONS.map((l) => ({
      id: `/subscriptions/${sub}/locations/${l.name}`,
      name: l.name,
      displayName: l.displayName,
      regionalDisplayName: `(${l.geography}) ${l.displayName}`,
      type: 'Region',
      metadata: { regionType: 'Physical', regionCategory: 'Recommended', geography: l.geography },
    })),
  };
}

/** The resource types each simulated provider registers, with the api-versions it accepts. */
const PROVIDERS: Record<string, { namespace: string; types: { resourceType: string; family: keyof typeof API_VERSIONS }[] }> = {
  'microsoft.containerservice': {
    namespace: 'Microsoft.ContainerService',
    types: [
      'managedClusters',
      'managedClusters/agentPools',
      'managedClusters/agentPools/machines',
      'snapshots',
      'locations',
      'locations/operations',
      'locations/operationresults',
      'locations/kubernetesVersions',
      'locations/orchestrators',
    ].map((resourceType) => ({ resourceType, family: 'containerservice' as const })),
  },
  'microsoft.containerinstance': {
    namespace: 'Microsoft.ContainerInstance',
    types: ['ngroups', 'containerGroupProfiles', 'locations', 'locations/operations', 'locations/operationresults'].map((resourceType) => ({
      resourceType,
      family: 'containerinstance' as const,
    })),
  },
  'microsoft.resources': {
    namespace: 'Microsoft.Resources',
    types: ['subscriptions', 'resourceGroups', 'providers', 'tenants', 'operationresults', 'locations'].map((resourceType) => ({
      resourceType,
      family: 'resources' as const,
    })),
  },
};

export function providerJson(sub: string, ns: string): Json {
  const p = PROVIDERS[ns.toLowerCase()];
  if (!p) throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
  return {
    id: `/subscriptions/${sub}/providers/${p.namespace}`,
    namespace: p.namespace,
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: p.types.map((t) => ({
      resourceType: t.resourceType,
      locations: t.resourceType.startsWith('locations') || p.namespace === 'Microsoft.Resources' ? [] : LOCATIONS.map((l) => l.displayName),
      apiVersions: [...API_VERSIONS[t.family]].reverse(),
      capabilities: 'None',
    })),
  };
}

export function providersJson(sub: string): Json {
  return { value: Object.keys(PROVIDERS).map((ns) => providerJson(sub, ns)) };
}

// ---- resource groups

function tagsOf(n: V1Namespace): Record<string, string> | undefined {
  const raw = n.metadata?.annotations?.[RG_TAGS_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    return undefined;
  }
}

export function groupJson(sub: string, g: Group, state = 'Succeeded'): Json {
  const tags = tagsOf(g.namespace);
  return {
    id: `/subscriptions/${sub}/resourceGroups/${g.name}`,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    ...(tags && Object.keys(tags).length ? { tags } : {}),
    properties: { provisioningState: state },
  };
}

/** Resource group names: 1-90 letters, digits, '.', '_', '-', '(' and ')', not ending in '.'. */
export function checkGroupName(name: string): void {
  if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith('.')) {
    throw new ArmError(
      400,
      'InvalidResourceGroupName',
      `Resource group name '${name}' is invalid: use 1-90 letters, digits, '.', '_', '-', '(' or ')', not ending in '.'.`,
    );
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(nsOf(name)) || name.length > 63) {
    throw new ArmError(
      400,
      'InvalidResourceGroupName',
      `Resource group name '${name}' cannot be simulated: aksim keeps a resource group as a Kubernetes namespace, so use at most 63 letters, digits and '-', starting and ending with a letter or digit.`,
    );
  }
}

/** PUT resourcegroups/{rg}: 201 when made, 200 when it existed (location must match; tags replaced). */
export async function putGroup(svc: ArmService, rg: string, body: Json): Promise<{ status: number; body: Json }> {
  checkGroupName(rg);
  const location = typeof body.location === 'string' ? body.location.toLowerCase().replace(/\s+/g, '') : undefined;
  if (!location) throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
  const tags = body.tags === undefined ? undefined : tagsField(body.tags);
  const ns = nsOf(rg);
  try {
    const n = await svc.kube.readNamespace(ns);
    const g = groupOf(n);
    if (n.status?.phase === 'Terminating')
      throw new ArmError(
        409,
        'ResourceGroupBeingDeleted',
        `The resource group '${g.name}' is in deprovisioning state and cannot perform this operation.`,
      );
    if (g.location !== location)
      throw new ArmError(
        409,
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${location}'. The Resource group already exists in location '${g.location}'.`,
      );
    if (tags) await svc.kube.patchNamespace(ns, { metadata: { annotations: { [RG_TAGS_ANNOTATION]: JSON.stringify(tags) } } });
    return { status: 200, body: groupJson(svc.subscriptionId, await svc.group(rg)) };
  } catch (err: unknown) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await svc.kube.createNamespace({
      metadata: {
        name: ns,
        labels: { [RG_LABEL]: 'true' },
        annotations: {
          [DISPLAY_NAME_ANNOTATION]: rg,
          [RG_LOCATION_ANNOTATION]: location,
          ...(tags ? { [RG_TAGS_ANNOTATION]: JSON.stringify(tags) } : {}),
        },
      },
    });
  } catch (err: unknown) {
    if (!isConflict(err)) throw err;
  }
  return { status: 201, body: groupJson(svc.subscriptionId, await svc.group(rg)) };
}

/** PATCH resourcegroups/{rg}: tags. */
export async function patchGroup(svc: ArmService, rg: string, body: Json): Promise<Json> {
  await svc.group(rg);
  if (body.tags !== undefined)
    await svc.kube.patchNamespace(nsOf(rg), { metadata: { annotations: { [RG_TAGS_ANNOTATION]: JSON.stringify(tagsField(body.tags)) } } });
  return groupJson(svc.subscriptionId, await svc.group(rg));
}

/** The kinds a resource group holds, deleted before the namespace (their finalizers need the operator). */
const GROUP_KINDS = ['SimCluster', 'NGroup', 'ContainerGroupProfile', 'NodePoolSnapshot'] as const;

/** DELETE resourcegroups/{rg}: deletes what it holds, then the namespace; 202, or 404 when absent. */
export async function deleteGroup(svc: ArmService, rg: string): Promise<Group> {
  let n: V1Namespace;
  try {
    n = await svc.kube.readNamespace(nsOf(rg));
  } catch (err: unknown) {
    if (isNotFound(err)) throw rgNotFound(rg);
    throw err;
  }
  const g = groupOf(n);
  for (const kind of GROUP_KINDS) {
    for (const obj of await svc.kube.list<{ metadata: { name: string } }>(kind, g.ns)) await svc.kube.delete(kind, g.ns, obj.metadata.name);
  }
  try {
    await svc.kube.deleteNamespace(g.ns);
  } catch (err: unknown) {
    if (!isNotFound(err)) throw err;
  }
  return g;
}

/** Whether a resource group (namespace) still exists, Terminating included. */
export async function groupExists(svc: ArmService, ns: string): Promise<boolean> {
  try {
    await svc.kube.readNamespace(ns);
    return true;
  } catch (err: unknown) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
