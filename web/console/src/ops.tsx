// Long-running operations: the running one with its progress (percentComplete) and Abort, and the
// history of the cluster and its pools (the operator keeps 50 per resource).
import type { ClusterRec, CurrentOp, OpRec, PoolRec } from '../../../src/console/records.ts';
import { act } from './api.ts';
import { store, values } from './store.ts';
import { Badge, clock, OutcomeLine, Panel, Progress, useRunner } from './ui.tsx';

const opOf = (id: string): OpRec | undefined => {
  for (const o of store.maps.op.values()) if (o.id === id) return o;
  return undefined;
};

export function CurrentOperation({ op, target }: { op: CurrentOp; target: { resourceGroup: string; cluster: string; pool?: string } }) {
  const r = useRunner();
  const rec = opOf(op.id);
  const where = target.pool ?? target.cluster;
  return (
    <div class="curop" data-testid={`current-op-${where}`} data-op={op.id} data-status={rec?.status ?? 'InProgress'}>
      <span>
        {op.type} <Badge value={rec?.status ?? op.state} />
      </span>
      <Progress percent={rec?.percent ?? 0} label={`${rec?.percent ?? 0}% (${rec?.stepsDone ?? 0}/${rec?.stepsTotal ?? '?'} steps)`} />
      <button
        type="button"
        class="danger"
        disabled={r.busy || rec?.status === 'Canceling'}
        onClick={() => void r.run(`abort requested for ${op.type} on ${where}`, () => act('abort', target))}
        data-testid={`abort-${where}`}
      >
        Abort
      </button>
      <OutcomeLine outcome={r.outcome} testid={`abort-${where}-outcome`} />
    </div>
  );
}

export function OperationsPanel({ cluster, pools }: { cluster: ClusterRec; pools: PoolRec[] }) {
  const names = new Map<string, string>([[cluster.key, cluster.name]]);
  for (const p of pools) names.set(p.key, p.name);
  const ops = values('op')
    .filter((o) => names.has(o.target))
    .sort((a, b) => (b.start ?? '').localeCompare(a.start ?? ''));
  return (
    <Panel title="Operations" id="operations">
      {ops.length === 0 ? (
        <p class="muted">No operation yet.</p>
      ) : (
        <div class="scroll">
          <table class="ops" data-testid="operations">
            <thead>
              <tr>
                <th>started</th>
                <th>on</th>
                <th>type</th>
                <th>status</th>
                <th>progress</th>
              </tr>
            </thead>
            <tbody>
              {ops.slice(0, 100).map((o) => (
                <tr
                  key={o.key}
                  data-op={o.id}
                  data-status={o.status}
                  title={`${o.id}${o.end ? `\nended ${o.end}` : ''}${o.error ? `\n${o.error}` : ''}`}
                >
                  <td>{clock(o.start)}</td>
                  <td>{names.get(o.target)}</td>
                  <td>{o.type}</td>
                  <td>
                    <Badge value={o.status} />
                  </td>
                  <td>
                    <Progress percent={o.percent} status={o.status} />
                    {o.error && <div class="err small">{o.error}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
