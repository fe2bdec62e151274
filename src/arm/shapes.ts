// Pure conversions between aksim objects and the ARM JSON shapes of
// Microsoft.ContainerService 2024-01-02-preview (managedClusters, agentPools, operations).
import type { NodePoolSnapshot, SimCluster, SimNodePool, SimNodePoolSpec, SimOperation } from '../api/generated.js';
import { agentPoolId, clusterId, snapshotId } from '../azure/ids.js';
import { defaultOsSku } from '../azure/os.js';

export const API_VERSION = '2024-01-02-preview';
type Json = Record<string, unknown>;

/** ARM's OperationStatusResult. */
export function operationJson(op: SimOperation): Json {
  const s = op.status ?? {};
  const out: Json = {
    id: s.id,
    name: op.spec.operationId,
    status: s.status ?? 'InProgress',
    percentComplete: s.percentComplete ?? 0,
    startTime: s.startTime,
    resourceId: op.spec.targetId,
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
    osDiskSizeGB: 128,
    osDiskType: 'Managed',
    kubeletDiskType: 'OS',
    maxPods: 110,
    type: 'VirtualMachineScaleSets',
    enableAutoScaling: false,
    scaleDownMode: 'Delete',
    osType: sp.osType ?? 'Linux',
    osSKU: defaultOsSku(sp.osType, sp.osSKU),
    mode: sp.mode ?? 'User',
    orchestratorVersion: sp.orchestratorVersion ?? s.target?.orchestratorVersion ?? s.currentOrchestratorVersion,
    currentOrchestratorVersion: s.currentOrchestratorVersion,
    nodeImageVersion: s.nodeImageVersion,
    upgradeSettings: { maxSurge: sp.upgradeSettings?.maxSurge ?? '10%', drainTimeoutInMinutes: sp.upgradeSettings?.drainTimeoutInMinutes ?? 30 },
    provisioningState: s.provisioningState ?? 'Creating',
    powerState: { code: s.powerState?.code ?? 'Running' },
    enableNodePublicIP: false,
    enableFIPS: sp.enableFIPS ?? false,
    scaleSetPriority: sp.scaleSetPriority ?? 'Regular',
    nodeLabels: sp.nodeLabels ?? {},
    nodeTaints: sp.nodeTaints ?? [],
  };
  if (sp.availabilityZones?.length) props.availabilityZones = sp.availabilityZones;
  if (sp.creationData?.sourceResourceId) props.creationData = { sourceResourceId: sp.creationData.sourceResourceId };
  if (sp.scaleSetPriority === 'Spot') {
    props.scaleSetEvictionPolicy = sp.scaleSetEvictionPolicy ?? 'Delete';
    props.spotMaxPrice = -1;
  }
  return props;
}

export function agentPoolJson(p: SimNodePool, sub: string): Json {
  return {
    id: agentPoolId(sub, p.metadata.namespace!, p.spec.clusterName, p.spec.name),
    name: p.spec.name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    properties: poolProperties(p),
  };
}

export function managedClusterJson(c: SimCluster, pools: SimNodePool[], sub: string): Json {
  const s = c.status ?? {};
  const ns = c.metadata.namespace!;
  const name = c.metadata.name!;
  const location = c.spec.location ?? 'eastus';
  const profiles = (c.spec.agentPoolProfiles ?? []).map((pr) => pools.find((p) => p.spec.name === pr.name)).filter((p): p is SimNodePool => Boolean(p));
  const extra = pools.filter((p) => !profiles.includes(p));
  return {
    id: clusterId(sub, ns, name),
    location,
    name,
    type: 'Microsoft.ContainerService/ManagedClusters',
    sku: { name: 'Base', tier: 'Free' },
    properties: {
      provisioningState: s.provisioningState ?? 'Creating',
      powerState: { code: s.powerState?.code ?? 'Running' },
      kubernetesVersion: c.spec.kubernetesVersion,
      currentKubernetesVersion: s.currentKubernetesVersion,
      dnsPrefix: c.spec.dnsPrefix ?? `${name}-${ns}`.slice(0, 54),
      fqdn: s.fqdn,
      azurePortalFQDN: s.fqdn,
      agentPoolProfiles: [...profiles, ...extra].map((p) => ({ name: p.spec.name, ...poolProperties(p) })),
      nodeResourceGroup: s.nodeResourceGroup ?? `MC_${ns}_${name}_${location}`,
      enableRBAC: true,
      supportPlan: 'KubernetesOfficial',
      maxAgentPools: 100,
    },
  };
}

const POOL_FIELDS = ['count', 'vmSize', 'osType', 'osSKU', 'mode', 'scaleSetPriority', 'scaleSetEvictionPolicy', 'availabilityZones', 'orchestratorVersion', 'nodeLabels', 'nodeTaints', 'enableFIPS'] as const;

/** The SimNodePool spec fields an ARM agent pool body (properties) asks for. */
export function poolSpecFromArm(props: Json): Partial<SimNodePoolSpec> {
  const out: Record<string, unknown> = {};
  for (const f of POOL_FIELDS) if (props[f] !== undefined && props[f] !== null && props[f] !== '') out[f] = props[f];
  const cd = props.creationData as Json | undefined;
  if (cd && typeof cd.sourceResourceId === 'string' && cd.sourceResourceId) out.creationData = { sourceResourceId: cd.sourceResourceId };
  const us = props.upgradeSettings as Json | undefined;
  if (us && (us.maxSurge !== undefined || us.drainTimeoutInMinutes !== undefined)) {
    out.upgradeSettings = { ...(us.maxSurge !== undefined ? { maxSurge: String(us.maxSurge) } : {}), ...(us.drainTimeoutInMinutes !== undefined ? { drainTimeoutInMinutes: us.drainTimeoutInMinutes } : {}) };
  }
  return out as Partial<SimNodePoolSpec>;
}

/** az prints SDK models flattened (no "properties") with the resource group added. */
export function azFlatten(obj: Json, resourceGroup: string): Json {
  const { properties, ...rest } = obj;
  return { ...rest, ...(properties as Json | undefined), resourceGroup };
}

/** A node pool snapshot as ARM returns it (Microsoft.ContainerService/snapshots, 2024-01-02-preview). */
export function snapshotJson(snap: NodePoolSnapshot, sub: string): Json {
  const st = snap.status ?? {};
  const out: Json = {
    id: snapshotId(sub, snap.metadata.namespace!, snap.metadata.name!),
    name: snap.metadata.name,
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
