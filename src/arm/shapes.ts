// Pure conversions between aksim objects and the ARM JSON shapes of
// Microsoft.ContainerService 2024-01-02-preview (managedClusters, agentPools, operations).
import type { NodePoolSnapshot, SimCluster, SimNodePool, SimNodePoolSpec, SimOperation } from '../api/generated.js';
import { agentPoolId, clusterId, displayName, guidFrom, snapshotId } from '../azure/ids.js';
import { defaultOsSku } from '../azure/os.js';
import { ArmError } from './errors.js';

export const API_VERSION = '2024-01-02-preview';
type Json = Record<string, unknown>;

/** ARM's OperationStatusResult. */
export function operationJson(op: SimOperation, resourceId?: string): Json {
  const s = op.status ?? {};
  const target = resourceId ?? op.spec.targetId;
  const out: Json = {
    id: target && op.spec.operationId ? `${target}/operations/${op.spec.operationId}` : s.id,
    name: op.spec.operationId,
    status: s.status ?? 'InProgress',
    percentComplete: s.percentComplete ?? 0,
    startTime: s.startTime,
    resourceId: target,
  };
  if (s.endTime) out.endTime = s.endTime;
  if (s.error?.code) out.error = { code: s.error.code, message: s.error.message, ...(s.error.target ? { target: s.error.target } : {}) };
  return out;
}

function poolProperties(p: SimNodePool): Json {
  const s = p.status ?? {};
  const sp = p.spec;
  const props: Json = {
    count: sp.count ?? 0,
    vmSize: sp.vmSize,
    osDiskSizeGB: sp.osDiskSizeGB ?? 128,
    osDiskType: 'Managed',
    kubeletDiskType: 'OS',
    maxPods: sp.maxPods ?? 110,
    type: 'VirtualMachineScaleSets',
    enableAutoScaling: sp.enableAutoScaling ?? false,
    scaleDownMode: 'Delete',
    osType: sp.osType ?? 'Linux',
    osSKU: defaultOsSku(sp.osType, sp.osSKU),
    mode: sp.mode ?? 'User',
    orchestratorVersion: sp.orchestratorVersion ?? s.target?.orchestratorVersion ?? s.currentOrchestratorVersion,
    currentOrchestratorVersion: s.currentOrchestratorVersion,
    nodeImageVersion: s.nodeImageVersion,
    upgradeSettings: {
      maxSurge: sp.upgradeSettings?.maxSurge ?? '10%',
      drainTimeoutInMinutes: sp.upgradeSettings?.drainTimeoutInMinutes ?? 30,
    },
    provisioningState: s.provisioningState ?? 'Creating',
    powerState: { code: s.powerState?.code ?? 'Running' },
    enableNodePublicIP: false,
    enableFIPS: sp.enableFIPS ?? false,
    scaleSetPriority: sp.scaleSetPriority ?? 'Regular',
    nodeLabels: sp.nodeLabels ?? {},
    nodeTaints: sp.nodeTaints ?? [],
  };
  if (sp.minCount !== undefined) props.minCount = sp.minCount;
  if (sp.maxCount !== undefined) props.maxCount = sp.maxCount;
  if (sp.tags && Object.keys(sp.tags).length) props.tags = sp.tags;
  if (sp.availabilityZones?.length) props.availabilityZones = sp.availabilityZones;
  if (sp.creationData?.sourceResourceId) props.creationData = { sourceResourceId: sp.creationData.sourceResourceId };
  if (sp.scaleSetPriority === 'Spot') {
    props.scaleSetEvictionPolicy = sp.scaleSetEvictionPolicy ?? 'Delete';
    props.spotMaxPrice = -1;
  }
  return props;
}

/** An agent pool as ARM returns it; rg and cluster are the names as the user gave them. */
export function agentPoolJson(p: SimNodePool, sub: string, rg = p.metadata.namespace!, cluster = p.spec.clusterName): Json {
  return {
    id: agentPoolId(sub, rg, cluster, p.spec.name),
    name: p.spec.name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    properties: poolProperties(p),
  };
}

/** A managed cluster as ARM returns it; rg is the resource group name as the user gave it. */
export function managedClusterJson(c: SimCluster, pools: SimNodePool[], sub: string, rg = c.metadata.namespace!): Json {
  const s = c.status ?? {};
  const name = displayName(c);
  const location = c.spec.location ?? 'eastus';
  const profiles = (c.spec.agentPoolProfiles ?? [])
    .map((pr) => pools.find((p) => p.spec.name === pr.name))
    .filter((p): p is SimNodePool => Boolean(p));
  const extra = pools.filter((p) => !profiles.includes(p));
  const out: Json = {
    id: clusterId(sub, rg, name),
    location,
    name,
    type: 'Microsoft.ContainerService/ManagedClusters',
  };
  if (c.spec.tags && Object.keys(c.spec.tags).length) out.tags = c.spec.tags;
  return {
    ...out,
    sku: { name: 'Base', tier: 'Free' },
    identity: { type: 'SystemAssigned', principalId: guidFrom(`${c.metadata.uid}/identity`), tenantId: guidFrom(`${sub}/tenant`) },
    properties: {
      provisioningState: s.provisioningState ?? 'Creating',
      powerState: { code: s.powerState?.code ?? 'Running' },
      kubernetesVersion: c.spec.kubernetesVersion,
      currentKubernetesVersion: s.currentKubernetesVersion,
      dnsPrefix: c.spec.dnsPrefix ?? `${name}-${rg}`.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 54),
      fqdn: s.fqdn,
      azurePortalFQDN: s.fqdn,
      agentPoolProfiles: [...profiles, ...extra].map((p) => ({ name: p.spec.name, ...poolProperties(p) })),
      servicePrincipalProfile: { clientId: 'msi' },
      nodeResourceGroup: s.nodeResourceGroup ?? `MC_${rg}_${name}_${location}`,
      enableRBAC: true,
      supportPlan: 'KubernetesOfficial',
      networkProfile: {
        networkPlugin: 'kubenet',
        podCidr: '10.244.0.0/16',
        serviceCidr: '10.0.0.0/16',
        dnsServiceIP: '10.0.0.10',
        outboundType: 'loadBalancer',
        loadBalancerSku: 'standard',
      },
      maxAgentPools: 100,
    },
  };
}

/** The agent pool fields aksim keeps, with the JSON type each must have. */
const POOL_FIELDS = {
  count: 'integer',
  vmSize: 'string',
  osType: 'string',
  osSKU: 'string',
  mode: 'string',
  scaleSetPriority: 'string',
  scaleSetEvictionPolicy: 'string',
  availabilityZones: 'string[]',
  orchestratorVersion: 'string',
  nodeLabels: 'map',
  nodeTaints: 'string[]',
  enableFIPS: 'boolean',
  enableAutoScaling: 'boolean',
  minCount: 'integer',
  maxCount: 'integer',
  maxPods: 'integer',
  osDiskSizeGB: 'integer',
  tags: 'map',
} as const;

function hasType(v: unknown, t: (typeof POOL_FIELDS)[keyof typeof POOL_FIELDS]): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'map':
      return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
  }
}

/**
 * The SimNodePool spec fields an ARM agent pool body (properties) asks for. A field of the wrong
 * JSON type is refused (400 InvalidParameter naming it); `where` prefixes the field in messages.
 */
export function poolSpecFromArm(props: Json, where = 'properties'): Partial<SimNodePoolSpec> {
  const out: Record<string, unknown> = {};
  for (const [f, t] of Object.entries(POOL_FIELDS) as [keyof typeof POOL_FIELDS, (typeof POOL_FIELDS)[keyof typeof POOL_FIELDS]][]) {
    const v = props[f];
    if (v === undefined || v === null || v === '') continue;
    // az sends 0 for sizes it leaves to the service (osDiskSizeGB 0 means "the default").
    if ((f === 'osDiskSizeGB' || f === 'maxPods') && v === 0) continue;
    if (!hasType(v, t))
      throw new ArmError(
        400,
        'InvalidParameter',
        `The value of parameter ${where}.${f} is invalid: expected ${t === 'map' ? 'an object of strings' : t === 'string[]' ? 'an array of strings' : `a ${t}`}, got ${JSON.stringify(v)}.`,
        `${where}.${f}`,
      );
    out[f] = v;
  }
  const cd = props.creationData as Json | undefined;
  if (cd && typeof cd.sourceResourceId === 'string' && cd.sourceResourceId) out.creationData = { sourceResourceId: cd.sourceResourceId };
  const us = props.upgradeSettings as Json | undefined;
  if (us !== undefined && us !== null && (typeof us !== 'object' || Array.isArray(us)))
    throw new ArmError(
      400,
      'InvalidParameter',
      `The value of parameter ${where}.upgradeSettings is invalid: expected an object.`,
      `${where}.upgradeSettings`,
    );
  if (us && (us.maxSurge !== undefined || us.drainTimeoutInMinutes !== undefined)) {
    out.upgradeSettings = {
      ...(us.maxSurge !== undefined ? { maxSurge: String(us.maxSurge) } : {}),
      ...(us.drainTimeoutInMinutes !== undefined ? { drainTimeoutInMinutes: us.drainTimeoutInMinutes } : {}),
    };
  }
  return out as Partial<SimNodePoolSpec>;
}

/** az prints SDK models flattened (no "properties") with the resource group (as in the id) added. */
export function azFlatten(obj: Json, resourceGroup: string): Json {
  const { properties, ...rest } = obj;
  const fromId = typeof obj.id === 'string' ? obj.id.split('/')[4] : undefined;
  return { ...rest, ...(properties as Json | undefined), resourceGroup: fromId ?? resourceGroup };
}

/** A node pool snapshot as ARM returns it (Microsoft.ContainerService/snapshots, 2024-01-02-preview). */
export function snapshotJson(snap: NodePoolSnapshot, sub: string, rg = snap.metadata.namespace!): Json {
  const st = snap.status ?? {};
  const name = displayName(snap);
  const out: Json = {
    id: snapshotId(sub, rg, name),
    name,
    type: 'Microsoft.ContainerService/Snapshots',
    location: st.location ?? snap.spec.location ?? 'eastus',
  };
  if (snap.spec.tags && Object.keys(snap.spec.tags).length) out.tags = snap.spec.tags;
  out.systemData = { createdBy: 'aksim', createdByType: 'User', createdAt: st.createdAt ?? snap.metadata.creationTimestamp };
  out.properties = {
    creationData: { sourceResourceId: snap.spec.creationData.sourceResourceId },
    snapshotType: snap.spec.snapshotType ?? 'NodePool',
    nodeImageVersion: st.nodeImageVersion,
    kubernetesVersion: st.kubernetesVersion,
    osType: st.osType,
    osSku: st.osSku,
    vmSize: st.vmSize,
    enableFIPS: st.enableFIPS ?? false,
  };
  return out;
}
