// The ARM operations on simulated AKS resources, shared by `aksim serve` (HTTPS) and the CLI.
// Each call reads and writes the aksim objects in Kubernetes; the operator does the work.
// Azure names are case-insensitive and keep the case the user gave: objects are named in
// lowercase and carry the given name in an annotation (DISPLAY_NAME_ANNOTATION).
import { realSleep, wallNow } from '../runtime/clock.js';
import type { V1Namespace } from '@kubernetes/client-node';
import type { NodePoolSnapshot, NodePoolSnapshotStatus, SimCluster, SimNodePool, SimNodePoolSpec, SimOperation } from '../api/generated.js';
import { GROUP, VERSION } from '../api/generated.js';
import {
  agentPoolId,
  clusterId,
  DISPLAY_NAME_ANNOTATION,
  displayName,
  parseAgentPoolId,
  RESOURCE_GROUP_ANNOTATION,
  snapshotId,
} from '../azure/ids.js';
import {
  captureSnapshot,
  checkNodeImage,
  checkPoolFitsSnapshot,
  checkUpgradeToSnapshot,
  parseSnapshotId,
  type SnapshotInfo,
} from '../azure/images-snapshots.js';
import { CATALOG_CONFIGMAP, DEFAULT_CATALOG, imagePrefix, isNewerImage, latestImage, parseCatalog, simulatedNow } from '../azure/images.js';
import { envSettings, parseSettings } from '../config.js';
import { defaultOsSku } from '../azure/os.js';
import { ABORT_ANNOTATION } from '../model/names.js';
import { apiMessage, isNotFound, statusCode, type KubeApi } from '../runtime/kube-api.js';
import { ArmError, notFound, operationInProgress, rgNotFound } from './errors.js';
import { isTerminalStatus, type AsyncStatus, type LroToken } from './lro.js';
import { throughTransient } from './retry.js';
import { agentPoolJson, managedClusterJson, operationJson, poolSpecFromArm, snapshotJson } from './shapes.js';
import { checkClusterPower, checkClusterPut, poolPowerPut } from './power.js';
import type { PowerCode } from '../model/power.js';

type Json = Record<string, unknown>;
export type Target =
  { kind: 'SimCluster'; rg: string; cluster: string } | { kind: 'SimNodePool'; rg: string; cluster: string; pool: string };
export interface Accepted {
  status: number;
  body?: Json;
  /** The operation the change started, when the operator picked it up in time. */
  operationId?: string;
  resourceId: string;
  /** What a client polls (Azure-AsyncOperation / Location) to follow the change. */
  lro?: { token: LroToken; location: string };
}

/** Labels and annotations of a namespace that stands for a resource group. */
export const RG_LABEL = 'aksim.io/resource-group';
export const RG_LOCATION_ANNOTATION = 'aksim.io/location';
export const RG_TAGS_ANNOTATION = 'aksim.io/tags';

/** A resource group: its namespace, the name as the user gave it, and its location. */
export interface Group {
  ns: string;
  name: string;
  location: string;
  namespace: V1Namespace;
}

export const nsOf = (rg: string): string => rg.toLowerCase();
const objName = (name: string): string => name.toLowerCase();
const poolObjectName = (cluster: string, pool: string): string => `${objName(cluster)}-${pool.toLowerCase()}`;

export function groupOf(n: V1Namespace): Group {
  const ns = n.metadata!.name!;
  const given = n.metadata?.annotations?.[DISPLAY_NAME_ANNOTATION];
  return {
    ns,
    name: given && given.toLowerCase() === ns ? given : ns,
    location: n.metadata?.annotations?.[RG_LOCATION_ANNOTATION] ?? 'eastus',
    namespace: n,
  };
}

/** The ARM operations on a KubeApi: the CLI's light client, or client-node's Kube (`aksim serve`, whose console watches). */
export class ArmService<K extends KubeApi = KubeApi> {
  constructor(
    readonly kube: K,
    readonly subscriptionId: string,
    /** How long a write waits for the operator to start the operation (real ms). */
    private readonly acceptWaitMs = 10_000,
  ) {}

  // ---- resource groups (namespaces)
  async group(rg: string): Promise<Group> {
    try {
      const n = await this.kube.readNamespace(nsOf(rg));
      if (n.status?.phase === 'Terminating') throw rgNotFound(rg);
      return groupOf(n);
    } catch (err: unknown) {
      if (isNotFound(err)) throw rgNotFound(rg);
      throw err;
    }
  }

  async ensureResourceGroup(rg: string): Promise<void> {
    await this.group(rg);
  }

  /** Every resource group (namespaces other than the cluster's own), by namespace. */
  async groups(): Promise<Group[]> {
    const all = await this.kube.listNamespaces();
    return all.filter((n) => n.status?.phase !== 'Terminating' && !SYSTEM_NAMESPACES.has(n.metadata!.name!)).map(groupOf);
  }

  // ---- managed clusters
  async cluster(rg: string, name: string): Promise<SimCluster> {
    await this.group(rg);
    const c = await this.kube.get<SimCluster>('SimCluster', nsOf(rg), objName(name));
    if (!c) throw notFound('Microsoft.ContainerService/managedClusters', name, rg);
    return c;
  }

  async poolsOf(rg: string, cluster: string): Promise<SimNodePool[]> {
    const c = objName(cluster);
    return (await this.kube.list<SimNodePool>('SimNodePool', nsOf(rg))).filter((p) => p.spec.clusterName === c);
  }

  async getCluster(rg: string, name: string): Promise<Json> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, name);
    return managedClusterJson(c, await this.poolsOf(rg, name), this.subscriptionId, g.name);
  }

  async listClusters(rg?: string): Promise<Json[]> {
    const groups = rg ? [await this.group(rg)] : await this.groups();
    const out: Json[] = [];
    for (const g of groups) {
      const [clusters, pools] = await Promise.all([
        this.kube.list<SimCluster>('SimCluster', g.ns),
        this.kube.list<SimNodePool>('SimNodePool', g.ns),
      ]);
      for (const c of clusters)
        out.push(
          managedClusterJson(
            c,
            pools.filter((p) => p.spec.clusterName === c.metadata.name),
            this.subscriptionId,
            g.name,
          ),
        );
    }
    return out;
  }

  /** PUT managedClusters: create (201) or update (200); refused while an operation runs. */
  async putCluster(rg: string, name: string, body: Json): Promise<Accepted> {
    const g = await this.group(rg);
    const ns = g.ns;
    const props = objectField(body, 'properties');
    const existing = await this.kube.get<SimCluster>('SimCluster', ns, objName(name));
    const rawProfiles = props.agentPoolProfiles;
    if (rawProfiles !== undefined && rawProfiles !== null && !Array.isArray(rawProfiles))
      throw invalid('properties.agentPoolProfiles', 'expected an array of agent pool profiles');
    const profiles = (rawProfiles as Json[] | undefined)?.map((p, i) => {
      if (!p || typeof p !== 'object' || typeof p.name !== 'string' || !p.name)
        throw invalid(`properties.agentPoolProfiles[${i}].name`, 'every agent pool profile needs a name');
      return { name: p.name, ...poolSpecFromArm(p, `properties.agentPoolProfiles[${i}]`) };
    });
    const spec: Json = {};
    if (body.location !== undefined) spec.location = String(body.location).toLowerCase().replace(/\s+/g, '');
    if (props.kubernetesVersion !== undefined && props.kubernetesVersion !== null && props.kubernetesVersion !== '')
      spec.kubernetesVersion = stringField(props.kubernetesVersion, 'properties.kubernetesVersion');
    if (props.dnsPrefix !== undefined && props.dnsPrefix !== null) spec.dnsPrefix = stringField(props.dnsPrefix, 'properties.dnsPrefix');
    if (body.tags !== undefined) spec.tags = tagsField(body.tags);
    // A profile made from a snapshot takes the snapshot's OS and VM size unless given, must stay
    // in its VM family, and a new cluster takes the snapshot's Kubernetes version unless given.
    for (const pr of profiles ?? []) {
      const ref = pr.creationData?.sourceResourceId;
      if (!ref) continue;
      const snap = await this.snapshotById(ref);
      pr.osType ??= snap.info.osType as 'Linux' | 'Windows';
      pr.osSKU ??= snap.info.osSku as SimNodePoolSpec['osSKU'];
      pr.vmSize ??= snap.info.vmSize;
      delete (pr as { enableFIPS?: boolean }).enableFIPS;
      const misfit = checkPoolFitsSnapshot(snap.name, snap.info, { name: pr.name, vmSize: pr.vmSize, osType: pr.osType, osSKU: pr.osSKU });
      if (misfit) throw new ArmError(400, misfit.code, misfit.message);
      if (!existing && (spec.kubernetesVersion === undefined || spec.kubernetesVersion === ''))
        spec.kubernetesVersion = snap.info.kubernetesVersion;
    }
    if (profiles) spec.agentPoolProfiles = profiles;
    if (!existing) {
      if (!profiles?.length)
        throw new ArmError(
          400,
          'InvalidParameter',
          'The value of parameter agentPoolProfiles is invalid: a managed cluster needs at least one agent pool.',
          'properties.agentPoolProfiles',
        );
      await this.write(() =>
        this.kube.create('SimCluster', ns, {
          metadata: {
            name: objName(name),
            namespace: ns,
            annotations: { [DISPLAY_NAME_ANNOTATION]: name, [RESOURCE_GROUP_ANNOTATION]: g.name },
          },
          spec,
        }),
      );
    } else {
      this.refuseIfBusy(existing);
      checkClusterPut(existing, await this.poolsOf(rg, name), spec);
      if (spec.tags) spec.tags = replacingMap(existing.spec.tags, spec.tags as Record<string, string>);
      await this.write(() => this.kube.patch('SimCluster', ns, objName(name), { spec }));
    }
    return this.accepted({ kind: 'SimCluster', rg: ns, cluster: objName(name) }, existing ? 200 : 201, g);
  }

  /** PATCH managedClusters (updateTags): only tags change; an Update operation records it. */
  async patchClusterTags(rg: string, name: string, body: Json): Promise<Accepted> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, name);
    if (body.tags === undefined) throw invalid('tags', 'a PATCH of a managed cluster changes its tags: give {"tags": {...}}');
    this.refuseIfBusy(c);
    // One write that replaces the whole map (a merge patch would keep tags the caller dropped).
    await this.write(() =>
      this.kube.patchJson('SimCluster', g.ns, c.metadata.name!, [{ op: 'add', path: '/spec/tags', value: tagsField(body.tags) }]),
    );
    return this.accepted({ kind: 'SimCluster', rg: g.ns, cluster: c.metadata.name! }, 200, g);
  }

  /**
   * POST managedClusters/{name}/stop|start: a Stop or Start operation (202, no body); AKS's 409s when
   * the power state does not allow it.
   */
  async setClusterPower(rg: string, name: string, want: PowerCode): Promise<Accepted> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, name);
    checkClusterPower(c, want);
    await this.write(() => this.kube.patch('SimCluster', g.ns, c.metadata.name!, { spec: { powerState: { code: want } } }));
    const a = await this.accepted({ kind: 'SimCluster', rg: g.ns, cluster: c.metadata.name! }, 202, g);
    return { ...a, body: undefined };
  }

  async deleteCluster(rg: string, name: string): Promise<Accepted | undefined> {
    const g = await this.group(rg);
    const c = await this.kube.get<SimCluster>('SimCluster', g.ns, objName(name));
    if (!c) return undefined; // nothing to delete: 204
    await this.kube.delete('SimCluster', g.ns, c.metadata.name!);
    const opId = await this.waitForOperation('SimCluster', g.ns, c.metadata.name!, true);
    return {
      status: 202,
      operationId: opId,
      resourceId: clusterId(this.subscriptionId, g.name, displayName(c)),
      lro: {
        token: { target: { kind: 'SimCluster', rg: g.ns, cluster: c.metadata.name! }, op: opId, del: true, at: wallNow() },
        location: c.spec.location ?? g.location,
      },
    };
  }

  // ---- agent pools
  async pool(rg: string, cluster: string, pool: string): Promise<SimNodePool> {
    await this.cluster(rg, cluster);
    const p = await this.kube.get<SimNodePool>('SimNodePool', nsOf(rg), poolObjectName(cluster, pool));
    if (!p) throw notFound('Microsoft.ContainerService/managedClusters/agentPools', `${cluster}/${pool}`, rg);
    return p;
  }

  async getPool(rg: string, cluster: string, pool: string): Promise<Json> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, cluster);
    return agentPoolJson(await this.pool(rg, cluster, pool), this.subscriptionId, g.name, displayName(c));
  }

  async listPools(rg: string, cluster: string): Promise<Json[]> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, cluster);
    return (await this.poolsOf(rg, cluster)).map((p) => agentPoolJson(p, this.subscriptionId, g.name, displayName(c)));
  }

  async putPool(rg: string, cluster: string, pool: string, body: Json): Promise<Accepted> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, cluster);
    const name = poolObjectName(cluster, pool);
    const existing = await this.kube.get<SimNodePool>('SimNodePool', g.ns, name);
    const props = objectField(body, 'properties');
    const spec: Json = { ...poolSpecFromArm(props) };
    poolPowerPut(c, existing, pool, props, spec, props.nodeImageOnly === true);
    await this.shapePoolSpec(spec, existing, pool, props.nodeImageOnly === true);
    if (!existing) {
      await this.write(() =>
        this.kube.create('SimNodePool', g.ns, {
          metadata: {
            name,
            namespace: g.ns,
            labels: { 'aksim.io/cluster': c.metadata.name! },
            ownerReferences: [
              {
                apiVersion: `${GROUP}/${VERSION}`,
                kind: 'SimCluster',
                name: c.metadata.name!,
                uid: c.metadata.uid!,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: { ...spec, clusterName: c.metadata.name!, name: pool },
        }),
      );
    } else {
      this.refuseIfBusy(existing);
      for (const f of ['tags', 'nodeLabels'] as const)
        if (spec[f]) spec[f] = replacingMap(existing.spec[f], spec[f] as Record<string, string>);
      await this.write(() => this.kube.patch('SimNodePool', g.ns, name, { spec }));
    }
    return this.accepted({ kind: 'SimNodePool', rg: g.ns, cluster: c.metadata.name!, pool }, existing ? 200 : 201, g);
  }

  /**
   * Snapshots and node image upgrades in an agent pool PUT, checked here so the caller gets the
   * refusal (the operator checks the same rules for kubectl users):
   * - new pool from a snapshot: OS, VM size and Kubernetes version default to the snapshot's;
   *   the VM size must be of the snapshot's family;
   * - existing pool with a snapshot: an upgrade to it, only to a newer Kubernetes version and
   *   node image (same version: nodeImageOnly);
   * - nodeImageOnly without a snapshot: the latest node image (status.latestNodeImageVersion);
   * - a Kubernetes version change without a snapshot: the latest image (unpins the pool).
   */
  private async shapePoolSpec(spec: Json, existing: SimNodePool | undefined, poolName: string, nodeImageOnly: boolean): Promise<void> {
    const ref = (spec.creationData as { sourceResourceId?: string } | undefined)?.sourceResourceId;
    // A client that PUTs back the pool it read (az aks nodepool scale|stop|start) echoes the
    // snapshot the pool was made from: that is no upgrade to it.
    const echoed = Boolean(
      existing && ref && !nodeImageOnly && ref.toLowerCase() === (existing.spec.creationData?.sourceResourceId ?? '').toLowerCase(),
    );
    if (ref && !echoed) {
      const snap = await this.snapshotById(ref);
      if (!existing) {
        spec.osType ??= snap.info.osType;
        spec.osSKU ??= snap.info.osSku;
        spec.vmSize ??= snap.info.vmSize;
        spec.orchestratorVersion ??= snap.info.kubernetesVersion;
        spec.enableFIPS ??= snap.info.enableFIPS;
      }
      const misfit = checkPoolFitsSnapshot(snap.name, snap.info, {
        name: poolName,
        vmSize: String(existing?.spec.vmSize ?? spec.vmSize),
        osType: (existing?.spec.osType ?? spec.osType) as string | undefined,
        osSKU: (existing?.spec.osSKU ?? spec.osSKU) as string | undefined,
      });
      if (misfit) throw new ArmError(400, misfit.code, misfit.message);
      if (existing) {
        const bad = checkUpgradeToSnapshot({
          snapName: snap.name,
          snap: snap.info,
          poolName,
          poolVersion: existing.status?.currentOrchestratorVersion ?? '',
          poolImage: existing.status?.nodeImageVersion ?? '',
          nodeImageOnly,
        });
        if (bad) throw new ArmError(400, bad.code, bad.message);
        if (nodeImageOnly) delete spec.orchestratorVersion;
        else spec.orchestratorVersion ??= snap.info.kubernetesVersion;
        spec.nodeImageVersion = null;
      }
      return;
    }
    if (!existing) return;
    if (nodeImageOnly) {
      const latest = await this.latestImageFor(existing);
      const current = existing.status?.nodeImageVersion;
      if (!latest)
        throw new ArmError(
          409,
          'OperationNotAllowed',
          `The latest node image of agent pool ${poolName} is not known yet; try again once the pool has been reconciled.`,
        );
      const bad = checkNodeImage({ poolName, want: latest, current, expectedPrefix: current ? imagePrefix(current) : undefined });
      if (bad) throw new ArmError(400, bad.code, bad.message);
      spec.nodeImageVersion = current && isNewerImage(current, latest) ? current : latest;
      spec.creationData = null;
      delete spec.orchestratorVersion;
      return;
    }
    const wanted = spec.orchestratorVersion as string | undefined;
    if (wanted && wanted !== existing.spec.orchestratorVersion && wanted !== existing.status?.currentOrchestratorVersion) {
      spec.nodeImageVersion = null;
      spec.creationData = null;
    }
  }

  /**
   * The newest node image for a pool: what the operator last published
   * (status.latestNodeImageVersion), or newer when the catalog ConfigMap already shows one. This
   * side reads the catalog at timeScale 1, which never runs ahead of the operator's clock
   * (timeScale >= 1), so a release the operator has not yet noticed is still one it accepts.
   */
  private async latestImageFor(pool: SimNodePool): Promise<string | undefined> {
    const published = pool.status?.latestNodeImageVersion;
    let fromCatalog: string | undefined;
    try {
      const cm = await this.kube.readConfigMap(parseSettings([envSettings()]).systemNamespace, CATALOG_CONFIGMAP).catch(() => undefined);
      const data = cm ? parseCatalog(cm.data) : DEFAULT_CATALOG;
      const created = cm?.metadata?.creationTimestamp ? new Date(cm.metadata.creationTimestamp).getTime() : wallNow();
      const osType = pool.spec.osType ?? 'Linux';
      const osSku = defaultOsSku(osType, pool.spec.osSKU);
      fromCatalog = latestImage(data, osSku, pool.spec.enableFIPS ?? false, simulatedNow(data, wallNow(), created, 1));
    } catch {
      fromCatalog = undefined; // a malformed catalog: the operator's view stands
    }
    if (!published) return fromCatalog;
    return fromCatalog && imagePrefix(fromCatalog) === imagePrefix(published) && isNewerImage(fromCatalog, published)
      ? fromCatalog
      : published;
  }

  /** POST .../agentPools/{pool}/upgradeNodeImageVersion: the latest node image. */
  async upgradeNodeImage(rg: string, cluster: string, pool: string): Promise<Accepted> {
    await this.pool(rg, cluster, pool);
    const a = await this.putPool(rg, cluster, pool, { properties: { nodeImageOnly: true } });
    return { ...a, status: 202 };
  }

  async deletePool(rg: string, cluster: string, pool: string): Promise<Accepted | undefined> {
    const g = await this.group(rg);
    const c = await this.cluster(rg, cluster);
    const p = await this.kube.get<SimNodePool>('SimNodePool', g.ns, poolObjectName(cluster, pool));
    if (!p) return undefined; // nothing to delete: 204
    if ((p.spec.mode ?? 'User') === 'System') {
      const systems = (await this.poolsOf(rg, cluster)).filter(
        (x) => (x.spec.mode ?? 'User') === 'System' && !x.metadata.deletionTimestamp,
      );
      if (systems.length <= 1)
        throw new ArmError(
          400,
          'OperationNotAllowed',
          `Agent pool ${pool} is the last System mode pool of ${cluster}: a cluster needs at least one System mode agent pool.`,
        );
    }
    const i = (c.spec.agentPoolProfiles ?? []).findIndex((pr) => pr.name === p.spec.name);
    if (i >= 0) {
      this.refuseIfBusy(c);
      await this.write(() =>
        this.kube.patchJson('SimCluster', g.ns, c.metadata.name!, [
          { op: 'test', path: `/spec/agentPoolProfiles/${i}/name`, value: p.spec.name },
          { op: 'remove', path: `/spec/agentPoolProfiles/${i}` },
        ]),
      );
    }
    await this.kube.delete('SimNodePool', g.ns, p.metadata.name!);
    const opId = await this.waitForOperation('SimNodePool', g.ns, p.metadata.name!, true);
    return {
      status: 202,
      operationId: opId,
      resourceId: agentPoolId(this.subscriptionId, g.name, displayName(c), p.spec.name),
      lro: {
        token: {
          target: { kind: 'SimNodePool', rg: g.ns, cluster: c.metadata.name!, pool: p.spec.name },
          op: opId,
          del: true,
          at: wallNow(),
        },
        location: c.spec.location ?? g.location,
      },
    };
  }

  // ---- node pool snapshots (Microsoft.ContainerService/snapshots); object names are lowercase
  async snapshot(rg: string, name: string): Promise<NodePoolSnapshot> {
    await this.group(rg);
    const s = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', nsOf(rg), objName(name));
    if (!s) throw notFound('Microsoft.ContainerService/snapshots', name, rg);
    return s;
  }

  /** A captured snapshot by ARM id, for making or upgrading a pool from it. */
  async snapshotById(id: string): Promise<{ name: string; info: SnapshotInfo }> {
    const p = parseSnapshotId(id);
    if (!p)
      throw new ArmError(
        400,
        'InvalidParameter',
        `The snapshot id ${id} is not valid: expected /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/snapshots/<name>.`,
      );
    const s = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', nsOf(p.resourceGroup), objName(p.name)).catch(() => undefined);
    if (!s) throw new ArmError(404, 'SnapshotNotFound', `The snapshot ${id} was not found.`);
    const st = s.status ?? {};
    if (st.provisioningState !== 'Succeeded' || !st.nodeImageVersion || !st.kubernetesVersion)
      throw new ArmError(
        400,
        'SnapshotNotReady',
        `Snapshot ${p.name} has not captured its source pool (provisioningState ${st.provisioningState ?? 'Creating'}).`,
      );
    return {
      name: displayName(s),
      info: {
        kubernetesVersion: st.kubernetesVersion,
        nodeImageVersion: st.nodeImageVersion,
        osType: st.osType ?? 'Linux',
        osSku: st.osSku ?? 'Ubuntu',
        vmSize: st.vmSize ?? 'Standard_D2s_v3',
        enableFIPS: st.enableFIPS ?? false,
        location: st.location ?? 'eastus',
      },
    };
  }

  async getSnapshot(rg: string, name: string): Promise<Json> {
    const g = await this.group(rg);
    return snapshotJson(await this.snapshot(rg, name), this.subscriptionId, g.name);
  }

  async listSnapshots(rg?: string): Promise<Json[]> {
    const groups = rg ? [await this.group(rg)] : await this.groups();
    const out: Json[] = [];
    for (const g of groups)
      for (const s of await this.kube.list<NodePoolSnapshot>('NodePoolSnapshot', g.ns))
        out.push(snapshotJson(s, this.subscriptionId, g.name));
    return out;
  }

  /** PUT snapshots/{name}: captures the source agent pool now (201); a snapshot never changes (200 for the same source). */
  async putSnapshot(rg: string, name: string, body: Json): Promise<{ status: number; body: Json }> {
    const g = await this.group(rg);
    const props = objectField(body, 'properties');
    const src = (props.creationData as Json | undefined)?.sourceResourceId;
    if (typeof src !== 'string' || !src)
      throw new ArmError(
        400,
        'InvalidParameter',
        'properties.creationData.sourceResourceId (the agent pool to snapshot) is required.',
        'properties.creationData.sourceResourceId',
      );
    if (props.snapshotType !== undefined && props.snapshotType !== 'NodePool')
      throw new ArmError(
        400,
        'InvalidParameter',
        `snapshotType ${String(props.snapshotType)} is not supported here: snapshots of agent pools are NodePool snapshots.`,
      );
    const tags = body.tags === undefined ? undefined : tagsField(body.tags);
    const existing = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', g.ns, objName(name));
    if (existing) {
      if (existing.spec.creationData.sourceResourceId.toLowerCase() !== src.toLowerCase())
        throw new ArmError(
          409,
          'PropertyChangeNotAllowed',
          `Snapshot ${name} already exists with another source; a snapshot is immutable.`,
        );
      if (tags) await this.patchSnapshotTags(rg, name, { tags });
      return { status: 200, body: await this.getSnapshot(rg, name) };
    }
    const ap = parseAgentPoolId(src);
    if (!ap)
      throw new ArmError(
        400,
        'InvalidParameter',
        `creationData.sourceResourceId ${src} is not an agent pool id (.../managedClusters/<cluster>/agentPools/<pool>).`,
      );
    const cluster = await this.cluster(ap.resourceGroup, ap.cluster);
    const pool = await this.pool(ap.resourceGroup, ap.cluster, ap.pool);
    const got = captureSnapshot(pool, cluster.spec.location ?? 'eastus', body.location === undefined ? undefined : String(body.location));
    if (got.refusal) throw new ArmError(400, got.refusal.code, got.refusal.message);
    const info = got.info!;
    const obj = objName(name);
    await this.write(() =>
      this.kube.create('NodePoolSnapshot', g.ns, {
        metadata: { name: obj, namespace: g.ns, annotations: { [DISPLAY_NAME_ANNOTATION]: name } },
        spec: { creationData: { sourceResourceId: src }, snapshotType: 'NodePool', location: info.location, ...(tags ? { tags } : {}) },
      }),
    );
    const nowIso = new Date(wallNow()).toISOString();
    const status: NodePoolSnapshotStatus = {
      id: snapshotId(this.subscriptionId, g.name, name),
      provisioningState: 'Succeeded',
      ...info,
      createdAt: nowIso,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Succeeded',
          message: `captured ${info.kubernetesVersion} / ${info.nodeImageVersion} from agent pool ${pool.spec.name}`,
          lastTransitionTime: nowIso,
        },
      ],
    };
    try {
      await this.kube.patchStatus('NodePoolSnapshot', g.ns, obj, status);
    } catch (err: unknown) {
      if (statusCode(err) !== 422) throw err; // the operator captured it first (the same values)
    }
    return { status: 201, body: await this.getSnapshot(rg, name) };
  }

  /** PATCH snapshots/{name} (updateTags): the tags are replaced, nothing else changes. */
  async patchSnapshotTags(rg: string, name: string, body: Json): Promise<Json> {
    const s = await this.snapshot(rg, name);
    if (body.tags === undefined) throw invalid('tags', 'a PATCH of a snapshot changes its tags: give {"tags": {...}}');
    const tags = tagsField(body.tags);
    await this.write(() =>
      this.kube.patchJson('NodePoolSnapshot', s.metadata.namespace!, s.metadata.name!, [{ op: 'add', path: '/spec/tags', value: tags }]),
    );
    return this.getSnapshot(rg, name);
  }

  async deleteSnapshot(rg: string, name: string): Promise<{ status: number }> {
    await this.group(rg);
    const s = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', nsOf(rg), objName(name));
    if (!s) return { status: 204 };
    await this.kube.delete('NodePoolSnapshot', nsOf(rg), objName(name));
    return { status: 200 };
  }

  // ---- operations and abort
  private async targetObject(t: Target): Promise<SimCluster | SimNodePool> {
    return t.kind === 'SimCluster' ? this.cluster(t.rg, t.cluster) : this.pool(t.rg, t.cluster, t.pool);
  }

  /** The target's ARM id with the names as the user gave them. */
  async targetId(t: Target): Promise<string> {
    const g = await this.group(t.rg);
    const c = await this.cluster(t.rg, t.cluster);
    return t.kind === 'SimCluster'
      ? clusterId(this.subscriptionId, g.name, displayName(c))
      : agentPoolId(this.subscriptionId, g.name, displayName(c), t.pool.toLowerCase());
  }

  async listOperations(t: Target): Promise<Json[]> {
    const obj = await this.targetObject(t);
    const id = await this.targetId(t);
    return (await this.operationsOf(t.kind, obj)).map((o) => operationJson(o, id));
  }

  /** The target's operations, newest first. */
  private async operationsOf(kind: Target['kind'], obj: SimCluster | SimNodePool): Promise<SimOperation[]> {
    const ops = await this.kube.list<SimOperation>(
      'SimOperation',
      obj.metadata.namespace!,
      `aksim.io/target-kind=${kind},aksim.io/target=${obj.metadata.name}`,
    );
    return ops
      .filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === obj.metadata.uid))
      .sort(
        (a, b) =>
          (b.status?.startTime ?? '').localeCompare(a.status?.startTime ?? '') ||
          (b.metadata.creationTimestamp! > a.metadata.creationTimestamp! ? 1 : -1),
      );
  }

  /** GET .../operations/{id}; id "latest" is the most recent one. */
  async getOperation(t: Target, id: string): Promise<Json> {
    const ops = await this.listOperations(t);
    const op = id.toLowerCase() === 'latest' ? ops[0] : ops.find((o) => String(o.name).toLowerCase() === id.toLowerCase());
    if (!op)
      throw new ArmError(
        404,
        'NotFound',
        id.toLowerCase() === 'latest' ? 'No operation has run on this resource.' : `Operation ${id} was not found.`,
      );
    return op;
  }

  /** POST .../abort: 204 when the running operation will be canceled, 409 when nothing runs. */
  async abort(t: Target): Promise<Accepted> {
    const obj = await this.targetObject(t);
    const cur = obj.status?.currentOperation;
    const resourceId = await this.targetId(t);
    if (!cur?.operationId || cur.type === 'Delete') {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Cancel operation is not allowed when the ProvisioningState is ${obj.status?.provisioningState ?? 'Succeeded'}.`,
      );
    }
    await this.kube.patch(t.kind, obj.metadata.namespace!, obj.metadata.name!, {
      metadata: { annotations: { [ABORT_ANNOTATION]: cur.operationId } },
    });
    return { status: 204, operationId: cur.operationId, resourceId };
  }

  /**
   * The status of an accepted write, as its Azure-AsyncOperation URL answers: the operation's own
   * status while its record exists; a delete whose target is gone has succeeded.
   */
  async asyncStatus(token: LroToken, id: string, statusUrl: string): Promise<AsyncStatus> {
    const t = token.target;
    const base = { id: statusUrl, name: id, startTime: new Date(token.at).toISOString() };
    if (t.kind === 'ResourceGroup' || t.kind === 'NGroup') throw new ArmError(404, 'OperationNotFound', `Operation ${id} was not found.`);
    const kind = t.kind;
    const name = kind === 'SimCluster' ? t.cluster : poolObjectName(t.cluster, t.pool);
    const obj = await this.kube.get<SimCluster | SimNodePool>(kind, t.rg, name);
    const ops = await this.kube
      .list<SimOperation>('SimOperation', t.rg, `aksim.io/target-kind=${kind},aksim.io/target=${name}`)
      .catch(() => [] as SimOperation[]);
    const mine = ops.filter((o) => !obj || o.metadata.ownerReferences?.some((r) => r.uid === obj.metadata.uid));
    const op = token.op
      ? mine.find((o) => o.spec.operationId === token.op)
      : mine
          .filter((o) => (token.del ? o.spec.type === 'Delete' : (o.spec.targetGeneration ?? 0) >= (token.gen ?? 0)))
          .sort((a, b) => (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? ''))[0];
    if (op?.status?.status) {
      const s = op.status;
      const out: AsyncStatus = {
        ...base,
        status: s.status as AsyncStatus['status'],
        startTime: s.startTime ?? base.startTime,
        percentComplete: s.percentComplete ?? 0,
      };
      if (s.endTime) out.endTime = s.endTime;
      if (s.status === 'Failed' && s.error?.code) out.error = { code: s.error.code, message: s.error.message ?? s.error.code };
      return out;
    }
    if (!obj) {
      if (token.del) return { ...base, status: 'Succeeded', endTime: new Date(wallNow()).toISOString(), percentComplete: 100 };
      return {
        ...base,
        status: 'Failed',
        endTime: new Date(wallNow()).toISOString(),
        error: { code: 'ResourceNotFound', message: `The resource this operation changed no longer exists.` },
      };
    }
    // The record is not there (not started yet, or pruned from the 50 kept): judge from the target.
    const started = (obj.status?.lastOperationGeneration ?? 0) >= (token.gen ?? obj.metadata.generation ?? 0);
    if (started && !obj.status?.currentOperation && isTerminalStatus(obj.status?.provisioningState ?? '')) {
      return {
        ...base,
        status: obj.status!.provisioningState as AsyncStatus['status'],
        endTime: new Date(wallNow()).toISOString(),
        percentComplete: 100,
      };
    }
    return { ...base, status: 'InProgress', percentComplete: 0 };
  }

  // ---- helpers
  private refuseIfBusy(o: SimCluster | SimNodePool): void {
    const cur = o.status?.currentOperation;
    if (cur) throw operationInProgress(cur.state ?? 'Updating');
  }

  /** An accepted create/update: the body as it stands, and what a client polls. */
  private async accepted(t: Target, status: number, g: Group): Promise<Accepted> {
    const kind = t.kind;
    const name = kind === 'SimCluster' ? t.cluster : poolObjectName(t.cluster, t.pool);
    // The write went through: what follows only reads, through a moment without the API server
    // (an error now would have the client send the write again, and be refused as busy).
    const obj = await throughTransient(() => this.kube.get<SimCluster | SimNodePool>(kind, t.rg, name));
    const opId = await this.waitForOperation(kind, t.rg, name);
    const c = await throughTransient(() => this.cluster(t.rg, t.cluster));
    const body = await throughTransient(async () =>
      kind === 'SimCluster'
        ? managedClusterJson(c, await this.poolsOf(t.rg, t.cluster), this.subscriptionId, g.name)
        : agentPoolJson(await this.pool(t.rg, t.cluster, t.pool), this.subscriptionId, g.name, displayName(c)),
    );
    return {
      status,
      body,
      operationId: opId,
      resourceId: String(body.id),
      lro: { token: { target: t, op: opId, gen: obj?.metadata.generation, at: wallNow() }, location: c.spec.location ?? g.location },
    };
  }

  /** API server refusals become ARM errors a person can read. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err: unknown) {
      const code = statusCode(err);
      const msg = apiMessage(err);
      if (code === 422 && msg.includes('Another operation'))
        throw new ArmError(409, 'OperationNotAllowed', msg.slice(msg.indexOf('Another operation')).replace(/[\]"]+$/, ''), undefined, {
          cause: err,
        });
      if (code === 422 || code === 400) throw new ArmError(400, 'InvalidParameter', msg, undefined, { cause: err });
      if (code === 409) throw new ArmError(409, 'Conflict', msg, undefined, { cause: err });
      throw err;
    }
  }

  /** Waits until the operator has started the operation for the latest generation (or the delete). */
  private async waitForOperation(
    kind: 'SimCluster' | 'SimNodePool',
    rg: string,
    name: string,
    deleting = false,
  ): Promise<string | undefined> {
    const end = wallNow() + this.acceptWaitMs;
    while (wallNow() < end) {
      const o = await throughTransient(() => this.kube.get<SimCluster | SimNodePool>(kind, rg, name), 100);
      if (!o) return undefined;
      const cur = o.status?.currentOperation;
      if (deleting ? cur?.type === 'Delete' : (o.status?.lastOperationGeneration ?? 0) >= (o.metadata.generation ?? 0) && cur?.operationId)
        return cur?.operationId;
      if (!deleting && (o.status?.lastOperationGeneration ?? 0) >= (o.metadata.generation ?? 0) && !cur) {
        const latest = (await throughTransient(() => this.operationsOf(kind, o), 100))[0];
        return latest?.spec.operationId;
      }
      await realSleep(100);
    }
    return undefined;
  }
}

/** Namespaces of the cluster aksim runs on that are not resource groups. */
export const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'aksim-system']);

const invalid = (field: string, why: string): ArmError =>
  new ArmError(400, 'InvalidParameter', `The value of parameter ${field} is invalid: ${why}.`, field);

function objectField(body: Json, field: string): Json {
  const v = body[field];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(field, 'expected an object');
  return v as Json;
}

function stringField(v: unknown, field: string): string {
  if (typeof v !== 'string') throw invalid(field, `expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** A merge patch of a map that leaves exactly `next` (keys no longer wanted become null). */
export function replacingMap(
  prev: Record<string, string | undefined> | undefined,
  next: Record<string, string>,
): Record<string, string | null> {
  const out: Record<string, string | null> = { ...next };
  for (const k of Object.keys(prev ?? {})) if (!(k in next)) out[k] = null;
  return out;
}

/** ARM tags: an object of strings (at most 50). */
export function tagsField(v: unknown): Record<string, string> {
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('tags', 'expected an object of strings');
  const entries = Object.entries(v as Json);
  if (entries.length > 50) throw invalid('tags', 'at most 50 tags are allowed');
  for (const [k, x] of entries) if (typeof x !== 'string') throw invalid(`tags.${k}`, `expected a string, got ${JSON.stringify(x)}`);
  return Object.fromEntries(entries) as Record<string, string>;
}
