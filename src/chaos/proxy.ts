// The fault proxy: a loopback HTTP listener per operator replica in front of the real API server
// (the replicas' kubeconfigs point here). It forwards everything with the harness's own
// credentials, records every write with the replica that sent it, answers a share of writes
// with made-up 429/500/409 errors (a 500 sometimes after the write went through: the answer is
// lost), and cuts the open watch connections on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { WriteRec } from './log.js';
import { wallNow } from '../runtime/clock.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'host',
  'authorization',
]);

export type InjectedCode = 429 | 500 | 409;

export interface InjectionCounts {
  429: number;
  500: number;
  409: number;
  /** 500s sent after the write went through (its answer lost). */
  after: number;
}

function statusBody(code: InjectedCode, method: string, path: string): string {
  const reason = code === 429 ? 'TooManyRequests' : code === 409 ? 'Conflict' : 'InternalError';
  const message =
    code === 429
      ? 'chaos: too many requests, please try again later'
      : code === 409
        ? `chaos: Operation cannot be fulfilled on ${path}: the object has been modified; please apply your changes to the latest version and try again`
        : `chaos: an error on the server ("internal error") has prevented the request from succeeding (${method} ${path})`;
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(code === 429 ? { details: { retryAfterSeconds: 1 } } : {}),
    code,
  });
}

/** The holder and renewal a Lease write carries, when it is one. */
export function leaseOf(path: string, body: Buffer): WriteRec['lease'] {
  if (!/\/apis\/coordination\.k8s\.io\/v1\/namespaces\/[^/]+\/leases(\/|$)/.test(path)) return undefined;
  try {
    const o = JSON.parse(body.toString()) as {
      metadata?: { name?: string };
      spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
    };
    if (!o.spec?.holderIdentity || !o.spec.renewTime) return undefined;
    return {
      name: o.metadata?.name ?? path.split('/').pop()!,
      holder: o.spec.holderIdentity,
      renewTime: o.spec.renewTime,
      durationS: o.spec.leaseDurationSeconds ?? 15,
    };
  } catch {
    return undefined;
  }
}

export class FaultProxy {
  private readonly servers: Server[] = [];
  private readonly watches = new Set<{ res: ServerResponse; up?: { destroy(): void } }>();
  private upstream!: URL;
  private agent!: HttpsAgent | HttpAgent;
  private tls: RequestOptions = {};
  private authHeaders: Record<string, string> = {};
  private authAt = 0;
  /** Share of writes answered with an injected error outside bursts. */
  baseErrorRate = 0;
  private burst: { until: number; rate: number } | undefined;
  readonly injected: InjectionCounts = { 429: 0, 500: 0, 409: 0, after: 0 };
  writes = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly onWrite: (w: WriteRec) => void,
    private readonly random: () => number = Math.random,
  ) {}

  async init(): Promise<void> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    this.upstream = new URL(server);
    await this.refreshAuth();
    const o = this.tls as RequestOptions & Record<string, unknown>;
    const agentOpts = {
      keepAlive: true,
      maxSockets: 64,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      pfx: o.pfx,
      passphrase: o.passphrase,
      rejectUnauthorized: o.rejectUnauthorized,
      servername: o.servername,
    } as never;
    this.agent = this.upstream.protocol === 'https:' ? new HttpsAgent(agentOpts) : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  /** Credentials from the kubeconfig (tokens may rotate: refreshed each minute). */
  private async refreshAuth(): Promise<void> {
    const opts: RequestOptions = {};
    await this.kc.applyToHTTPSOptions(opts);
    this.tls = opts;
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') h[k] = v;
    if (opts.auth) h.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.authHeaders = h;
    this.authAt = wallNow();
  }

  /** Starts one listener on 127.0.0.1; `replica()` names whoever uses it now. Returns its port. */
  listen(replica: () => string): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res, replica));
    server.keepAliveTimeout = 120_000;
    server.requestTimeout = 0;
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  }

  /** Raises the error rate to `rate` for `ms` real ms. */
  startBurst(rate: number, ms: number): void {
    this.burst = { until: wallNow() + ms, rate };
  }

  private rateNow(): number {
    if (this.burst && wallNow() < this.burst.until) return this.burst.rate;
    return this.baseErrorRate;
  }

  /** Cuts every open watch connection; returns how many. */
  cutWatches(): number {
    const n = this.watches.size;
    for (const w of this.watches) {
      w.up?.destroy();
      w.res.destroy();
    }
    this.watches.clear();
    return n;
  }

  async close(): Promise<void> {
    this.cutWatches();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.closeAllConnections();
            s.close(() => r());
          }),
      ),
    );
    this.agent?.destroy();
  }

  private pickInjection(method: string): { code: InjectedCode; after: boolean } | undefined {
    if (this.random() >= this.rateNow()) return undefined;
    // Real API servers answer 409 to updates and patches, never to a create of a new name.
    const codes: InjectedCode[] = method === 'PUT' || method === 'PATCH' ? [429, 500, 409] : [429, 500];
    const code = codes[Math.floor(this.random() * codes.length)]!;
    return { code, after: code === 500 && this.random() < 0.5 };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, replica: () => string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url ?? '/';
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    const url = new URL(path, 'http://proxy');
    const watch = ['true', '1'].includes(url.searchParams.get('watch') ?? '') || url.pathname.includes('/watch/');
    const who = replica();
    const t = wallNow();
    const inject = write ? this.pickInjection(method) : undefined;
    if (write) this.writes++;
    if (inject && !inject.after) {
      this.injected[inject.code]++;
      this.onWrite({ kind: 'write', t, replica: who, method, path: url.pathname, status: inject.code, injected: 'before' });
      res.writeHead(inject.code, { 'Content-Type': 'application/json', ...(inject.code === 429 ? { 'Retry-After': '1' } : {}) });
      res.end(statusBody(inject.code, method, url.pathname));
      return;
    }
    if (wallNow() - this.authAt > 60_000) await this.refreshAuth().catch(() => undefined);
    const headers: Record<string, string | string[]> = { ...this.authHeaders };
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
    headers.host = this.upstream.host;
    headers['content-length'] = String(body.length);
    const make = this.upstream.protocol === 'https:' ? httpsRequest : httpRequest;
    let sent = false;
    const entry = watch ? { res, up: undefined as { destroy(): void } | undefined } : undefined;
    const up = make(
      {
        protocol: this.upstream.protocol,
        hostname: this.upstream.hostname,
        port: this.upstream.port,
        path,
        method,
        headers,
        agent: this.agent as never,
      },
      (ures) => {
        if (write) {
          if (inject?.after) {
            this.injected[500]++;
            this.injected.after++;
          }
          const lease = (ures.statusCode ?? 0) < 300 ? leaseOf(url.pathname, body) : undefined;
          this.onWrite({
            kind: 'write',
            t,
            replica: who,
            method,
            path: url.pathname,
            status: ures.statusCode ?? 0,
            ...(inject?.after ? { injected: 'after' as const } : {}),
            ...(lease ? { lease } : {}),
          });
        }
        if (inject?.after) {
          ures.resume();
          ures.on('end', () => {
            if (res.headersSent) return;
            res.writeHead(500, { 'Content-Type': 'application/json' });
            res.end(statusBody(500, method, url.pathname));
          });
          return;
        }
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(ures.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
        res.writeHead(ures.statusCode ?? 502, out);
        if (watch) res.flushHeaders();
        ures.pipe(res);
        ures.on('error', () => res.destroy());
      },
    );
    up.on('socket', (s) => {
      if (!s.connecting)
        sent = true; // a kept-alive connection
      else s.once('connect', () => (sent = true));
    });
    up.on('finish', () => (sent = true));
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (write)
        this.onWrite({ kind: 'write', t, replica: who, method, path: url.pathname, status: sent && err.code !== 'ECONNREFUSED' ? 0 : -1 });
      if (!res.headersSent) {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: `chaos proxy: the API server is not reachable (${err.code ?? err.message})`,
            reason: 'ServiceUnavailable',
            code: 503,
          }),
        );
      } else res.destroy();
    });
    if (entry) {
      entry.up = up;
      this.watches.add(entry);
      res.on('close', () => {
        this.watches.delete(entry);
        up.destroy();
      });
    }
    up.end(body);
  }
}
