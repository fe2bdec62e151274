// Long-running operations as Azure clients poll them. A write answers with Azure-AsyncOperation
// (the operation's status) and Location (202 until done), both under the provider's
// `locations/{location}/operations|operationresults/{id}`, so they keep answering after the
// resource is gone. The `t` query parameter carries what the URL stands for (as Azure's own
// status URLs carry opaque parameters), so a status is found without any state in the server.

export type LroTarget =
  | { kind: 'SimCluster'; rg: string; cluster: string }
  | { kind: 'SimNodePool'; rg: string; cluster: string; pool: string }
  | { kind: 'NGroup'; rg: string; name: string }
  | { kind: 'ResourceGroup'; rg: string };

/** What a status URL stands for. */
export interface LroToken {
  target: LroTarget;
  /** The operation, when known at accept time (SimOperation GUID). */
  op?: string;
  /** The target generation the write asked for (operation not yet known, or NGroups). */
  gen?: number;
  /** The write was a delete: a target that is gone has finished. */
  del?: boolean;
  /** Real ms when the write was accepted. */
  at: number;
}

export function encodeToken(t: LroToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeToken(s: string | null): LroToken | undefined {
  if (!s) return undefined;
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as LroToken;
    const k = t?.target?.kind;
    if (
      !['SimCluster', 'SimNodePool', 'NGroup', 'ResourceGroup'].includes(k) ||
      typeof t.target.rg !== 'string' ||
      typeof t.at !== 'number'
    )
      return undefined;
    return t;
  } catch {
    return undefined;
  }
}

const PROVIDER: Record<LroTarget['kind'], string> = {
  SimCluster: 'Microsoft.ContainerService',
  SimNodePool: 'Microsoft.ContainerService',
  NGroup: 'Microsoft.ContainerInstance',
  ResourceGroup: 'Microsoft.Resources',
};

export interface LroHeaders {
  'Azure-AsyncOperation'?: string;
  Location: string;
  'Retry-After': string;
}

/**
 * The headers of an accepted write. `base` is the endpoint clients called (https://127.0.0.1:8443,
 * or https://management.azure.com in-process); the operation id is the SimOperation GUID when
 * known, else a stand-in resolved by generation when polled.
 */
export function lroHeaders(o: {
  base: string;
  sub: string;
  location: string;
  apiVersion: string;
  token: LroToken;
  retryAfterSeconds: number;
}): LroHeaders {
  const base = o.base.replace(/\/+$/, '');
  const id = o.token.op ?? `g${o.token.gen ?? 0}-${o.token.at.toString(36)}`;
  const q = `?api-version=${encodeURIComponent(o.apiVersion)}&t=${encodeToken(o.token)}`;
  // ARM's own resource group deletion answers with Location only (202 until done, then 200).
  if (o.token.target.kind === 'ResourceGroup')
    return { Location: `${base}/subscriptions/${o.sub}/operationresults/${id}${q}`, 'Retry-After': String(o.retryAfterSeconds) };
  const prefix = `${base}/subscriptions/${o.sub}/providers/${PROVIDER[o.token.target.kind]}/locations/${o.location}`;
  return {
    'Azure-AsyncOperation': `${prefix}/operations/${id}${q}`,
    Location: `${prefix}/operationresults/${id}${q}`,
    'Retry-After': String(o.retryAfterSeconds),
  };
}

/** Retry-After in whole seconds (what every client honours): about 10 simulated seconds, at least 1. */
export function retryAfterSeconds(timeScale: number): number {
  return Math.max(1, Math.round(10 / Math.max(timeScale, 1e-6)));
}

/** ARM's status of an async operation (Azure-AsyncOperation body). */
export interface AsyncStatus {
  id: string;
  name: string;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled' | 'Canceling';
  startTime?: string;
  endTime?: string;
  percentComplete?: number;
  error?: { code: string; message: string };
}

export const isTerminalStatus = (s: string): boolean => s === 'Succeeded' || s === 'Failed' || s === 'Canceled';
