// Prometheus metrics and the /metrics, /healthz, /readyz endpoint of the operator process.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'aksim_' });

export const reconcileTotal = new Counter({
  name: 'aksim_reconcile_total',
  help: 'Reconciles by controller and outcome.',
  labelNames: ['controller', 'outcome'] as const,
  registers: [registry],
});
export const reconcileSeconds = new Histogram({
  name: 'aksim_reconcile_duration_seconds',
  help: 'Reconcile duration by controller.',
  labelNames: ['controller'] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers: [registry],
});
export const queueDepth = new Gauge({
  name: 'aksim_workqueue_depth',
  help: 'Keys waiting in each controller work queue.',
  labelNames: ['queue'] as const,
  registers: [registry],
});
export const queueAdds = new Counter({
  name: 'aksim_workqueue_adds_total',
  help: 'Keys added.',
  labelNames: ['queue'] as const,
  registers: [registry],
});
export const queueRetries = new Counter({
  name: 'aksim_workqueue_retries_total',
  help: 'Keys re-queued after an error.',
  labelNames: ['queue'] as const,
  registers: [registry],
});
export const apiWrites = new Counter({
  name: 'aksim_api_writes_total',
  help: 'Writes sent to the Kubernetes API server, by verb and resource.',
  labelNames: ['verb', 'resource'] as const,
  registers: [registry],
});
export const apiRequests = new Counter({
  name: 'aksim_api_requests_total',
  help: 'Requests the operator sent to the Kubernetes API server (reads and writes; not lists and watches of its caches), by verb, resource and HTTP status (0: no answer).',
  labelNames: ['verb', 'resource', 'code'] as const,
  registers: [registry],
});
export const cacheLists = new Counter({
  name: 'aksim_cache_lists_total',
  help: 'Full lists made by the watch caches (at start and after 410 Gone), by collection path.',
  labelNames: ['path'] as const,
  registers: [registry],
});
export const watchStarts = new Counter({
  name: 'aksim_watch_starts_total',
  help: 'Watches the caches started, by collection path and why: first, resumed (the server closed it), gone (410, after a list), error (after a backoff).',
  labelNames: ['path', 'why'] as const,
  registers: [registry],
});
export const isLeader = new Gauge({ name: 'aksim_leader', help: '1 while this process holds the leader Lease.', registers: [registry] });

export interface Health {
  live(): boolean;
  ready(): boolean;
}

/** Debug only (setting debugClock): moves the simulation clock forward; returns its offset. */
export type ClockJump = (realMs: number) => number;

export function serveMetrics(port: number, host: string, health: Health, clockJump?: ClockJump): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/debug/clock' && clockJump && req.method === 'POST') {
      const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('jumpMs'));
      try {
        const offsetMs = clockJump(ms);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ offsetMs }) + '\n');
      } catch (err: unknown) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(`${(err as Error).message}\n`);
      }
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    const check = path === '/healthz' ? health.live() : path === '/readyz' ? health.ready() : undefined;
    if (check === undefined) {
      res.writeHead(404);
      res.end('not found\n');
      return;
    }
    res.writeHead(check ? 200 : 503, { 'Content-Type': 'text/plain' });
    res.end(check ? 'ok\n' : 'not ready\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
