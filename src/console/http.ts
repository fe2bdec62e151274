// The web console's HTTP side, mounted by `aksim serve` under /console: the page and its assets
// (built by `make build` into dist/console), the live feed as Server-Sent Events, and the actions.
// Every request is checked by access.ts first (loopback, token).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULT_TYPES } from '../model/faults.js';
import { ArmError } from '../arm/errors.js';
import { EVENT_TYPES } from '../cli/sim.js';
import type { ArmService } from '../arm/service.js';
import type { Kube } from '../runtime/client.js';
import { apiMessage, statusCode } from '../runtime/client.js';
import type { Logger } from '../runtime/logger.js';
import { checkAccess, COOKIE, HEADER } from './access.js';
import { isAction, runAction } from './actions.js';
import { ConsoleFeed } from './feed.js';

export const CONSOLE_PATH = '/console';
/** The page's fault and event choices: the lists `aksim sim` accepts (Frozen comes only from a Freeze event). */
const META = { faultTypes: FAULT_TYPES.filter((t) => t !== 'Frozen'), eventTypes: [...EVENT_TYPES] };
const HEARTBEAT_MS = 15_000;
const MAX_BODY = 64 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** The repository (or install) root: the folder holding package.json above this module. */
function rootDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

export interface ConsoleOptions {
  log: Logger;
  /** Folder of the built page (default: <root>/dist/console). */
  assetsDir?: string;
  token?: string;
}

export class WebConsole {
  readonly token: string;
  readonly feed: ConsoleFeed;
  private readonly assets: string;
  private readonly log: Logger;
  private readonly streams = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly svc: ArmService<Kube>,
    opts: ConsoleOptions,
  ) {
    this.token = opts.token ?? randomBytes(24).toString('base64url');
    this.log = opts.log.child({ component: 'console' });
    this.assets = opts.assetsDir ?? join(rootDir(), 'dist', 'console');
    this.feed = new ConsoleFeed(svc.kube, this.log);
  }

  start(): void {
    this.feed.start();
    // SSE comments keep idle connections (and proxies) from timing out; real time, not simulated.
    this.heartbeat = setInterval(() => {
      for (const res of this.streams) res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
    for (const res of this.streams) res.end();
    this.feed.stop();
  }

  /** The URL to open: base is the server's own (http://127.0.0.1:8443). */
  url(base: string): string {
    return `${base.replace(/\/$/, '')}${CONSOLE_PATH}/?token=${this.token}`;
  }

  /** Handles requests under /console; returns false for every other path (the ARM surface's). */
  handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== CONSOLE_PATH && !url.pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
    void this.serve(req, res, url).catch((err: unknown) => {
      this.log.error({ err, url: req.url }, 'Console request failed');
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalServerError', message: (err as Error).message } });
      else res.end();
    });
    return true;
  };

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const access = checkAccess(
      {
        remoteAddress: req.socket.remoteAddress,
        host: req.headers.host,
        cookie: req.headers.cookie,
        header: req.headers[HEADER] as string | undefined,
        queryToken: url.searchParams.get('token'),
        method,
        origin: req.headers.origin,
      },
      this.token,
    );
    if (!access.ok) {
      this.log.info({ method, path: url.pathname, status: access.status }, 'Console request refused');
      req.resume();
      return send(res, access.status, { error: { code: access.status === 401 ? 'Unauthorized' : 'Forbidden', message: access.message } });
    }
    const path = url.pathname.slice(CONSOLE_PATH.length) || '/';
    if (access.via === 'query') {
      // The token leaves the address bar: from now on the cookie carries it.
      const clean = new URL(url);
      clean.searchParams.delete('token');
      res.writeHead(303, {
        'Set-Cookie': `${COOKIE}=${this.token}; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Strict`,
        Location: `${CONSOLE_PATH}${path}${clean.search}`,
        'Cache-Control': 'no-store',
      });
      return void res.end();
    }
    if (path === '/api/stream' && method === 'GET') return this.stream(req, res);
    if (path === '/api/snapshot' && method === 'GET') {
      await this.feed.synced;
      return send(res, 200, this.feed.snapshot());
    }
    if (path.startsWith('/api/actions/')) {
      if (method !== 'POST') return send(res, 405, { error: { code: 'MethodNotAllowed', message: 'actions are POST requests' } });
      return this.action(req, res, path.slice('/api/actions/'.length));
    }
    if (path.startsWith('/api/')) return send(res, 404, { error: { code: 'NotFound', message: `no console API ${path}` } });
    if (method !== 'GET' && method !== 'HEAD')
      return send(res, 405, { error: { code: 'MethodNotAllowed', message: `${method} is not allowed here` } });
    return this.file(res, path);
  }

  private file(res: ServerResponse, path: string): void {
    const rel = path === '/' || !extname(path) ? 'index.html' : path.slice(1);
    const full = normalize(join(this.assets, rel));
    if (!full.startsWith(this.assets + sep)) return send(res, 404, { error: { code: 'NotFound', message: 'not found' } });
    if (!existsSync(full)) {
      if (rel === 'index.html') {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        return void res.end(`The console page is not built (${this.assets} is missing): run \`make build\`.\n`);
      }
      return send(res, 404, { error: { code: 'NotFound', message: `no file ${path}` } });
    }
    const hashed = rel.startsWith('assets/');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(full)] ?? 'application/octet-stream',
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      ...(rel === 'index.html'
        ? { 'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:" }
        : {}),
    });
    res.end(readFileSync(full));
  }

  /** Server-Sent Events: one snapshot, then deltas as the feed flushes them. EventSource reconnects by itself and gets a new snapshot. */
  private async stream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    await this.feed.synced;
    if (res.destroyed) return;
    res.socket?.setNoDelay(true);
    this.streams.add(res);
    res.write(`event: snapshot\ndata: ${JSON.stringify({ ...this.feed.snapshot(), meta: META })}\n\n`);
    const unsubscribe = this.feed.subscribe((deltas) => res.write(`event: delta\ndata: ${JSON.stringify(deltas)}\n\n`));
    req.on('close', () => {
      unsubscribe();
      this.streams.delete(res);
    });
  }

  private async action(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (!isAction(name)) return send(res, 404, { error: { code: 'NotFound', message: `no console action ${name}` } });
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err: unknown) {
      return send(res, 400, { error: { code: 'InvalidRequestContent', message: (err as Error).message } });
    }
    try {
      const result = await runAction(this.svc, name, body);
      this.log.info({ action: name, body }, 'Console action');
      send(res, 200, result);
    } catch (err: unknown) {
      if (err instanceof ArmError) {
        this.log.info({ action: name, body, code: err.code }, 'Console action refused');
        return send(res, err.status, err.body);
      }
      const code = statusCode(err);
      if (code && code >= 400 && code < 500) return send(res, code, { error: { code: 'Refused', message: apiMessage(err) } });
      throw err;
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let data = '';
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`the request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      data += c.toString();
    });
    req.on('end', () => {
      if (!data.trim()) return resolve({});
      try {
        resolve(JSON.parse(data));
      } catch {
        reject(new Error('the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}
