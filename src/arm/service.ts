// The ARM operations on simulated AKS resources, shared by `aksim serve` (HTTP) and the CLI.
// Each call reads and writes the aksim objects in Kubernetes; the operator does the work.
import type { SimCluster, SimNodePool, SimOperation } from '../api/generated.js';
import { GROUP, VERSION } from '../api/generated.js';
import { agentPoolId, clusterId } from '../azure/ids.js';
import { ABORT_ANNOTATION } from '../../controllers/operations/abort.js';
import { apiMessage, isNotFound, statusCode, type Kube } from '../runtime/client.js';
import { ArmError, notFound, operationInProgress, rgNotFound } from './errors.js';
import { agentPoolJson, managedClusterJson, operationJson, poolSpecFromArm } from './shapes.js';

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
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ArmService {
  constructor(
    readonly kube: Kube,
    readonly subscriptionId: string,
    /** How long a write waits for the operator to start the operation (real ms). */
    private readonly acceptWaitMs = 10_000,
  ) {}

  // ---- resource groups (namespaces)
  async ensureResourceGroup(rg: string): Promise<void> {
    try {
      await this.kube.core.readNamespace({ name: rg });
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
    const namespaces = rg ? [rg] : (await this.kube.core.listNamespace()).items.map((n) => n.metadata!.name!);
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
    const c = await this.cluster(rg, name);
    await this.kube.delete('SimCluster', rg, name);
    const opId = await this.waitForOperation('SimCluster', rg, name, c.metadata.generation, true);
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
    const spec = poolSpecFromArm((body.properties ?? {}) as Json);
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
    const opId = await this.waitForOperation('SimNodePool', rg, p.metadata.name!, p.metadata.generation, true);
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
      if (code === 422 && msg.includes('Another operation')) throw new ArmError(409, 'OperationNotAllowed', msg.slice(msg.indexOf('Another operation')).replace(/[\]"]+$/, ''), { cause: err });
      if (code === 422 || code === 400) throw new ArmError(400, 'InvalidParameter', msg, { cause: err });
      if (code === 409) throw new ArmError(409, 'Conflict', msg, { cause: err });
      throw err;
    }
  }

  /** Waits until the operator has started the operation for the latest generation (or the delete). */
  private async waitForOperation(kind: 'SimCluster' | 'SimNodePool', rg: string, name: string, _gen?: number, deleting = false): Promise<string | undefined> {
    const end = Date.now() + this.acceptWaitMs;
    while (Date.now() < end) {
      const o = await this.kube.get<SimCluster | SimNodePool>(kind, rg, name);
      if (!o) return undefined;
      const cur = o.status?.currentOperation;
      if (deleting ? cur?.type === 'Delete' : (o.status?.lastOperationGeneration ?? 0) >= (o.metadata.generation ?? 0) && cur?.operationId) return cur?.operationId;
      if (!deleting && (o.status?.lastOperationGeneration ?? 0) >= (o.metadata.generation ?? 0) && !cur) {
        const ops = await this.kube.list<SimOperation>('SimOperation', rg, `aksim.io/target-kind=${kind},aksim.io/target=${name}`);
        const latest = ops.sort((a, b) => (b.status?.startTime ?? '').localeCompare(a.status?.startTime ?? ''))[0];
        return latest?.spec.operationId;
      }
      await sleep(100);
    }
    return undefined;
  }
}
