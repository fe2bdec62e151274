// Pure: the simulated ACI virtual node of one region/zone/fault domain, shaped like a
// virtual-kubelet node (type=virtual-kubelet, the provider taint, huge capacity), kept Ready by kwok.
import type { V1Node } from '@kubernetes/client-node';
import { LABELS } from '../../src/model/names.js';
import { VK_TAINT } from './pod.js';
import { virtualNodeName, type Slot } from './placement.js';

export function virtualNode(region: string, s: Slot): V1Node {
  const r = region.toLowerCase().replace(/[^a-z0-9]/g, '');
  const capacity = { cpu: '10000', memory: '40000Gi', pods: '100000', 'ephemeral-storage': '100Ti' };
  const labels: Record<string, string> = {
    type: 'virtual-kubelet',
    'kubernetes.io/role': 'agent',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': virtualNodeName(region, s),
    'topology.kubernetes.io/region': r,
    'aksim.io/aci-fault-domain': String(s.faultDomain),
    'aksim.io/aci-virtual-node': 'true',
    [LABELS.kubelet]: 'running',
  };
  if (s.zone) labels['topology.kubernetes.io/zone'] = `${r}-${s.zone}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: virtualNodeName(region, s),
      labels,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { taints: [{ ...VK_TAINT }] },
    status: {
      capacity,
      allocatable: capacity,
      nodeInfo: {
        kubeletVersion: 'v1.34.4-vk-azure-aci-1.6.2',
        architecture: 'amd64',
        operatingSystem: 'linux',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        machineID: '',
        osImage: '',
        systemUUID: '',
      },
    },
  };
}
