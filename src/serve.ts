// `aksim serve`: the ARM REST surface over HTTP on 127.0.0.1, and the IMDS Scheduled Events
// endpoint (/metadata/scheduledevents, src/imds/scheduledevents.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { log } from './runtime/logger.js';
import { handle } from './arm/router.js';
import type { ArmService } from './arm/service.js';
import { handleImds, IMDS_PATH } from './imds/scheduledevents.js';

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      if (!data.trim()) return resolve(undefined);
      try {
        resolve(JSON.parse(data));
      } catch {
        reject(new Error('the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** extra: a handler tried first (the web console under /console); true when it took the request. */
export function serve(svc: ArmService, host: string, port: number, extra?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    if (extra?.(req, res)) return;
    void (async () => {
      let body: unknown;
      try {
        body = await readBody(req);
      } catch (err: unknown) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'InvalidRequestContent', message: (err as Error).message } }));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === IMDS_PATH || url.pathname === `${IMDS_PATH}/`) {
        const r = await handleImds(svc.kube, { method: req.method ?? 'GET', url, headers: req.headers, body }).catch((err: unknown) => ({ status: 500, body: { error: (err as Error).message } }));
        log.info({ method: req.method, url: req.url, status: r.status }, 'IMDS request');
        res.writeHead(r.status, r.body !== undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {});
        res.end(r.body !== undefined ? JSON.stringify(r.body) : undefined);
        return;
      }
      const r = await handle(svc, { method: req.method ?? 'GET', url: req.url ?? '/', body });
      log.info({ method: req.method, url: req.url, status: r.status }, 'ARM request');
      res.writeHead(r.status, { ...(r.body !== undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), ...r.headers });
      res.end(r.body !== undefined ? JSON.stringify(r.body, null, 2) + '\n' : undefined);
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
