// `aksim serve`: the ARM REST surface on 127.0.0.1 over HTTPS (a local CA, src/arm/tls.ts), the
// sign-in endpoints clients get their tokens from (src/arm/identity.ts), ARM's cloud metadata, and
// the IMDS Scheduled Events endpoint (/metadata/scheduledevents, src/imds/scheduledevents.ts).
// ARM routes need a bearer token aksim issued; the others are open, as in Azure.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { log } from './runtime/logger.js';
import { handle } from './arm/routes.js';
import { ArmError } from './arm/errors.js';
import type { Identity } from './arm/identity.js';
import type { ArmService } from './arm/service.js';
import type { TlsMaterial } from './arm/tls.js';
import { handleImds, IMDS_PATH } from './imds/scheduledevents.js';

/** ARM refuses request bodies over 4 MB. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ServeOptions {
  svc: ArmService;
  host: string;
  port: number;
  /** HTTPS material; plain HTTP without it. */
  tls?: TlsMaterial;
  /** Sign-in endpoints and token checks; without it ARM routes are open (plain HTTP use). */
  identity?: Identity;
  /** Retry-After (seconds) for accepted long-running writes. */
  retryAfterSeconds: () => number;
  /** Appends every ARM exchange (method, path, status, body) to this file as JSON lines: for checking what clients got. */
  record?: string;
  /** Extra handlers tried first (e.g. the web console); return true when they answered. */
  extra?: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>)[];
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Writes an answer; bodies are compact JSON, as ARM sends them. */
function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, method = 'GET'): void {
  const id = randomUUID();
  const h: Record<string, string> = { 'x-ms-request-id': id, 'x-ms-correlation-request-id': id, ...headers };
  if (body !== undefined) h['Content-Type'] ??= 'application/json; charset=utf-8';
  res.writeHead(status, h);
  res.end(body !== undefined && method !== 'HEAD' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined);
}

const armError = (e: ArmError): unknown => e.body;

export function serve(o: ServeOptions): Promise<Server> {
  const scheme = o.tls ? 'https' : 'http';
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void (async () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const hostHeader = req.headers.host ?? `${o.host}:${o.port}`;
      const base = `${scheme}://${hostHeader}`;
      const url = new URL(`${base}${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`);
      const path = url.pathname.replace(/\/{2,}/g, '/');
      let status = 500;
      try {
        for (const h of o.extra ?? []) if (await h(req, res, url)) return;
        let raw: string;
        try {
          raw = await readBody(req);
        } catch (err: unknown) {
          if (err instanceof TooLarge)
            throw new ArmError(
              413,
              'RequestEntityTooLarge',
              `The request content size exceeds the maximum allowed size of ${MAX_BODY_BYTES} bytes.`,
            );
          throw err;
        }
        if (path === IMDS_PATH || path === `${IMDS_PATH}/`) {
          let body: unknown;
          try {
            body = raw.trim() ? JSON.parse(raw) : undefined;
          } catch {
            throw new ArmError(400, 'InvalidRequestContent', 'The request body is not valid JSON.');
          }
          const r = await handleImds(o.svc.kube, { method, url, headers: req.headers, body });
          status = r.status;
          send(res, r.status, r.body, {}, method);
          return;
        }
        if (o.identity) {
          const r = await o.identity.handle(method, path, url.searchParams, raw, base);
          if (r) {
            status = r.status;
            send(res, r.status, r.body, { 'Cache-Control': 'no-store', ...(r.headers ?? {}) }, method);
            return;
          }
        }
        let body: unknown;
        if (raw.trim()) {
          try {
            body = JSON.parse(raw);
          } catch (err: unknown) {
            throw new ArmError(
              400,
              'InvalidRequestContent',
              `The request content was invalid and could not be deserialized: ${(err as Error).message}.`,
            );
          }
        }
        const open = /^\/metadata\/endpoints\/?$/i.test(path);
        if (o.identity && !open) {
          try {
            await o.identity.authenticate(req.headers.authorization, base);
          } catch (err: unknown) {
            if (err instanceof ArmError) {
              status = err.status;
              send(
                res,
                err.status,
                armError(err),
                {
                  'WWW-Authenticate': `Bearer authorization_uri="${base}/adfs", error="invalid_token", error_description="${err.message.replace(/"/g, "'")}"`,
                },
                method,
              );
              return;
            }
            throw err;
          }
        }
        const r = await handle(o.svc, {
          method,
          url: `${path}${url.search}`,
          body,
          base,
          retryAfterSeconds: o.retryAfterSeconds(),
          tenantId: o.identity?.principal.tenantId,
        });
        status = r.status;
        if (o.record)
          appendFileSync(o.record, JSON.stringify({ method, path, query: url.search, status, headers: r.headers, body: r.body }) + '\n');
        send(res, r.status, r.body, r.headers, method);
      } catch (err: unknown) {
        const e =
          err instanceof ArmError
            ? err
            : new ArmError(
                500,
                'InternalServerError',
                `aksim could not complete the request: ${err instanceof Error ? err.message : String(err)}`,
              );
        status = e.status;
        if (!res.headersSent) send(res, e.status, armError(e), {}, method);
        else res.end();
        if (e.status >= 500) log.error({ err, method, path }, 'Request failed');
      } finally {
        log.info({ method, url: req.url, status }, 'HTTP request');
      }
    })();
  };
  const server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, handler) : createHttpServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}
