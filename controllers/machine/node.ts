// Pure: the Kubernetes Node a running SimMachine registers (what the kubelet would post).
import type { V1Node } from '@kubernetes/client-node';
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { displayName, displayResourceGroup } from '../../src/azure/ids.js';
import { vmCapacity } from '../../src/azure/vmsizes.js';
import { LABELS } from '../context.js';
import { vmssName } from '../nodepool/naming.js';
import { nodeInfo, nodeLabels, nodeTaints, providerId, type NodeShape } from './labels.js';

/** The node as installed: status versions once booted (spec is what an upgrade will install). */
export function nodeShape(m: SimMachine, pool: SimNodePool, cluster: SimCluster, installing = false): NodeShape {
  const version = installing ? m.spec.orchestratorVersion : (m.status?.orchestratorVersion ?? m.spec.orchestratorVersion);
  const image = installing ? m.spec.nodeImageVersion : (m.status?.nodeImageVersion ?? m.spec.nodeImageVersion);
  return {
    nodeName: m.metadata.name!,
    // Names as the user gave them (AKS's kubernetes.azure.com/cluster label keeps their case).
    cluster: displayName(cluster),
    resourceGroup: displayResourceGroup(cluster),
    pool: pool.spec.name,
    mode: pool.spec.mode ?? 'User',
    osType: m.spec.osType,
    osSku: m.spec.osSKU ?? 'Ubuntu',
    vmSize: m.spec.vmSize,
    region: cluster.spec.location ?? 'eastus',
    zone: m.spec.zone ?? '',
    priority: m.spec.priority ?? 'Regular',
    kubernetesVersion: version,
    nodeImageVersion: image,
    nodeLabels: pool.spec.nodeLabels as Record<string, string> | undefined,
    nodeTaints: pool.spec.nodeTaints,
    faultDomain: m.spec.faultDomain,
  };
}

/** Labels aksim owns on the Node (AKS labels plus its own bookkeeping). */
export function desiredNodeLabels(m: SimMachine, shape: NodeShape): Record<string, string> {
  return {
    ...nodeLabels(shape),
    [LABELS.cluster]: m.spec.clusterName,
    [LABELS.pool]: m.spec.poolName,
    [LABELS.namespace]: m.metadata.namespace!,
  };
}

export function buildNode(m: SimMachine, shape: NodeShape, subscriptionId: string): V1Node {
  const cap = vmCapacity(m.spec.vmSize);
  const capacity: Record<string, string> = { cpu: cap.cpu, memory: cap.memory, pods: cap.pods, 'ephemeral-storage': cap.ephemeralStorage };
  if (cap.gpu) capacity['nvidia.com/gpu'] = cap.gpu;
  const hash = m.metadata.name!.split('-').at(-2) ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: m.metadata.name,
      labels: { ...desiredNodeLabels(m, shape), [LABELS.kubelet]: 'running' },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
    },
    spec: {
      providerID: providerId(subscriptionId, shape.resourceGroup, shape.cluster, shape.region, vmssName(shape.pool, hash), m.spec.index),
      taints: nodeTaints(shape).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
    },
    status: {
      capacity,
      allocatable: capacity,
      nodeInfo: { ...nodeInfo(shape), bootID: m.status?.bootId ?? '' },
    },
  };
}
