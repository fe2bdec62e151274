// Read-only AKS routes users call around the scenarios: cluster credentials (a kubeconfig for the
// API server aksim runs on), upgrade profiles, available and supported Kubernetes versions, and
// the machines of an agent pool.
import type { V1Node } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { SimMachine } from '../api/generated.js';
import { agentPoolId, clusterId, displayName } from '../azure/ids.js';
import { SUPPORTED_PATCHES, versionLess } from '../azure/versions.js';
import { isNotFound } from '../runtime/kube-api.js';
import { ArmError } from './errors.js';
import type { ArmService } from './service.js';

type Json = Record<string, unknown>;

/** Every supported version, oldest first. */
function allVersions(): string[] {
  return Object.values(SUPPORTED_PATCHES).sort((a, b) => (versionLess(a, b) ? -1 : 1));
}

const minor = (v: string): string => v.split('.').slice(0, 2).join('.');
const isPreview = (v: string): boolean => minor(v) === minor(allVersions().at(-1)!);

/** Versions a control plane (or pool) at `from` may upgrade to: newer patches and the next minor. */
export function upgradesFrom(from: string): string[] {
  const [maj, min] = from.split('.').map(Number) as [number, number];
  return allVersions().filter((v) => versionLess(from, v) && (minor(v) === `${maj}.${min}` || minor(v) === `${maj}.${min + 1}`));
}

/** GET .../managedClusters/{name}/upgradeProfiles/default */
export async function clusterUpgradeProfile(svc: ArmService, rg: string, name: string): Promise<Json> {
  const g = await svc.group(rg);
  const c = await svc.cluster(rg, name);
  const cp = c.status?.currentKubernetesVersion ?? c.spec.kubernetesVersion ?? allVersions().at(-2)!;
  const pools = await svc.poolsOf(rg, name);
  const id = clusterId(svc.subscriptionId, g.name, displayName(c));
  const ups = (v: string): Json[] =>
    upgradesFrom(v).map((kubernetesVersion) => ({ kubernetesVersion, ...(isPreview(kubernetesVersion) ? { isPreview: true } : {}) }));
  return {
    id: `${id}/upgradeprofiles/default`,
    name: 'default',
    type: 'Microsoft.ContainerService/managedClusters/upgradeprofiles',
    properties: {
      controlPlaneProfile: { kubernetesVersion: cp, osType: 'Linux', upgrades: ups(cp) },
      agentPoolProfiles: pools.map((p) => {
        const v = p.status?.currentOrchestratorVersion ?? p.spec.orchestratorVersion ?? cp;
        return {
          kubernetesVersion: v,
          name: p.spec.name,
          osType: p.spec.osType ?? 'Linux',
          upgrades: ups(v).filter(
            (u) => !versionLess(String(cp), String(u.kubernetesVersion)) || minor(String(u.kubernetesVersion)) === minor(cp),
          ),
        };
      }),
    },
  };
}

/** GET .../agentPools/{pool}/upgradeProfiles/default */
export async function poolUpgradeProfile(svc: ArmService, rg: string, cluster: string, pool: string): Promise<Json> {
  const g = await svc.group(rg);
  const c = await svc.cluster(rg, cluster);
  const p = await svc.pool(rg, cluster, pool);
  const cp = c.status?.currentKubernetesVersion ?? c.spec.kubernetesVersion ?? '';
  const v = p.status?.currentOrchestratorVersion ?? p.spec.orchestratorVersion ?? cp;
  // A pool can go up to the control plane's version (never past it).
  const upgrades = allVersions().filter((x) => versionLess(v, x) && !versionLess(cp, x));
  const out: Json = {
    id: `${agentPoolId(svc.subscriptionId, g.name, displayName(c), p.spec.name)}/upgradeProfiles/default`,
    name: 'default',
    type: 'Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles',
    properties: {
      kubernetesVersion: v,
      osType: p.spec.osType ?? 'Linux',
      upgrades: upgrades.map((kubernetesVersion) => ({ kubernetesVersion, ...(isPreview(kubernetesVersion) ? { isPreview: true } : {}) })),
      latestNodeImageVersion: p.status?.latestNodeImageVersion ?? p.status?.nodeImageVersion,
    },
  };
  return out;
}

/** GET .../managedClusters/{name}/availableAgentPoolVersions */
export async function availableAgentPoolVersions(svc: ArmService, rg: string, name: string): Promise<Json> {
  const g = await svc.group(rg);
  const c = await svc.cluster(rg, name);
  const newest = allVersions().at(-2)!;
  return {
    id: `${clusterId(svc.subscriptionId, g.name, displayName(c))}/availableagentpoolversions`,
    name: 'default',
    type: 'Microsoft.ContainerService/managedClusters/availableAgentpoolVersions',
    properties: {
      agentPoolVersions: allVersions().map((kubernetesVersion) => ({
        kubernetesVersion,
        ...(kubernetesVersion === newest ? { default: true } : {}),
        ...(isPreview(kubernetesVersion) ? { isPreview: true } : {}),
      })),
    },
  };
}

/** GET /subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions */
export function kubernetesVersions(): Json {
  const byMinor = new Map<string, string[]>();
  for (const v of allVersions()) byMinor.set(minor(v), [...(byMinor.get(minor(v)) ?? []), v]);
  const minors = [...byMinor.keys()];
  return {
    values: minors.map((m, i) => {
      const patchVersions: Record<string, { upgrades: string[] }> = {};
      for (const p of byMinor.get(m)!) patchVersions[p] = { upgrades: upgradesFrom(p) };
      return {
        version: m,
        ...(i === minors.length - 1 ? { isPreview: true } : {}),
        ...(i === minors.length - 2 ? { isDefault: true } : {}),
        capabilities: { supportPlan: ['KubernetesOfficial'] },
        patchVersions,
      };
    }),
  };
}

/** GET .../locations/{location}/orchestrators?resource-type=managedClusters (the older route az 2.45 calls). */
export function orchestrators(sub: string, location: string): Json {
  const newest = allVersions().at(-2)!;
  return {
    id: `/subscriptions/${sub}/providers/Microsoft.ContainerService/locations/${location}/orchestrators`,
    name: 'default',
    type: 'Microsoft.ContainerService/locations/orchestrators',
    properties: {
      orchestrators: allVersions().map((v) => ({
        orchestratorType: 'Kubernetes',
        orchestratorVersion: v,
        ...(v === newest ? { default: true } : {}),
        ...(isPreview(v) ? { isPreview: true } : {}),
        upgrades: upgradesFrom(v).map((u) => ({
          orchestratorType: 'Kubernetes',
          orchestratorVersion: u,
          ...(isPreview(u) ? { isPreview: true } : {}),
        })),
      })),
    },
  };
}

/**
 * POST .../listClusterUserCredential | listClusterAdminCredential: a kubeconfig for the API server
 * aksim runs on (every simulated cluster shares it; its Nodes carry kubernetes.azure.com/cluster).
 */
export async function credentials(svc: ArmService, rg: string, name: string, admin: boolean): Promise<Json> {
  const g = await svc.group(rg);
  const c = await svc.cluster(rg, name);
  const display = displayName(c);
  const cred = await svc.kube.credentials();
  if (!cred) throw new ArmError(500, 'InternalServerError', 'aksim has no current cluster and user in its kubeconfig to hand out.');
  const userEntry: Json = {};
  if (cred.certData) userEntry['client-certificate-data'] = cred.certData;
  if (cred.keyData) userEntry['client-key-data'] = cred.keyData;
  if (cred.token) userEntry.token = cred.token;
  if (cred.username) userEntry.username = cred.username;
  if (cred.password) userEntry.password = cred.password;
  if (cred.exec) userEntry.exec = cred.exec;
  const ca = cred.caData;
  const userName = `${admin ? 'clusterAdmin' : 'clusterUser'}_${g.name}_${display}`;
  const context = admin ? `${display}-admin` : display;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: display,
        cluster: {
          server: cred.server,
          ...(ca ? { 'certificate-authority-data': ca } : {}),
          ...(cred.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: userName, user: userEntry }],
    contexts: [{ name: context, context: { cluster: display, user: userName } }],
    'current-context': context,
    preferences: {},
  };
  return { kubeconfigs: [{ name: admin ? 'clusterAdmin' : 'clusterUser', value: Buffer.from(stringify(doc)).toString('base64') }] };
}

function machineJson(id: string, m: SimMachine, node: V1Node | undefined): Json {
  const name = m.status?.nodeName ?? m.metadata.name!;
  const ips = (node?.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP')
    .map((a) => ({ family: a.address.includes(':') ? 'IPv6' : 'IPv4', ip: a.address }));
  const provider = node?.spec?.providerID?.replace(/^azure:\/\//, '');
  return {
    id: `${id}/machines/${name}`,
    name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools/machines',
    ...(m.spec.zone ? { zones: [m.spec.zone] } : {}),
    properties: { network: { ipAddresses: ips }, ...(provider ? { resourceId: provider } : {}) },
  };
}

async function nodeOf(svc: ArmService, name: string): Promise<V1Node | undefined> {
  try {
    return await svc.kube.readNode(name);
  } catch (err: unknown) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** GET .../agentPools/{pool}/machines[/{machine}]: the pool's VMs (SimMachines), Node or not. */
export async function machines(svc: ArmService, rg: string, cluster: string, pool: string, machine?: string): Promise<Json> {
  const g = await svc.group(rg);
  const c = await svc.cluster(rg, cluster);
  const p = await svc.pool(rg, cluster, pool);
  const id = agentPoolId(svc.subscriptionId, g.name, displayName(c), p.spec.name);
  const all = (
    await svc.kube.list<SimMachine>('SimMachine', g.ns, `aksim.io/cluster=${c.metadata.name},aksim.io/pool=${p.spec.name}`)
  ).filter((m) => !m.metadata.deletionTimestamp);
  if (machine) {
    const m = all.find((x) => (x.status?.nodeName ?? x.metadata.name!).toLowerCase() === machine.toLowerCase());
    if (!m) throw new ArmError(404, 'NotFound', `Machine ${machine} was not found in agent pool ${p.spec.name}.`);
    return machineJson(id, m, await nodeOf(svc, m.metadata.name!));
  }
  const sorted = all.sort((a, b) => a.spec.index - b.spec.index);
  const nodes = await svc.kube.listNodes(`aksim.io/namespace=${g.ns},aksim.io/cluster=${c.metadata.name},aksim.io/pool=${p.spec.name}`);
  const byName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
  return { value: sorted.map((m) => machineJson(id, m, byName.get(m.metadata.name!))) };
}
