// Fault injection: pick a node (or click its tile), then a fault (what `aksim sim fault inject`
// takes) or a scheduled event type (`aksim sim event schedule`), and watch the system respond.
import { useState } from 'preact/hooks';
import type { ClusterRec, NodeRec } from '../../../src/console/records.ts';
import { act } from './api.ts';
import { store } from './store.ts';
import { OutcomeLine, Panel, useRunner } from './ui.tsx';

export function FaultPanel({
  cluster,
  nodes,
  selected,
  onPick,
}: {
  cluster: ClusterRec;
  nodes: NodeRec[];
  selected: string;
  onPick: (n: string) => void;
}) {
  const faults = store.meta.faultTypes;
  const events = store.meta.eventTypes;
  const [fault, setFault] = useState('');
  const [event, setEvent] = useState('');
  const [notBefore, setNotBefore] = useState('');
  const r = useRunner();
  const node = selected;
  const rec = nodes.find((n) => n.key === node);
  const f = fault || faults[0] || '';
  const ev = event || events[0] || '';
  const listId = `nodes-${cluster.key}`;
  return (
    <Panel title="Fault injection" id="faults">
      <div class="form">
        <label>
          Node
          <input
            list={listId}
            value={node}
            onInput={(e) => onPick((e.target as HTMLInputElement).value.trim())}
            placeholder="click a tile or type a name"
            data-testid="fault-node"
          />
          <datalist id={listId}>
            {nodes.map((n) => (
              <option key={n.key} value={n.key} />
            ))}
          </datalist>
        </label>
        {rec && (
          <div class="muted small" data-testid="fault-node-info">
            {rec.state} · faults: {rec.faults.length ? rec.faults.join(', ') : 'none'}
          </div>
        )}
        <label>
          Fault
          <select value={f} onChange={(e) => setFault((e.target as HTMLSelectElement).value)} data-testid="fault-type">
            {faults.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <div class="buttons">
          <button
            type="button"
            disabled={r.busy}
            data-testid="fault-inject"
            onClick={() => void r.run(`${f} injected on ${node}`, () => act('fault-inject', { node, type: f, resourceGroup: cluster.ns }))}
          >
            Inject
          </button>
          <button
            type="button"
            disabled={r.busy}
            data-testid="fault-clear"
            onClick={() =>
              void r.run(`faults cleared on ${node}`, () => act('fault-clear', { node, type: 'all', resourceGroup: cluster.ns }))
            }
          >
            Clear all
          </button>
        </div>
        <label>
          Scheduled event
          <select value={ev} onChange={(e) => setEvent((e.target as HTMLSelectElement).value)} data-testid="event-type">
            {events.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          NotBefore
          <input
            value={notBefore}
            onInput={(e) => setNotBefore((e.target as HTMLInputElement).value)}
            placeholder="+PT5M or an ISO time (default: minimum notice)"
            data-testid="event-not-before"
          />
        </label>
        <div class="buttons">
          <button
            type="button"
            disabled={r.busy}
            data-testid="event-schedule"
            onClick={() =>
              void r.run(`${ev} event scheduled on ${node}`, () =>
                act('event-schedule', { node, type: ev, notBefore, resourceGroup: cluster.ns }),
              )
            }
          >
            Schedule
          </button>
        </div>
        <OutcomeLine outcome={r.outcome} testid="fault-outcome" />
      </div>
    </Panel>
  );
}
