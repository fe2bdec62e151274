// Scheduled events (the IMDS documents): per event its type, NotBefore countdown, status, the
// nodes and what autodrain did to them (cordon, drain), and Approve (IMDS StartRequests).
import { useEffect, useState } from 'preact/hooks';
import type { ClusterRec, NodeRec, SchedEventRec } from '../../../src/console/records.ts';
import { act } from './api.ts';
import { store, values } from './store.ts';
import { Badge, duration, OutcomeLine, Panel, useRunner } from './ui.tsx';

function Countdown({ to }: { to: string }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const left = Date.parse(to) - (Date.now() + store.skewMs);
  return <span data-testid="countdown">{left > 0 ? `in ${duration(left)}` : 'due'}</span>;
}

function EventRow({ e }: { e: SchedEventRec }) {
  const r = useRunner();
  return (
    <tr data-event={e.id} data-status={e.status}>
      <td>{e.type}</td>
      <td>
        <Badge value={e.status} />
        {e.approved && e.status === 'Scheduled' && <span class="muted small"> approved</span>}
      </td>
      <td>{e.notBefore ? <Countdown to={e.notBefore} /> : ''}</td>
      <td class="small">
        {e.nodes.map((n) => {
          const d = e.drain.find((x) => x.node === n);
          return (
            <div key={n}>
              {n.replace(/^aks-/, '')}
              {d && (
                <span class="muted">
                  {d.cordoned ? ' · cordoned' : ''}
                  {d.drain ? ` · ${d.drain}` : ''}
                  {d.done ? ' · done' : ''}
                </span>
              )}
            </div>
          );
        })}
        <div class="muted">autodrain: {e.action}</div>
      </td>
      <td>
        {e.status === 'Scheduled' && !e.approved && (
          <button
            type="button"
            disabled={r.busy}
            data-testid={`approve-${e.id}`}
            onClick={() => void r.run(`event ${e.id} approved`, () => act('event-approve', { id: e.id, resourceGroup: e.ns }))}
          >
            Approve
          </button>
        )}
        <OutcomeLine outcome={r.outcome} testid={`approve-${e.id}-outcome`} />
      </td>
    </tr>
  );
}

export function SchedEventsPanel({ cluster, nodes }: { cluster: ClusterRec; nodes: NodeRec[] }) {
  const mine = new Set(nodes.map((n) => n.key));
  const events = values('sevent')
    .filter((e) => e.ns === cluster.ns && e.nodes.some((n) => mine.has(n)))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Panel title="Scheduled events" id="scheduled-events">
      {events.length === 0 ? (
        <p class="muted">No scheduled event. Schedule one under Fault injection.</p>
      ) : (
        <table class="events" data-testid="scheduled-events">
          <thead>
            <tr>
              <th>type</th>
              <th>status</th>
              <th>NotBefore</th>
              <th>nodes</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <EventRow key={e.key} e={e} />
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
