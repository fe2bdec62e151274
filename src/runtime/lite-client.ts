// The CLI's Kubernetes client: the KubeApi calls as JSON over node:https on one keep-alive
// connection, from a kubeconfig read by kubeconfig.ts. It exists because importing
// @kubernetes/client-node takes seconds; the CLI loads client-node only for what this does
// not do (exec and auth-provider plugins, proxies, merged or in-cluster configs).
import { readFileSync } from 'node:fs';
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { V1ConfigMap, V1Lease, V1Namespace, V1Node } from '@kubernetes/client-node';
import { GROUP, PLURALS, VERSION } from '../api/generated.js';
import { realSleep } from './clock.js';
import { locateKubeconfig, resolveKubeconfig, type Connection } from './kubeconfig.js';
import { isNotFound, KubeError, type Kind, type KubeApi, type KubeCredentials } from './kube-api.js';

const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml'; // JSON is YAML

/** The API path of a custom resource (collection when name is undefined; all namespaces when namespace is undefined). */
export function customPath(kind: Kind, namespace: string | undefined, name?: string, sub?: 'status'): string {
  const seg = (s: string): string => encodeURIComponent(s);
  let p = `/apis/${GROUP}/${VERSION}`;
  if (namespace !== undefined) p += `/namespaces/${seg(namespace)}`;
  p += `/${PLURALS[kind]}`;
  if (name !== undefined) p += `/${seg(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

/** A query string from the defined values ('' when none). */
export function query(params: Record<string, string | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The error for a non-2xx answer: the Status message when the body is one. */
export function errorOf(code: number, method: string, path: string, text: string): KubeError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const msg = (body as { message?: unknown } | null)?.message;
  return new KubeError(
    code,
    body,
    typeof msg === 'string' && msg ? msg : `${method} ${path}: HTTP ${code}${text ? ` ${text.slice(0, 200)}` : ''}`,
  );
}

/**
 * How many times a request answered with Retry-After (429, or a 5xx that carries it: kube-apiserver
 * while its storage (re)initializes, priority and fairness) is sent again, as client-go (kubectl)
 * does: such an answer means the request was not processed.
 */
export const MAX_RETRY_AFTER = 10;

/** The seconds of a Retry-After header worth waiting for (0-10; undefined: none or not a number). */
export function retryAfterS(code: number, header: string | string[] | undefined): number | undefined {
  if (code !== 429 && code < 500) return undefined;
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Math.min(10, Number(v));
}

type Send = (url: URL, options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

export class LiteKube implements KubeApi {
  private readonly url: URL;
  /** node:https (with tls and crypto) loads on the first request, not at start-up (`aksim --version`). */
  private transport: Promise<{ agent: Agent; send: Send }> | undefined;
  private readonly headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'aksim-cli' };

  constructor(readonly connection: Connection) {
    this.url = new URL(connection.server);
    if (connection.token) this.headers.Authorization = `Bearer ${connection.token}`;
    else if (connection.username !== undefined)
      this.headers.Authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password ?? ''}`).toString('base64')}`;
    if (connection.impersonate) this.headers['Impersonate-User'] = connection.impersonate;
  }

  /** One keep-alive connection pool with the kubeconfig's TLS material. */
  private async connect(): Promise<{ agent: Agent; send: Send }> {
    const c = this.connection;
    if (this.url.protocol === 'http:') {
      const http = await import('node:http');
      return { agent: new http.Agent({ keepAlive: true, maxSockets: 16 }), send: http.request };
    }
    const https = await import('node:https');
    const tls = { ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: !c.skipTLSVerify, servername: c.tlsServerName };
    return { agent: new https.Agent({ keepAlive: true, maxSockets: 16, ...tls }), send: https.request };
  }

  /**
   * One API call; resolves to the decoded JSON answer, rejects with a KubeError on non-2xx. An
   * answer with Retry-After is waited for and sent again, up to MAX_RETRY_AFTER times.
   */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.send<T>(method, path, body, contentType);
      if (!('retryAfterS' in r)) return r.value;
      if (attempt >= MAX_RETRY_AFTER) throw r.err;
      await realSleep(r.retryAfterS * 1000);
    }
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    contentType: string,
  ): Promise<{ value: T } | { err: KubeError; retryAfterS: number }> {
    const { agent, send } = await (this.transport ??= this.connect());
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { ...this.headers };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const base = this.url.pathname.replace(/\/+$/, ''); // a server URL may carry a path prefix
    const target = new URL(base + path, this.url);
    return new Promise((resolve, reject) => {
      const req = send(target, { method, headers, agent }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) {
            const err = errorOf(code, method, path, text);
            const wait = retryAfterS(code, res.headers['retry-after']);
            return wait === undefined ? reject(err) : resolve({ err, retryAfterS: wait });
          }
          try {
            resolve({ value: (text ? JSON.parse(text) : undefined) as T });
          } catch (err: unknown) {
            reject(new Error(`${method} ${path}: the API server's answer is not JSON`, { cause: err }));
          }
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async get<T>(kind: Kind, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', customPath(kind, namespace, name));
    } catch (err: unknown) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list<T>(kind: Kind, namespace: string, labelSelector?: string): Promise<T[]> {
    return (await this.request<{ items: T[] }>('GET', customPath(kind, namespace) + query({ labelSelector }))).items;
  }

  async listAll<T>(kind: Kind, labelSelector?: string): Promise<T[]> {
    return (await this.request<{ items: T[] }>('GET', customPath(kind, undefined) + query({ labelSelector }))).items;
  }

  create<T extends object>(kind: Kind, namespace: string, body: T): Promise<T> {
    return this.request<T>('POST', customPath(kind, namespace), { apiVersion: `${GROUP}/${VERSION}`, kind, ...body });
  }

  patch<T>(kind: Kind, namespace: string, name: string, body: object): Promise<T> {
    return this.request<T>('PATCH', customPath(kind, namespace, name), body, MERGE);
  }

  patchJson<T>(kind: Kind, namespace: string, name: string, ops: object[]): Promise<T> {
    return this.request<T>('PATCH', customPath(kind, namespace, name), ops, JSON_PATCH);
  }

  patchStatus<T>(kind: Kind, namespace: string, name: string, status: object): Promise<T> {
    return this.request<T>('PATCH', customPath(kind, namespace, name, 'status'), { status }, MERGE);
  }

  apply<T extends object>(kind: Kind, namespace: string, name: string, body: T, fieldManager: string): Promise<T> {
    const doc = { apiVersion: `${GROUP}/${VERSION}`, kind, metadata: { name, namespace }, ...body };
    return this.request<T>('PATCH', customPath(kind, namespace, name) + query({ fieldManager, force: true }), doc, APPLY);
  }

  async delete(kind: Kind, namespace: string, name: string): Promise<void> {
    try {
      await this.request('DELETE', customPath(kind, namespace, name));
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
  }

  readNamespace(name: string): Promise<V1Namespace> {
    return this.request('GET', `/api/v1/namespaces/${encodeURIComponent(name)}`);
  }

  async listNamespaces(): Promise<V1Namespace[]> {
    return (await this.request<{ items: V1Namespace[] }>('GET', '/api/v1/namespaces')).items;
  }

  createNamespace(body: V1Namespace): Promise<V1Namespace> {
    return this.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', ...body });
  }

  async patchNamespace(name: string, body: object): Promise<void> {
    await this.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(name)}`, body, MERGE);
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(name)}`);
  }

  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap> {
    return this.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`);
  }

  readNode(name: string): Promise<V1Node> {
    return this.request('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
  }

  async listNodes(labelSelector?: string): Promise<V1Node[]> {
    return (await this.request<{ items: V1Node[] }>('GET', '/api/v1/nodes' + query({ labelSelector }))).items;
  }

  readLease(namespace: string, name: string): Promise<V1Lease> {
    return this.request(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases/${encodeURIComponent(name)}`,
    );
  }

  async credentials(): Promise<KubeCredentials> {
    const c = this.connection;
    const b64 = (b: Buffer | undefined): string | undefined => b?.toString('base64');
    return {
      server: c.server,
      caData: b64(c.ca),
      skipTLSVerify: c.skipTLSVerify || undefined,
      certData: b64(c.cert),
      keyData: b64(c.key),
      token: c.token,
      username: c.username,
      password: c.password,
    };
  }
}

/** Every KubeApi method, for the client-node stand-in below (the type check keeps it complete). */
const METHODS = [
  'get',
  'list',
  'listAll',
  'create',
  'patch',
  'patchJson',
  'patchStatus',
  'apply',
  'delete',
  'readNamespace',
  'listNamespaces',
  'createNamespace',
  'patchNamespace',
  'deleteNamespace',
  'readConfigMap',
  'readNode',
  'listNodes',
  'readLease',
  'credentials',
] as const;
type Missing = Exclude<keyof KubeApi, (typeof METHODS)[number]>;
const complete: Missing extends never ? true : Missing = true;
void complete;

/** A KubeApi that imports client-node (and reads the kubeconfig with it) on its first call. */
export function clientNodeKube(path: string | undefined): KubeApi {
  let kube: Promise<KubeApi> | undefined;
  const load = (): Promise<KubeApi> => (kube ??= import('./client.js').then((m) => m.Kube.fromFile(path)));
  const out: Record<string, unknown> = {};
  for (const m of METHODS) {
    out[m] = async (...args: unknown[]) => {
      const k = await load();
      return (k[m] as (...a: unknown[]) => Promise<unknown>).apply(k, args);
    };
  }
  return out as unknown as KubeApi;
}

/**
 * The CLI's client for a kubeconfig (--kubeconfig, else as kubectl finds it): the light client
 * when the kubeconfig holds certificates, a token or a password; client-node otherwise.
 */
export function cliKube(explicit?: string, env: NodeJS.ProcessEnv = process.env): KubeApi {
  const where = locateKubeconfig(explicit, env);
  if (where.kind === 'client-node') return clientNodeKube(undefined);
  let text: string;
  try {
    text = readFileSync(where.path, 'utf8');
  } catch (err: unknown) {
    throw new Error(`cannot read kubeconfig ${where.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const r = resolveKubeconfig(text, where.path);
  return r.kind === 'direct' ? new LiteKube(r.connection) : clientNodeKube(where.path);
}
