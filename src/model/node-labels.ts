// Labels, taints, nodeInfo and providerID of the Kubernetes Node for a simulated AKS node.

export interface NodeShape {
  nodeName: string;
  cluster: string;
  resourceGroup: string;
  pool: string;
  mode: 'System' | 'User';
  osType: 'Linux' | 'Windows';
  osSku: string;
  vmSize: string;
  region: string;
  /** '' or '1'..'3' */
  zone: string;
  priority: 'Regular' | 'Spot';
  /** like 1.34.4, without v */
  kubernetesVersion: string;
  nodeImageVersion: string;
  nodeLabels?: Record<string, string>;
  /** 'key=value:Effect' as in AKS */
  nodeTaints?: string[];
  faultDomain?: number;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

const AZURE_PREFIX = 'kubernetes.azure.com/';

/** Makes a string a valid label value: allowed characters only, at most 63, alphanumeric ends. */
export function labelValue(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The zone label value: `<region>-<zone>` when zonal, else the fault domain (AKS shows `0`, `1`...). */
function zoneValue(s: NodeShape): string {
  return s.zone ? `${s.region}-${s.zone}` : String(s.faultDomain ?? 0);
}

export function nodeLabels(s: NodeShape): Record<string, string> {
  const os = s.osType.toLowerCase();
  const zone = zoneValue(s);
  const own: Record<string, string> = {
    'kubernetes.azure.com/agentpool': s.pool,
    agentpool: s.pool,
    'kubernetes.azure.com/mode': s.mode.toLowerCase(),
    'kubernetes.azure.com/node-image-version': labelValue(s.nodeImageVersion),
    'kubernetes.azure.com/os-sku': s.osSku,
    'kubernetes.azure.com/role': 'agent',
    'kubernetes.azure.com/cluster': labelValue(`MC_${s.resourceGroup}_${s.cluster}_${s.region}`),
    'kubernetes.azure.com/managedby': 'aks',
    'node.kubernetes.io/instance-type': s.vmSize,
    'beta.kubernetes.io/instance-type': s.vmSize,
    'topology.kubernetes.io/region': s.region,
    'topology.kubernetes.io/zone': zone,
    'failure-domain.beta.kubernetes.io/zone': zone,
    'kubernetes.io/os': os,
    'beta.kubernetes.io/os': os,
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': s.nodeName,
  };
  if (s.priority === 'Spot') {
    own['kubernetes.azure.com/scalesetpriority'] = 'spot';
    own['kubernetes.azure.com/priority'] = 'spot';
  }
  const user = Object.entries(s.nodeLabels ?? {}).filter(([k]) => !k.startsWith(AZURE_PREFIX));
  // User labels go on top, except kubernetes.azure.com/* keys, which AKS owns.
  return { ...own, ...Object.fromEntries(user) };
}

const TAINT_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const TAINT_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Parses an AKS taint string, `key=value:Effect` or `key:Effect`; undefined when invalid. */
export function parseTaint(s: string): Taint | undefined {
  const text = s.trim();
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const effect = text.slice(colon + 1);
  if (!EFFECTS.includes(effect)) return undefined;
  const kv = text.slice(0, colon);
  const eq = kv.indexOf('=');
  const key = eq < 0 ? kv : kv.slice(0, eq);
  const value = eq < 0 ? undefined : kv.slice(eq + 1);
  if (!TAINT_KEY.test(key) || key.length > 316) return undefined;
  if (value !== undefined && (!TAINT_VALUE.test(value) || value.length > 63)) return undefined;
  const taint: Taint = { key, effect: effect as TaintEffect };
  if (value !== undefined) taint.value = value;
  return taint;
}

/** User taints (invalid ones skipped) plus the Spot taint; one taint per key+effect, first wins. */
export function nodeTaints(s: NodeShape): Taint[] {
  const all = (s.nodeTaints ?? []).map(parseTaint).filter((t): t is Taint => t !== undefined);
  if (s.priority === 'Spot') all.push({ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' });
  const seen = new Set<string>();
  return all.filter((t) => {
    const id = `${t.key}\u0000${t.effect}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export interface NodeInfo {
  kubeletVersion: string;
  kubeProxyVersion: string;
  osImage: string;
  operatingSystem: string;
  architecture: string;
  containerRuntimeVersion: string;
  kernelVersion: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

function osImage(s: NodeShape): string {
  const sku = s.osSku.toLowerCase();
  if (s.osType === 'Windows') {
    return sku === 'windows2019' ? 'Windows Server 2019 Datacenter' : 'Windows Server 2022 Datacenter';
  }
  if (sku === 'ubuntu2404') return 'Ubuntu 24.04.2 LTS';
  if (sku === 'azurelinux3') return 'Microsoft Azure Linux 3.0';
  if (sku === 'azurelinux' || sku === 'cblmariner' || sku === 'mariner') return 'CBL-Mariner/Linux';
  return 'Ubuntu 22.04.5 LTS';
}

/** status.nodeInfo; bootID is left empty and set elsewhere. */
export function nodeInfo(s: NodeShape): NodeInfo {
  const windows = s.osType === 'Windows';
  const kernel = !windows ? '5.15.0-1079-azure' : s.osSku.toLowerCase() === 'windows2019' ? '10.0.17763.6893' : '10.0.20348.3207';
  return {
    kubeletVersion: `v${s.kubernetesVersion}`,
    kubeProxyVersion: `v${s.kubernetesVersion}`,
    osImage: osImage(s),
    operatingSystem: windows ? 'windows' : 'linux',
    architecture: 'amd64',
    containerRuntimeVersion: 'containerd://1.7.27-1',
    kernelVersion: kernel,
    machineID: '',
    systemUUID: '',
    bootID: '',
  };
}

/** spec.providerID in AKS's form; the node resource group is lowercased. */
export function providerId(sub: string, rg: string, cluster: string, region: string, vmssName: string, index: number): string {
  const nodeRg = `mc_${rg}_${cluster}_${region}`.toLowerCase();
  return `azure:///subscriptions/${sub}/resourceGroups/${nodeRg}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmssName}/virtualMachines/${index}`;
}
