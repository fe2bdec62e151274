// A thin typed wrapper over @kubernetes/client-node: custom resources by kind, status writes,
// server-side apply, and a write counter (bench/ reports writes per operation).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import {
  ApiException,
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
  type RequestContext,
  type SecurityAuthentication,
} from '@kubernetes/client-node';
import { GROUP, PLURALS, VERSION } from '../api/generated.js';
import { nodeHttp } from './http.js';

export type Kind = keyof typeof PLURALS;

/** Counts API writes by verb and resource so benchmarks and metrics can report them. */
export type WriteHook = (verb: string, resource: string) => void;

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
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) && !/\/apis\/coordination\.k8s\.io\/v1\/namespaces\/[^/]+\/leases(\/|\?|$)/.test(url);
}

export class Kube {
  /** Consulted before every write (src/runtime/leader.ts): a refusal fails the call unsent. */
  fence: WriteFence | undefined;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  readonly eventsApi: EventsV1Api;
  readonly policy: PolicyV1Api;
  readonly custom: CustomObjectsApi;
  onWrite: WriteHook = () => {};

  constructor(readonly kc: KubeConfig) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const config = createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: new PooledAuth(kc, () => this.fence) }, httpApi: nodeHttp });
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

  wrote(verb: string, resource: string): void {
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

  async create<T extends object>(kind: Kind, namespace: string, body: T): Promise<T> {
    this.wrote('create', kind);
    return (await this.custom.createNamespacedCustomObject({
      ...this.co(kind, namespace),
      body: { apiVersion: `${GROUP}/${VERSION}`, kind, ...body },
    })) as T;
  }

  /** JSON merge patch of the main resource (spec, metadata). */
  async patch<T>(kind: Kind, namespace: string, name: string, body: object): Promise<T> {
    this.wrote('patch', kind);
    return (await this.custom.patchNamespacedCustomObject(
      { ...this.co(kind, namespace), name, body },
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

  /** JSON merge patch of the status subresource. */
  async patchStatus<T>(kind: Kind, namespace: string, name: string, status: object): Promise<T> {
    this.wrote('patch-status', kind);
    return (await this.custom.patchNamespacedCustomObjectStatus(
      { ...this.co(kind, namespace), name, body: { status } },
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
}

export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const c = (err as { code?: unknown; statusCode?: unknown } | null)?.code ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof c === 'number' ? c : undefined;
}
export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;
export const isTooManyRequests = (err: unknown): boolean => statusCode(err) === 429;

/** The API server's message inside an ApiException body, for errors people read. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      if (body && typeof body.message === 'string') return body.message;
    } catch {
      // body was not JSON
    }
    return `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}
