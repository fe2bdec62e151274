// The auto-repair timeline of a cluster: what the remediator does now (repairs, waiting nodes and
// why, failures), a strip per node of unhealthy windows and repair steps, and every entry in words.
import type { ClusterRec, TimelineEntry } from '../../../src/console/records.ts';
import { store } from './store.ts';
import { Badge, clock, duration, Panel } from './ui.tsx';

const short = (node: string): string => node.replace(/^aks-/, '');

function Strips({ entries, now }: { entries: TimelineEntry[]; now: number }) {
  if (entries.length === 0) return null;
  const t0 = Math.min(...entries.map((e) => Date.parse(e.start)));
  const span = Math.max(1000, now - t0);
  const nodes = [...new Set(entries.filter((e) => e.kind !== 'Skipped' && e.node).map((e) => e.node))].sort().slice(0, 12);
  const x = (iso: string | undefined): number => ((iso ? Date.parse(iso) : now) - t0) / span;
  return (
    <div class="strips" aria-hidden="true">
      {nodes.map((n) => (
        <div class="strip" key={n}>
          <span class="sname">{short(n)}</span>
          <div class="lane">
            {entries
              .filter(
                (e) => e.node === n && (e.kind === 'Unhealthy' || e.kind === 'Reboot' || e.kind === 'Reimage' || e.kind === 'Redeploy'),
              )
              .map((e) => {
                const a = x(e.start);
                const b = Math.max(a + 0.006, x(e.end));
                return (
                  <i
                    key={e.id}
                    class={`seg k-${e.kind}`}
                    style={{ left: `${a * 100}%`, width: `${(b - a) * 100}%` }}
                    title={`${e.kind} ${clock(e.start)}-${clock(e.end)}`}
                  />
                );
              })}
            {entries
              .filter((e) => e.node === n && e.kind === 'Failed')
              .map((e) => (
                <i key={e.id} class="mark k-Failed" style={{ left: `${x(e.start) * 100}%` }} title={e.text} />
              ))}
          </div>
        </div>
      ))}
      <div class="axis">
        <span>{clock(new Date(t0).toISOString())}</span>
        <span>now</span>
      </div>
    </div>
  );
}

export function RepairPanel({ cluster }: { cluster: ClusterRec }) {
  const ar = cluster.autoRepair;
  const entries = store.maps.timeline.get(cluster.key)?.entries ?? [];
  const now = Date.now() + store.skewMs;
  return (
    <Panel title="Auto-repair" id="autorepair">
      {ar.message && <div class="warn">{ar.message}</div>}
      <div class="small">
        unhealthy nodes: {ar.unhealthyNodes}
        {ar.lastRepair?.node && (
          <span>
            {' '}
            · last repair: {short(ar.lastRepair.node)} {ar.lastRepair.result} ({(ar.lastRepair.steps ?? []).join(', ')})
          </span>
        )}
      </div>
      {ar.repairs.map((r) => (
        <div class="repair" key={r.node} data-testid="repair-now">
          repairing <b>{short(r.node)}</b>: {r.step} ({r.phase}), attempt {r.attempt}
          {r.done.length > 0 && <span class="muted"> after {r.done.join(', ')}</span>}
        </div>
      ))}
      {ar.queue.length > 0 && (
        <ul class="queue small">
          {ar.queue.map((q) => (
            <li key={q.node}>
              {short(q.node)}: {q.reason}
              {q.since && <span class="muted"> (unhealthy {duration(now - Date.parse(q.since))})</span>}
            </li>
          ))}
        </ul>
      )}
      {ar.failed.map((f) => (
        <div class="err small" key={f.node}>
          {short(f.node)}: {f.message ?? 'auto-repair failed'}
        </div>
      ))}
      <Strips entries={entries} now={now} />
      <div class="scroll timeline" data-testid="timeline">
        {entries.map((e) => (
          <div class="tl" key={e.id} data-node={e.node} data-kind={e.kind} data-result={e.result ?? ''}>
            <div class="head">
              <span class="t">{clock(e.start)}</span>
              <b>{e.node ? short(e.node) : 'cluster'}</b>
              <Badge value={e.kind} kind={`k${e.kind}`} />
              {e.result && e.result !== e.kind && <Badge value={e.result} />}
              {e.end && <span class="muted small">{duration(Date.parse(e.end) - Date.parse(e.start))}</span>}
            </div>
            <div class="text">{e.text}</div>
          </div>
        ))}
        {entries.length === 0 && <p class="muted">Nothing unhealthy seen yet.</p>}
      </div>
    </Panel>
  );
}
