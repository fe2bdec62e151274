// A thin typed wrapper over @kubernetes/client-node: custom resources by kind, status writes,
// server-side apply, the core writes the controllers make (Nodes, Pods, evictions, Events), and a
// write counter: every write goes through a method here, which counts it (bench/ and /metrics
// report writes per operation). Reads may use the generated API classes directly.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  ServerConfiguration,
  createConfiguration,
  setHeaderOptions,
  type EventsV1Event,
  type RequestContext,
  type SecurityAuthentication,
  type V1ConfigMap,
  type V1Lease,
  type V1Namespace,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { GROUP, PLURALS, VERSION } from '../api/generated.js';
import { nodeHttp, requestKind } from './http.js';
import { isNotFound, type Kind, type KubeApi, type KubeCredentials } from './kube-api.js';

export type { Kind, KubeApi } from './kube-api.js';
export { apiMessage, isConflict, isNotFound, isTooManyRequests, KubeError, statusCode } from './kube-api.js';

/** Counts API writes by verb and resource so benchmarks and metrics can report them. */
export type WriteHook = (verb: string, resource: string) => void;
/** Hears every request the typed client made (reads too), as the API server names it, with its HTTP status (0: no answer). */
export type RequestHook = (verb: string, resource: string, status: number) => void;

/** Connections kept open per API server; requests beyond it wait for a free one. */
const MAX_SOCKETS = 32;

/**
 * The kubeconfig's credentials with one keep-alive connection pool. client-node builds a new
 * https.Agent for every request, so each call would open a new TLS connection (a handshake and a
 * new secure context on both sides): at 500 nodes that was half the operator's CPU. This keeps
 * the headers client-node sets (tokens, basic auth) and reuses one agent built from its options;
 * src/runtime/http.ts sends the requests on it.
 */
class PooledAuth implements SecurityAuthentication {
  private agent: HttpAgent | undefined;
  constructor(
    private readonly kc: KubeConfig,
    private readonly fence: () => WriteFence | undefined,
  ) {}

  getName(): string {
    return 'default';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const refusal = isFencedWrite(context.getHttpMethod().toString(), context.getUrl()) ? this.fence()?.() : undefined;
    if (refusal) throw new NotLeaderError(refusal);
    await this.kc.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!fresh || this.kc.getCurrentCluster()?.proxyUrl) return; // proxies keep client-node's own agent
    if (!this.agent) {
      const options = { ...(fresh as HttpsAgent & { options: AgentOptions }).options, keepAlive: true, maxSockets: MAX_SOCKETS };
      this.agent = fresh instanceof HttpsAgent ? new HttpsAgent(options) : new HttpAgent(options);
    }
    context.setAgent(this.agent);
  }
}

/** Says why this process must not write now (e.g. its leader lease ran out), or undefined. */
export type WriteFence = () => string | undefined;

/** A write refused before it was sent, because this process does not (or no longer surely) lead. */
export class NotLeaderError extends Error {
  readonly code = 503;
  constructor(reason: string) {
    super(`write not sent: ${reason}`);
    this.name = 'NotLeaderError';
  }
}

/** Writes the fence applies to: every write except to Leases (the election itself). */
export function isFencedWrite(method: string, url: string): boolean {
  return (
    !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) &&
    !/\/apis\/coordination\.k8s\.io\/v1\/namespaces\/[^/]+\/leases(\/|\?|$)/.test(url)
  );
}

export class Kube implements KubeApi {
  /** Consulted before every write (src/runtime/leader.ts): a refusal fails the call unsent. */
  fence: WriteFence | undefined;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly eventsApi: EventsV1Api;
  readonly policy: PolicyV1Api;
  readonly custom: CustomObjectsApi;
  onWrite: WriteHook = () => {};
  onRequest: RequestHook = () => {};

  constructor(readonly kc: KubeConfig) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const config = createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: new PooledAuth(kc, () => this.fence) },
      httpApi: nodeHttp((method, url, status) => {
        const { verb, resource } = requestKind(method, url);
        this.onRequest(verb, resource, status);
      }),
    });
    this.core = new CoreV1Api(config);
    this.coordination = new CoordinationV1Api(config);
    this.eventsApi = new EventsV1Api(config);
    this.policy = new PolicyV1Api(config);
    this.custom = new CustomObjectsApi(config);
  }

  static fromFile(path?: string): Kube {
    const kc = new KubeConfig();
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
    return new Kube(kc);
  }

  private wrote(verb: string, resource: string): void {
    this.onWrite(verb, resource);
  }

  private co(kind: Kind, namespace: string): { group: string; version: string; namespace: string; plural: string } {
    return { group: GROUP, version: VERSION, namespace, plural: PLURALS[kind] };
  }

  async get<T>(kind: Kind, namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...this.co(kind, namespace), name })) as T;
    } catch (err: unknown) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list<T>(kind: Kind, namespace: string, labelSelector?: string): Promise<T[]> {
    const res = (await this.custom.listNamespacedCustomObject({ ...this.co(kind, namespace), labelSelector })) as { items: T[] };
    return res.items;
  }

  async listAll<T>(kind: Kind, labelSelector?: string): Promise<T[]> {
    const res = (await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURALS[kind], labelSelector })) as {
      items: T[];
    };
    return res.items;
  }

  async create<T extends object>(kind: Kind, namespace: string, body: T): Promise<T> {
    this.wrote('create', kind);
    return (await this.custom.createNamespacedCustomObject({
      ...this.co(kind, namespace),
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, ...body },
    })) as T;
  }

  /** JSON merge patch of the main resource (spec, metadata), optionally as a named field manager. */
  async patch<T>(kind: Kind, namespace: string, name: string, body: object, opts: { fieldManager?: string } = {}): Promise<T> {
    this.wrote('patch', kind);
    return (await this.custom.patchNamespacedCustomObject(
      { ...this.co(kind, namespace), name, body, fieldManager: opts.fieldManager },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as T;
  }

  /** RFC 6902 JSON patch (for one item of a list, e.g. a cluster's agentPoolProfiles[i].count). */
  async patchJson<T>(kind: Kind, namespace: string, name: string, ops: object[]): Promise<T> {
    this.wrote('patch', kind);
    return (await this.custom.patchNamespacedCustomObject(
      { ...this.co(kind, namespace), name, body: ops },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )) as T;
  }

  /**
   * JSON merge patch of the status subresource. With a resourceVersion the write applies only to
   * that version of the object (409 otherwise).
   */
  async patchStatus<T>(kind: Kind, namespace: string, name: string, status: object, opts: { resourceVersion?: string } = {}): Promise<T> {
    this.wrote('patch-status', kind);
    const body = opts.resourceVersion === undefined ? { status } : { metadata: { resourceVersion: opts.resourceVersion }, status };
    return (await this.custom.patchNamespacedCustomObjectStatus(
      { ...this.co(kind, namespace), name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as T;
  }

  /** Server-side apply with a fixed field manager: idempotent desired-state writes. */
  async apply<T extends object>(kind: Kind, namespace: string, name: string, body: T, fieldManager: string): Promise<T> {
    this.wrote('apply', kind);
    return (await this.custom.patchNamespacedCustomObject(
      {
        ...this.co(kind, namespace),
        name,
        body: { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace }, ...body },
        fieldManager,
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    )) as T;
  }

  /** Deletes; NotFound counts as success. */
  async delete(kind: Kind, namespace: string, name: string): Promise<void> {
    this.wrote('delete', kind);
    try {
      await this.custom.deleteNamespacedCustomObject({ ...this.co(kind, namespace), name });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Merge-patches a Namespace (a resource group's tags). */
  async patchNamespace(name: string, body: object): Promise<void> {
    this.wrote('patch', 'Namespace');
    await this.core.patchNamespace({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }

  /** Merge-patches a Node (cluster-scoped). */
  async patchNode(name: string, body: object): Promise<void> {
    this.wrote('patch', 'Node');
    await this.core.patchNode({ name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }

  async createNode(body: V1Node): Promise<V1Node> {
    this.wrote('create', 'Node');
    return this.core.createNode({ body });
  }

  /** Deletes a Node; NotFound counts as success. */
  async deleteNode(name: string): Promise<void> {
    this.wrote('delete', 'Node');
    try {
      await this.core.deleteNode({ name });
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Strategic merge patch of a Node's status (conditions merge by type). */
  async patchNodeStatus(name: string, body: object): Promise<void> {
    this.wrote('patch', 'Node/status');
    await this.core.patchNodeStatus({ name, body }, SMP);
  }

  async createPod(namespace: string, body: V1Pod): Promise<V1Pod> {
    this.wrote('create', 'Pod');
    return this.core.createNamespacedPod({ namespace, body });
  }

  /** Deletes a Pod at once (grace period 0). */
  async deletePod(namespace: string, name: string): Promise<void> {
    this.wrote('delete', 'Pod');
    await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  }

  /** Strategic merge patch of a Pod (labels, annotations, container images). */
  async patchPod(namespace: string, name: string, body: object): Promise<void> {
    this.wrote('patch', 'Pod');
    await this.core.patchNamespacedPod({ name, namespace, body }, SMP);
  }

  /** Strategic merge patch of a Pod's status (conditions merge by type). */
  async patchPodStatus(namespace: string, name: string, body: object): Promise<void> {
    this.wrote('patch-status', 'Pod');
    await this.core.patchNamespacedPodStatus({ name, namespace, body }, SMP);
  }

  /** Asks the eviction API to evict a Pod (429: a PodDisruptionBudget does not allow it now). */
  async evictPod(namespace: string, name: string): Promise<void> {
    this.wrote('create', 'Eviction');
    await this.core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
  }

  async createEvent(namespace: string, body: EventsV1Event): Promise<void> {
    this.wrote('create', 'Event');
    await this.eventsApi.createNamespacedEvent({ namespace, body });
  }

  /** RFC 6902 JSON patch of an Event (its series). */
  async patchEvent(namespace: string, name: string, ops: object[]): Promise<void> {
    this.wrote('patch', 'Event');
    await this.eventsApi.patchNamespacedEvent({ name, namespace, body: ops });
  }

  // ---- the reads and namespace writes of KubeApi (kube-api.ts) that the ARM layer and the CLI make
  readNamespace(name: string): Promise<V1Namespace> {
    return this.core.readNamespace({ name });
  }

  async listNamespaces(): Promise<V1Namespace[]> {
    return (await this.core.listNamespace()).items;
  }

  createNamespace(body: V1Namespace): Promise<V1Namespace> {
    this.wrote('create', 'Namespace');
    return this.core.createNamespace({ body });
  }

  async deleteNamespace(name: string): Promise<void> {
    this.wrote('delete', 'Namespace');
    await this.core.deleteNamespace({ name });
  }

  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap> {
    return this.core.readNamespacedConfigMap({ name, namespace });
  }

  readNode(name: string): Promise<V1Node> {
    return this.core.readNode({ name });
  }

  async listNodes(labelSelector?: string): Promise<V1Node[]> {
    return (await this.core.listNode({ labelSelector })).items;
  }

  readLease(namespace: string, name: string): Promise<V1Lease> {
    return this.coordination.readNamespacedLease({ name, namespace });
  }

  async credentials(): Promise<KubeCredentials | undefined> {
    const cluster = this.kc.getCurrentCluster();
    const user = this.kc.getCurrentUser();
    if (!cluster || !user) return undefined;
    const data = (inline: string | undefined, file: string | undefined): string | undefined =>
      inline ?? (file ? readFileSync(file).toString('base64') : undefined);
    return {
      server: cluster.server,
      caData: data(cluster.caData, cluster.caFile),
      skipTLSVerify: cluster.skipTLSVerify,
      certData: data(user.certData, user.certFile),
      keyData: data(user.keyData, user.keyFile),
      token: user.token,
      username: user.username,
      password: user.password,
      exec: user.exec ?? undefined,
    };
  }
}

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
