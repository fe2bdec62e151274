// The Kubernetes calls the ARM layer, the CLI and IMDS make, as one narrow interface: the
// operator's client-node wrapper (client.ts) and the CLI's light client (lite-client.ts) both
// provide it. Also the status-code helpers, which must not load client-node.
import type { V1ConfigMap, V1Lease, V1Namespace, V1Node } from '@kubernetes/client-node';
import type { PLURALS } from '../api/generated.js';

export type Kind = keyof typeof PLURALS;

/** The kubeconfig's current cluster and user, files read into base64 data: what a handed-out kubeconfig needs. */
export interface KubeCredentials {
  server: string;
  caData?: string;
  skipTLSVerify?: boolean;
  certData?: string;
  keyData?: string;
  token?: string;
  username?: string;
  password?: string;
  /** An exec credential plugin, as in the kubeconfig. */
  exec?: unknown;
}

export interface KubeApi {
  get<T>(kind: Kind, namespace: string, name: string): Promise<T | undefined>;
  list<T>(kind: Kind, namespace: string, labelSelector?: string): Promise<T[]>;
  /** The kind's objects in every namespace. */
  listAll<T>(kind: Kind, labelSelector?: string): Promise<T[]>;
  create<T extends object>(kind: Kind, namespace: string, body: T): Promise<T>;
  /** JSON merge patch of the main resource (spec, metadata). */
  patch<T>(kind: Kind, namespace: string, name: string, body: object): Promise<T>;
  /** RFC 6902 JSON patch (for one item of a list, e.g. a cluster's agentPoolProfiles[i].count). */
  patchJson<T>(kind: Kind, namespace: string, name: string, ops: object[]): Promise<T>;
  /** JSON merge patch of the status subresource. */
  patchStatus<T>(kind: Kind, namespace: string, name: string, status: object): Promise<T>;
  /** Server-side apply with a fixed field manager: idempotent desired-state writes. */
  apply<T extends object>(kind: Kind, namespace: string, name: string, body: T, fieldManager: string): Promise<T>;
  /** Deletes; NotFound counts as success. */
  delete(kind: Kind, namespace: string, name: string): Promise<void>;

  /** Throws a 404 error when the namespace does not exist. */
  readNamespace(name: string): Promise<V1Namespace>;
  listNamespaces(): Promise<V1Namespace[]>;
  createNamespace(body: V1Namespace): Promise<V1Namespace>;
  /** JSON merge patch of a Namespace (a resource group's tags). */
  patchNamespace(name: string, body: object): Promise<void>;
  deleteNamespace(name: string): Promise<void>;
  /** Throws a 404 error when the ConfigMap does not exist. */
  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap>;
  /** Throws a 404 error when the Node does not exist. */
  readNode(name: string): Promise<V1Node>;
  listNodes(labelSelector?: string): Promise<V1Node[]>;
  /** Throws a 404 error when the Lease does not exist. */
  readLease(namespace: string, name: string): Promise<V1Lease>;
  /** The credentials this client uses (undefined when the kubeconfig has no current cluster or user). */
  credentials(): Promise<KubeCredentials | undefined>;
}

/**
 * An API server answer other than 2xx: the HTTP code and the decoded body (usually a Status).
 * Shaped like client-node's ApiException (code, body), so the helpers below read both.
 */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** The HTTP status of an API error (KubeError, client-node's ApiException, or anything with a numeric code). */
export function statusCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown; statusCode?: unknown } | null)?.code ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof c === 'number' ? c : undefined;
}
export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;
export const isTooManyRequests = (err: unknown): boolean => statusCode(err) === 429;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * An error worth trying again, as Azure clients' retry policy has it: no answer (connection
 * refused or cut, e.g. while kube-apiserver restarts), 408, 429 or a 5xx answer.
 */
export function isTransient(err: unknown): boolean {
  const code = statusCode(err);
  if (code !== undefined) return code === 408 || code === 429 || code >= 500;
  const net = (err as { code?: unknown } | null)?.code;
  if (typeof net === 'string' && NETWORK_CODES.has(net)) return true;
  return err instanceof Error && /socket hang up/i.test(err.message);
}

/** The API server's message inside an error's body, for errors people read. */
export function apiMessage(err: unknown): string {
  const code = statusCode(err);
  if (code !== undefined && err && typeof err === 'object' && 'body' in err) {
    const raw = (err as { body: unknown }).body;
    try {
      const body = typeof raw === 'string' ? JSON.parse(raw) : raw;
      if (body && typeof body.message === 'string') return body.message;
    } catch {
      // body was not JSON
    }
    return `HTTP ${code}`;
  }
  return err instanceof Error ? err.message : String(err);
}
