// Routes ARM requests (method, path, query, body) to the ArmService: the one ARM surface that
// `aksim serve` exposes over HTTPS and `aksim rest` calls in-process. This file holds what every
// route shares (parsing, api-version checks, errors, long-running operation headers) and ARM's
// own plumbing (subscriptions, resource groups, providers); providers' routes register here.
import { checkApiVersion, familyOf } from './apiversions.js';
import { ArmError } from './errors.js';
import {
  deleteGroup,
  groupExists,
  groupJson,
  locationsJson,
  patchGroup,
  providerJson,
  providersJson,
  putGroup,
  subscriptionJson,
} from './groups.js';
import { decodeToken, lroHeaders, type LroToken } from './lro.js';
import type { ArmService } from './service.js';
import { wallNow } from '../runtime/clock.js';

export interface ArmRequest {
  method: string;
  /** Path with or without https://management.azure.com, with or without the query string. */
  url: string;
  body?: unknown;
  /** The endpoint the client called: status URLs point back at it (default https://management.azure.com). */
  base?: string;
  /** Retry-After of accepted long-running writes, in seconds. */
  retryAfterSeconds?: number;
  /** The tenant tokens are issued for (subscriptions show it). */
  tenantId?: string;
}

export interface ArmResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type Json = Record<string, unknown>;

/** What a provider's routes get: the request taken apart. */
export interface RouteRequest {
  method: string;
  /** Path segments after /subscriptions/{sub}[/resourceGroups/{rg}], as given. */
  segments: string[];
  query: URLSearchParams;
  body: Json;
  sub: string;
  /** The resource group as the client wrote it, when the path has one. */
  rg?: string;
  apiVersion: string;
  /** Builds the headers of an accepted long-running write. */
  lro(token: LroToken, location: string): Record<string, string>;
  /** Retry-After (seconds, as a header value) for answers that say "still running". */
  retryAfter: string;
  /** The full request path (for messages). */
  path: string;
}

/**
 * Provider routes (Microsoft.ContainerService, Microsoft.ContainerInstance) register here: return
 * undefined when the path is not theirs.
 */
export type RouteHandler = (req: RouteRequest, svc: ArmService) => Promise<ArmResponse | undefined>;
const providerRoutes: RouteHandler[] = [];
export function registerRoutes(h: RouteHandler): void {
  providerRoutes.push(h);
}

export const ARM_HOST = 'https://management.azure.com';
export const ok = (body: unknown, status = 200, headers: Record<string, string> = {}): ArmResponse => ({ status, headers, body });
export const methodNotAllowed = (m: string): ArmError =>
  new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${m}'.`);
export const noRoute = (path: string): ArmError =>
  new ArmError(404, 'InvalidResourceType', `The resource type could not be found in the path '${path}': aksim does not simulate it.`);

export async function handle(svc: ArmService, req: ArmRequest): Promise<ArmResponse> {
  try {
    return await route(svc, req);
  } catch (err: unknown) {
    if (err instanceof ArmError) return { status: err.status, headers: {}, body: err.body };
    const msg = err instanceof Error ? err.message : String(err);
    return {
      status: 500,
      headers: {},
      body: { error: { code: 'InternalServerError', message: `aksim could not complete the request: ${msg}` } },
    };
  }
}

async function route(svc: ArmService, req: ArmRequest): Promise<ArmResponse> {
  const raw = req.url.replace(/^https?:\/\/management\.azure\.com(?=[/?]|$)/i, '');
  let u: URL;
  try {
    u = new URL(raw.replace(/^\/*/, '/'), 'http://arm.local');
  } catch {
    throw new ArmError(400, 'InvalidRequestUri', `The request URI '${req.url}' is not valid.`);
  }
  const path = u.pathname.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  let seg: string[];
  try {
    seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new ArmError(400, 'InvalidRequestUri', `The request URI '${req.url}' is not valid.`);
  }
  const method = req.method.toUpperCase();
  const apiVersion = u.searchParams.get('api-version');
  if (!apiVersion)
    throw new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  const family = familyOf(seg);
  const bad = family && checkApiVersion(family, apiVersion);
  if (bad) throw new ArmError(400, 'InvalidApiVersionParameter', bad);
  if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized: the body must be a JSON object.',
    );
  }
  const body = (req.body ?? {}) as Json;
  const lc = seg.map((s) => s.toLowerCase());
  const base = req.base ?? ARM_HOST;
  const tenantId = req.tenantId ?? svc.subscriptionId;
  const ok200 = (b: unknown): ArmResponse => ok(b);

  if (lc[0] === 'metadata' && lc[1] === 'endpoints' && seg.length === 2) {
    // Since 2022-09-01 the metadata is a list of clouds (what Terraform's and the Go SDK's metadata_host read).
    const m = metadataEndpoints(base);
    return ok200(apiVersion >= '2022-09-01' ? [m] : m);
  }
  if (lc[0] === 'tenants' && seg.length === 1)
    return ok200({
      value: [{ id: `/tenants/${tenantId}`, tenantId, tenantCategory: 'Home', displayName: 'aksim', defaultDomain: 'aksim.local' }],
    });
  if (lc[0] === 'providers' && seg.length <= 2) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return seg[1] ? ok200(providerJson(svc.subscriptionId, seg[1])) : ok200(providersJson(svc.subscriptionId));
  }
  if (lc[0] !== 'subscriptions') throw noRoute(path);
  if (!seg[1]) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return ok200({ value: [subscriptionJson(svc.subscriptionId, tenantId)], count: { type: 'Total', value: 1 } });
  }
  if (seg[1].toLowerCase() !== svc.subscriptionId.toLowerCase())
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${seg[1]}' could not be found.`);
  const sub = svc.subscriptionId;
  const lroFor = (token: LroToken, location: string): Record<string, string> =>
    ({ ...lroHeaders({ base, sub, location, apiVersion, token, retryAfterSeconds: req.retryAfterSeconds ?? 1 }) }) as unknown as Record<
      string,
      string
    >;

  // /subscriptions/{sub}[/locations|/providers[/{ns}[/register]]|/operationresults/{id}]
  if (seg.length === 2) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return ok200(subscriptionJson(sub, tenantId));
  }
  if (lc[2] === 'locations' && seg.length === 3) return ok200(locationsJson(sub));
  if (lc[2] === 'providers' && seg.length <= 5 && (seg.length <= 4 || lc[4] === 'register' || lc[4] === 'unregister')) {
    if (seg.length === 3) return method === 'GET' ? ok200(providersJson(sub)) : Promise.reject(methodNotAllowed(method));
    if (seg.length === 4) return method === 'GET' ? ok200(providerJson(sub, seg[3]!)) : Promise.reject(methodNotAllowed(method));
    if (method !== 'POST') throw methodNotAllowed(method);
    if (lc[4] === 'unregister')
      throw new ArmError(
        409,
        'ResourceProviderUnregistrationNotAllowed',
        `Provider ${seg[3]} cannot be unregistered while aksim simulates it.`,
      );
    return ok200(providerJson(sub, seg[3]!));
  }
  if (lc[2] === 'operationresults' && seg.length === 4) return groupOperationResult(svc, u.searchParams.get('t'), seg[3]!, lroFor);

  // Resource groups.
  const rg = lc[2] === 'resourcegroups' ? seg[3] : undefined;
  if (lc[2] === 'resourcegroups' && seg.length <= 4) {
    if (!rg) {
      if (method !== 'GET') throw methodNotAllowed(method);
      return ok200({ value: (await svc.groups()).map((g) => groupJson(sub, g)) });
    }
    switch (method) {
      case 'GET':
        return ok200(groupJson(sub, await svc.group(rg)));
      case 'HEAD':
        return { status: (await groupExists(svc, rg.toLowerCase())) ? 204 : 404, headers: {} };
      case 'PUT': {
        const r = await putGroup(svc, rg, body);
        return ok(r.body, r.status);
      }
      case 'PATCH':
        return ok200(await patchGroup(svc, rg, body));
      case 'DELETE': {
        const g = await deleteGroup(svc, rg);
        return { status: 202, headers: lroFor({ target: { kind: 'ResourceGroup', rg: g.ns }, del: true, at: wallNow() }, g.location) };
      }
      default:
        throw methodNotAllowed(method);
    }
  }
  if (rg && lc[4] !== 'providers') throw noRoute(path);
  const rest = rg ? seg.slice(4) : seg.slice(2);
  if (rest[0]?.toLowerCase() !== 'providers' || !rest[1]) throw noRoute(path);
  const rr: RouteRequest = {
    method,
    segments: rest,
    query: u.searchParams,
    body,
    sub,
    rg,
    apiVersion,
    lro: lroFor,
    path,
    retryAfter: String(req.retryAfterSeconds ?? 1),
  };
  for (const h of providerRoutes) {
    const r = await h(rr, svc);
    if (r) return r;
  }
  throw noRoute(path);
}

/** GET /subscriptions/{sub}/operationresults/{id}: a resource group deletion, 202 until its namespace is gone. */
async function groupOperationResult(
  svc: ArmService,
  t: string | null,
  _id: string,
  lroFor: (token: LroToken, location: string) => Record<string, string>,
): Promise<ArmResponse> {
  const token = decodeToken(t);
  if (!token || token.target.kind !== 'ResourceGroup') throw new ArmError(404, 'OperationNotFound', 'The operation could not be found.');
  if (await groupExists(svc, token.target.rg)) return { status: 202, headers: lroFor(token, 'eastus') };
  return { status: 200, headers: {} };
}

/** ARM's cloud metadata (what `az cloud register --endpoint-resource-manager` reads). */
export function metadataEndpoints(base: string): Json {
  const b = base.replace(/\/+$/, '');
  return {
    galleryEndpoint: `${b}/`,
    graphEndpoint: `${b}/`,
    graphAudience: `${b}/`,
    portalEndpoint: `${b}/`,
    microsoftGraphResourceId: `${b}/`,
    batch: `${b}/`,
    sqlManagement: `${b}/`,
    resourceManager: `${b}/`,
    activeDirectoryDataLake: `${b}/`,
    media: `${b}/`,
    name: 'aksim',
    suffixes: {
      acrLoginServer: 'azurecr.io',
      keyVaultDns: 'vault.azure.net',
      storage: 'core.windows.net',
      sqlServerHostname: 'database.windows.net',
    },
    authentication: {
      loginEndpoint: `${b}/adfs`,
      audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
      tenant: 'adfs',
      identityProvider: 'ADFS',
    },
  };
}
