// The ARM operations on simulated AKS resources, shared by `aksim serve` (HTTP) and the CLI.
// Each call reads and writes the aksim objects in Kubernetes; the operator does the work.
import { realSleep, wallNow } from '../runtime/clock.js';
import type { NodePoolSnapshot, NodePoolSnapshotStatus, SimCluster, SimNodePool, SimNodePoolSpec, SimOperation } from '../api/generated.js';
import { GROUP, VERSION } from '../api/generated.js';
import { agentPoolId, clusterId, parseAgentPoolId, snapshotId } from '../azure/ids.js';
import { captureSnapshot, checkNodeImage, checkPoolFitsSnapshot, checkUpgradeToSnapshot, parseSnapshotId, type SnapshotInfo } from '../azure/images-snapshots.js';
import { CATALOG_CONFIGMAP, DEFAULT_CATALOG, imagePrefix, isNewerImage, latestImage, parseCatalog, simulatedNow } from '../azure/images.js';
import { envSettings, parseSettings } from '../config.js';
import { ABORT_ANNOTATION } from '../../controllers/operations/abort.js';
import { apiMessage, isNotFound, statusCode, type KubeApi } from '../runtime/kube-api.js';
import { ArmError, notFound, operationInProgress, rgNotFound } from './errors.js';
import { agentPoolJson, managedClusterJson, operationJson, poolSpecFromArm, snapshotJson } from './shapes.js';

type Json = Record<string, unknown>;
export type Target = { kind: 'SimCluster'; rg: string; cluster: string } | { kind: 'SimNodePool'; rg: string; cluster: string; pool: string };
export interface Accepted {
  status: number;
  body?: Json;
  /** The operation the change started, when the operator picked it up in time. */
  operationId?: string;
  resourceId: string;
}

const poolObjectName = (cluster: string, pool: string): string => `${cluster}-${pool}`;

export class ArmService {
  constructor(
    readonly kube: KubeApi,
    readonly subscriptionId: string,
    /** How long a write waits for the operator to start the operation (real ms). */
    private readonly acceptWaitMs = 10_000,
  ) {}

  // ---- resource groups (namespaces)
  async ensureResourceGroup(rg: string): Promise<void> {
    try {
      await this.kube.readNamespace(rg);
    } catch (err: unknown) {
      if (isNotFound(err)) throw rgNotFound(rg);
      throw err;
    }
  }

  // ---- managed clusters
  async cluster(rg: string, name: string): Promise<SimCluster> {
    await this.ensureResourceGroup(rg);
    const c = await this.kube.get<SimCluster>('SimCluster', rg, name);
    if (!c) throw notFound('Microsoft.ContainerService/managedClusters', name, rg);
    return c;
  }

  async poolsOf(rg: string, cluster: string): Promise<SimNodePool[]> {
    return (await this.kube.list<SimNodePool>('SimNodePool', rg)).filter((p) => p.spec.clusterName === cluster);
  }

  async getCluster(rg: string, name: string): Promise<Json> {
    const c = await this.cluster(rg, name);
    return managedClusterJson(c, await this.poolsOf(rg, name), this.subscriptionId);
  }

  async listClusters(rg?: string): Promise<Json[]> {
    const namespaces = rg ? [rg] : (await this.kube.listNamespaces()).map((n) => n.metadata!.name!);
    if (rg) await this.ensureResourceGroup(rg);
    const out: Json[] = [];
    for (const ns of namespaces) {
      const [clusters, pools] = await Promise.all([this.kube.list<SimCluster>('SimCluster', ns), this.kube.list<SimNodePool>('SimNodePool', ns)]);
      for (const c of clusters) out.push(managedClusterJson(c, pools.filter((p) => p.spec.clusterName === c.metadata.name), this.subscriptionId));
    }
    return out;
  }

  /** PUT managedClusters: create (201) or update (200); refused while an operation runs. */
  async putCluster(rg: string, name: string, body: Json): Promise<Accepted> {
    await this.ensureResourceGroup(rg);
    const props = (body.properties ?? {}) as Json;
    const existing = await this.kube.get<SimCluster>('SimCluster', rg, name);
    const profiles = (props.agentPoolProfiles as Json[] | undefined)?.map((p) => ({ name: p.name as string, ...poolSpecFromArm(p) }));
    const spec: Json = {};
    if (body.location !== undefined) spec.location = String(body.location).toLowerCase().replace(/\s+/g, '');
    if (props.kubernetesVersion !== undefined) spec.kubernetesVersion = props.kubernetesVersion;
    if (props.dnsPrefix !== undefined) spec.dnsPrefix = props.dnsPrefix;
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
      if (!existing && (spec.kubernetesVersion === undefined || spec.kubernetesVersion === '')) spec.kubernetesVersion = snap.info.kubernetesVersion;
    }
    if (profiles) spec.agentPoolProfiles = profiles;
    if (!existing) {
      if (!profiles?.length) throw new ArmError(400, 'InvalidParameter', 'The value of parameter agentPoolProfiles is invalid: a managed cluster needs at least one agent pool.');
      await this.write(() => this.kube.create('SimCluster', rg, { metadata: { name, namespace: rg }, spec }));
    } else {
      this.refuseIfBusy(existing);
      await this.write(() => this.kube.patch('SimCluster', rg, name, { spec }));
    }
    const opId = await this.waitForOperation('SimCluster', rg, name);
    return { status: existing ? 200 : 201, body: await this.getCluster(rg, name), operationId: opId, resourceId: clusterId(this.subscriptionId, rg, name) };
  }

  async deleteCluster(rg: string, name: string): Promise<Accepted> {
    await this.cluster(rg, name); // 404 when it does not exist
    await this.kube.delete('SimCluster', rg, name);
    const opId = await this.waitForOperation('SimCluster', rg, name, true);
    return { status: 202, operationId: opId, resourceId: clusterId(this.subscriptionId, rg, name) };
  }

  // ---- agent pools
  async pool(rg: string, cluster: string, pool: string): Promise<SimNodePool> {
    await this.cluster(rg, cluster);
    const p = await this.kube.get<SimNodePool>('SimNodePool', rg, poolObjectName(cluster, pool));
    if (!p) throw notFound('Microsoft.ContainerService/managedClusters/agentPools', `${cluster}/${pool}`, rg);
    return p;
  }

  async getPool(rg: string, cluster: string, pool: string): Promise<Json> {
    return agentPoolJson(await this.pool(rg, cluster, pool), this.subscriptionId);
  }

  async listPools(rg: string, cluster: string): Promise<Json[]> {
    await this.cluster(rg, cluster);
    return (await this.poolsOf(rg, cluster)).map((p) => agentPoolJson(p, this.subscriptionId));
  }

  async putPool(rg: string, cluster: string, pool: string, body: Json): Promise<Accepted> {
    const c = await this.cluster(rg, cluster);
    const name = poolObjectName(cluster, pool);
    const existing = await this.kube.get<SimNodePool>('SimNodePool', rg, name);
    const props = (body.properties ?? {}) as Json;
    const spec: Json = { ...poolSpecFromArm(props) };
    await this.shapePoolSpec(spec, existing, pool, props.nodeImageOnly === true);
    if (!existing) {
      await this.write(() =>
        this.kube.create('SimNodePool', rg, {
          metadata: { name, namespace: rg, labels: { 'aksim.io/cluster': cluster }, ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'SimCluster', name: cluster, uid: c.metadata.uid!, blockOwnerDeletion: true }] },
          spec: { ...spec, clusterName: cluster, name: pool },
        }),
      );
    } else {
      this.refuseIfBusy(existing);
      await this.write(() => this.kube.patch('SimNodePool', rg, name, { spec }));
    }
    const opId = await this.waitForOperation('SimNodePool', rg, name);
    return { status: existing ? 200 : 201, body: await this.getPool(rg, cluster, pool), operationId: opId, resourceId: agentPoolId(this.subscriptionId, rg, cluster, pool) };
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
    if (ref) {
      const snap = await this.snapshotById(ref);
      if (!existing) {
        spec.osType ??= snap.info.osType;
        spec.osSKU ??= snap.info.osSku;
        spec.vmSize ??= snap.info.vmSize;
        spec.orchestratorVersion ??= snap.info.kubernetesVersion;
        spec.enableFIPS ??= snap.info.enableFIPS;
      }
      const misfit = checkPoolFitsSnapshot(snap.name, snap.info, { name: poolName, vmSize: String(existing?.spec.vmSize ?? spec.vmSize), osType: (existing?.spec.osType ?? spec.osType) as string | undefined, osSKU: (existing?.spec.osSKU ?? spec.osSKU) as string | undefined });
      if (misfit) throw new ArmError(400, misfit.code, misfit.message);
      if (existing) {
        const bad = checkUpgradeToSnapshot({ snapName: snap.name, snap: snap.info, poolName, poolVersion: existing.status?.currentOrchestratorVersion ?? '', poolImage: existing.status?.nodeImageVersion ?? '', nodeImageOnly });
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
      if (!latest) throw new ArmError(409, 'OperationNotAllowed', `The latest node image of agent pool ${poolName} is not known yet; try again once the pool has been reconciled.`);
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
      const osSku = pool.spec.osSKU ?? (osType === 'Windows' ? 'Windows2022' : 'Ubuntu');
      fromCatalog = latestImage(data, osSku, pool.spec.enableFIPS ?? false, simulatedNow(data, wallNow(), created, 1));
    } catch {
      fromCatalog = undefined; // a malformed catalog: the operator's view stands
    }
    if (!published) return fromCatalog;
    return fromCatalog && imagePrefix(fromCatalog) === imagePrefix(published) && isNewerImage(fromCatalog, published) ? fromCatalog : published;
  }

  /** POST .../agentPools/{pool}/upgradeNodeImageVersion: the latest node image. */
  async upgradeNodeImage(rg: string, cluster: string, pool: string): Promise<Accepted> {
    await this.pool(rg, cluster, pool);
    const a = await this.putPool(rg, cluster, pool, { properties: { nodeImageOnly: true } });
    return { ...a, status: 202 };
  }

  // ---- node pool snapshots (Microsoft.ContainerService/snapshots); object names are lowercase
  async snapshot(rg: string, name: string): Promise<NodePoolSnapshot> {
    await this.ensureResourceGroup(rg);
    const s = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', rg, name.toLowerCase());
    if (!s) throw notFound('Microsoft.ContainerService/snapshots', name, rg);
    return s;
  }

  /** A captured snapshot by ARM id, for making or upgrading a pool from it. */
  async snapshotById(id: string): Promise<{ name: string; info: SnapshotInfo }> {
    const p = parseSnapshotId(id);
    if (!p) throw new ArmError(400, 'InvalidParameter', `The snapshot id ${id} is not valid: expected /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/snapshots/<name>.`);
    const rg = p.resourceGroup.toLowerCase();
    const s = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', rg, p.name.toLowerCase()).catch(() => undefined);
    if (!s) throw new ArmError(404, 'SnapshotNotFound', `The snapshot ${id} was not found.`);
    const st = s.status ?? {};
    if (st.provisioningState !== 'Succeeded' || !st.nodeImageVersion || !st.kubernetesVersion) throw new ArmError(400, 'SnapshotNotReady', `Snapshot ${p.name} has not captured its source pool (provisioningState ${st.provisioningState ?? 'Creating'}).`);
    return {
      name: s.metadata.name!,
      info: { kubernetesVersion: st.kubernetesVersion, nodeImageVersion: st.nodeImageVersion, osType: st.osType ?? 'Linux', osSku: st.osSku ?? 'Ubuntu', vmSize: st.vmSize ?? 'Standard_D2s_v3', enableFIPS: st.enableFIPS ?? false, location: st.location ?? 'eastus' },
    };
  }

  async getSnapshot(rg: string, name: string): Promise<Json> {
    return snapshotJson(await this.snapshot(rg, name), this.subscriptionId);
  }

  async listSnapshots(rg?: string): Promise<Json[]> {
    if (rg) await this.ensureResourceGroup(rg);
    const namespaces = rg ? [rg] : (await this.kube.listNamespaces()).map((n) => n.metadata!.name!);
    const out: Json[] = [];
    for (const ns of namespaces) for (const s of await this.kube.list<NodePoolSnapshot>('NodePoolSnapshot', ns)) out.push(snapshotJson(s, this.subscriptionId));
    return out;
  }

  /** PUT snapshots/{name}: captures the source agent pool now (201); a snapshot never changes (200 for the same source). */
  async putSnapshot(rg: string, name: string, body: Json): Promise<{ status: number; body: Json }> {
    await this.ensureResourceGroup(rg);
    const props = (body.properties ?? {}) as Json;
    const src = (props.creationData as Json | undefined)?.sourceResourceId;
    if (typeof src !== 'string' || !src) throw new ArmError(400, 'InvalidParameter', 'properties.creationData.sourceResourceId (the agent pool to snapshot) is required.');
    if (props.snapshotType !== undefined && props.snapshotType !== 'NodePool') throw new ArmError(400, 'InvalidParameter', `snapshotType ${String(props.snapshotType)} is not supported here: snapshots of agent pools are NodePool snapshots.`);
    const objName = name.toLowerCase();
    const existing = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', rg, objName);
    if (existing) {
      if (existing.spec.creationData.sourceResourceId.toLowerCase() !== src.toLowerCase()) throw new ArmError(409, 'PropertyChangeNotAllowed', `Snapshot ${name} already exists with another source; a snapshot is immutable.`);
      return { status: 200, body: snapshotJson(existing, this.subscriptionId) };
    }
    const ap = parseAgentPoolId(src);
    if (!ap) throw new ArmError(400, 'InvalidParameter', `creationData.sourceResourceId ${src} is not an agent pool id (.../managedClusters/<cluster>/agentPools/<pool>).`);
    const srcRg = ap.resourceGroup.toLowerCase();
    const cluster = await this.cluster(srcRg, ap.cluster.toLowerCase());
    const pool = await this.pool(srcRg, ap.cluster.toLowerCase(), ap.pool);
    const got = captureSnapshot(pool, cluster.spec.location ?? 'eastus', body.location === undefined ? undefined : String(body.location));
    if (got.refusal) throw new ArmError(400, got.refusal.code, got.refusal.message);
    const info = got.info!;
    const tags = body.tags as Record<string, string> | undefined;
    await this.write(() => this.kube.create('NodePoolSnapshot', rg, { metadata: { name: objName, namespace: rg }, spec: { creationData: { sourceResourceId: src }, snapshotType: 'NodePool', location: info.location, ...(tags ? { tags } : {}) } }));
    const nowIso = new Date(wallNow()).toISOString();
    const status: NodePoolSnapshotStatus = {
      id: snapshotId(this.subscriptionId, rg, objName),
      provisioningState: 'Succeeded',
      ...info,
      createdAt: nowIso,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `captured ${info.kubernetesVersion} / ${info.nodeImageVersion} from agent pool ${pool.spec.name}`, lastTransitionTime: nowIso }],
    };
    try {
      await this.kube.patchStatus('NodePoolSnapshot', rg, objName, status);
    } catch (err: unknown) {
      if (statusCode(err) !== 422) throw err; // the operator captured it first (the same values)
    }
    return { status: 201, body: await this.getSnapshot(rg, objName) };
  }

  async deleteSnapshot(rg: string, name: string): Promise<{ status: number }> {
    await this.ensureResourceGroup(rg);
    const s = await this.kube.get<NodePoolSnapshot>('NodePoolSnapshot', rg, name.toLowerCase());
    if (!s) return { status: 204 };
    await this.kube.delete('NodePoolSnapshot', rg, name.toLowerCase());
    return { status: 200 };
  }

  async deletePool(rg: string, cluster: string, pool: string): Promise<Accepted> {
    const p = await this.pool(rg, cluster, pool);
    if ((p.spec.mode ?? 'User') === 'System') {
      const systems = (await this.poolsOf(rg, cluster)).filter((x) => (x.spec.mode ?? 'User') === 'System' && !x.metadata.deletionTimestamp);
      if (systems.length <= 1) throw new ArmError(400, 'OperationNotAllowed', `Agent pool ${pool} is the last System mode pool of ${cluster}: a cluster needs at least one System mode agent pool.`);
    }
    const c = await this.cluster(rg, cluster);
    const i = (c.spec.agentPoolProfiles ?? []).findIndex((pr) => pr.name === pool);
    if (i >= 0) {
      this.refuseIfBusy(c);
      await this.write(() => this.kube.patchJson('SimCluster', rg, cluster, [{ op: 'test', path: `/spec/agentPoolProfiles/${i}/name`, value: pool }, { op: 'remove', path: `/spec/agentPoolProfiles/${i}` }]));
    }
    await this.kube.delete('SimNodePool', rg, p.metadata.name!);
    const opId = await this.waitForOperation('SimNodePool', rg, p.metadata.name!, true);
    return { status: 202, operationId: opId, resourceId: agentPoolId(this.subscriptionId, rg, cluster, pool) };
  }

  // ---- operations and abort
  private async targetObject(t: Target): Promise<SimCluster | SimNodePool> {
    return t.kind === 'SimCluster' ? this.cluster(t.rg, t.cluster) : this.pool(t.rg, t.cluster, t.pool);
  }

  async listOperations(t: Target): Promise<Json[]> {
    const obj = await this.targetObject(t);
    const ops = await this.kube.list<SimOperation>('SimOperation', t.rg, `aksim.io/target-kind=${t.kind},aksim.io/target=${obj.metadata.name}`);
    return ops
      .filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === obj.metadata.uid))
      .sort((a, b) => (b.status?.startTime ?? '').localeCompare(a.status?.startTime ?? '') || (b.metadata.creationTimestamp! > a.metadata.creationTimestamp! ? 1 : -1))
      .map(operationJson);
  }

  /** GET .../operations/{id}; id "latest" is the most recent one. */
  async getOperation(t: Target, id: string): Promise<Json> {
    const ops = await this.listOperations(t);
    const op = id.toLowerCase() === 'latest' ? ops[0] : ops.find((o) => String(o.name).toLowerCase() === id.toLowerCase());
    if (!op) throw new ArmError(404, 'NotFound', id.toLowerCase() === 'latest' ? 'No operation has run on this resource.' : `Operation ${id} was not found.`);
    return op;
  }

  /** POST .../abort: 204 when the running operation will be canceled, 409 when nothing runs. */
  async abort(t: Target): Promise<Accepted> {
    const obj = await this.targetObject(t);
    const cur = obj.status?.currentOperation;
    const resourceId = t.kind === 'SimCluster' ? clusterId(this.subscriptionId, t.rg, t.cluster) : agentPoolId(this.subscriptionId, t.rg, t.cluster, t.pool);
    if (!cur?.operationId || cur.type === 'Delete') {
      throw new ArmError(409, 'OperationNotAllowed', `Cancel operation is not allowed when the ProvisioningState is ${obj.status?.provisioningState ?? 'Succeeded'}.`);
    }
    await this.kube.patch(t.kind, t.rg, obj.metadata.name!, { metadata: { annotations: { [ABORT_ANNOTATION]: cur.operationId } } });
    return { status: 204, operationId: cur.operationId, resourceId };
  }

  // ---- helpers
  private refuseIfBusy(o: SimCluster | SimNodePool): void {
    const cur = o.status?.currentOperation;
    if (cur) throw operationInProgress(cur.state ?? 'Updating');
  }

  /** API server refusals become ARM errors a person can read. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err: unknown) {
      const code = statusCode(err);
      const msg = apiMessage(err);
      if (code === 422 && msg.includes('Another operation')) throw new ArmError(409, 'OperationNotAllowed', msg.slice(msg.indexOf('Another operation')).replace(/[\]"]+$/, ''), undefined, { cause: err });
      if (code === 422 || code === 400) throw new ArmError(400, 'InvalidParameter', msg, undefined, { cause: err });
      if (code === 409) throw new ArmError(409, 'Conflict', msg, undefined, { cause: err });
      throw err;
    }
  }

  /** Waits until the operator has started the operation for the latest generation (or the delete). */
  private async waitForOperation(kind: 'SimCluster' | 'SimNodePool', rg: string, name: string, deleting = false): Promise<string | undefined> {
    const end = wallNow() + this.acceptWaitMs;
    while (wallNow() < end) {
      const o = await this.kube.get<SimCluster | SimNodePool>(kind, rg, name);
      if (!o) return undefined;
      const cur = o.status?.currentOperation;
      if (deleting ? cur?.type === 'Delete' : (o.status?.lastOperationGeneration ?? 0) >= (o.metadata.generation ?? 0) && cur?.operationId) return cur?.operationId;
      if (!deleting && (o.status?.lastOperationGeneration ?? 0) >= (o.metadata.generation ?? 0) && !cur) {
        const ops = await this.kube.list<SimOperation>('SimOperation', rg, `aksim.io/target-kind=${kind},aksim.io/target=${name}`);
        const latest = ops.sort((a, b) => (b.status?.startTime ?? '').localeCompare(a.status?.startTime ?? ''))[0];
        return latest?.spec.operationId;
      }
      await realSleep(100);
    }
    return undefined;
  }
}
