// One cluster: its summary and running operation, each pool's nodes as tiles by zone and fault
// domain, and the side panels (fault injection, operations, auto-repair, scheduled events).
import { memo } from 'preact/compat';
import { useCallback, useState } from 'preact/hooks';
import { NODE_STATES, type ClusterRec, type NodeRec, type PoolRec } from '../../../src/console/records.ts';
import { act } from './api.ts';
import { FaultPanel } from './faults.tsx';
import { CurrentOperation, OperationsPanel } from './ops.tsx';
import { RepairPanel } from './repair.tsx';
import { SchedEventsPanel } from './sevents.tsx';
import { store, values } from './store.ts';
import { Badge, OutcomeLine, useRunner } from './ui.tsx';

const hover = (n: NodeRec): string =>
  [
    n.key,
    `state: ${n.state} (${n.detail})`,
    `node image: ${n.image}`,
    `Kubernetes: ${n.version}`,
    `VM size: ${n.vmSize}`,
    `zone: ${n.zone || 'none'}, fault domain ${n.faultDomain}`,
    n.faults.length ? `faults: ${n.faults.join(', ')}` : '',
    n.action ? `action: ${n.action}` : '',
  ]
    .filter(Boolean)
    .join('\n');

const Tile = memo(function Tile({ n, selected, onPick }: { n: NodeRec; selected: boolean; onPick: (name: string) => void }) {
  return (
    <button
      type="button"
      class={`tile s-${n.state}${selected ? ' selected' : ''}`}
      data-node={n.key}
      data-state={n.state}
      title={hover(n)}
      aria-label={`${n.key}: ${n.state}`}
      onClick={() => onPick(n.key)}
    />
  );
});

export function Legend({ nodes }: { nodes: NodeRec[] }) {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.state, (counts.get(n.state) ?? 0) + 1);
  return (
    <div class="legend">
      {NODE_STATES.map((s) => (
        <span key={s} class={counts.get(s) ? '' : 'dim'}>
          <i class={`swatch s-${s}`} /> {s} {counts.get(s) ?? 0}
        </span>
      ))}
    </div>
  );
}

function NodeMap({ nodes, selected, onPick }: { nodes: NodeRec[]; selected: string; onPick: (n: string) => void }) {
  const zones = new Map<string, Map<number, NodeRec[]>>();
  for (const n of nodes) {
    let z = zones.get(n.zone);
    if (!z) zones.set(n.zone, (z = new Map()));
    const fd = z.get(n.faultDomain);
    if (fd) fd.push(n);
    else z.set(n.faultDomain, [n]);
  }
  const zoneKeys = [...zones.keys()].sort();
  return (
    <div class="zones">
      {zoneKeys.map((z) => (
        <div class="zone" key={z} data-zone={z || 'none'}>
          <div class="zlabel">{z ? `zone ${z}` : 'no zone'}</div>
          {[...zones.get(z)!.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([fd, list]) => (
              <div class="fd" key={fd} data-fd={fd}>
                <div class="fdlabel">FD {fd}</div>
                <div class="tiles">
                  {list
                    .sort((a, b) => (a.key < b.key ? -1 : 1))
                    .map((n) => (
                      <Tile key={n.key} n={n} selected={n.key === selected} onPick={onPick} />
                    ))}
                </div>
              </div>
            ))}
        </div>
      ))}
    </div>
  );
}

function ScaleForm({ pool }: { pool: PoolRec }) {
  const [count, setCount] = useState('');
  const r = useRunner();
  const submit = (e: Event): void => {
    e.preventDefault();
    void r.run(`scaling ${pool.name} to ${count}`, () =>
      act('scale', { resourceGroup: pool.ns, cluster: pool.cluster, pool: pool.name, count }),
    );
  };
  return (
    <form class="inline" onSubmit={submit} data-testid={`scale-${pool.name}`}>
      <input
        name="count"
        size={5}
        placeholder={String(pool.wanted)}
        value={count}
        onInput={(e) => setCount((e.target as HTMLInputElement).value)}
        aria-label={`node count for ${pool.name}`}
      />
      <button type="submit" disabled={r.busy}>
        Scale
      </button>
      <OutcomeLine outcome={r.outcome} testid={`scale-${pool.name}-outcome`} />
    </form>
  );
}

/** Big tiles for a small pool (a room can read them), small ones for a thousand nodes. */
const tileSize = (n: number): number => (n <= 20 ? 26 : n <= 100 ? 20 : 14);

function PoolCard({ pool, nodes, selected, onPick }: { pool: PoolRec; nodes: NodeRec[]; selected: string; onPick: (n: string) => void }) {
  return (
    <section class="pool" data-pool={pool.name} style={{ '--tile': `${tileSize(nodes.length)}px` }}>
      <h3>
        {pool.name} <Badge value={pool.state} /> <span class="muted">{pool.mode}</span>
        <span class="muted">
          {' '}
          {pool.readyNodes}/{pool.count} Ready (wanted {pool.wanted}) · {pool.vmSize} · {pool.priority} · v{pool.version}
        </span>
      </h3>
      <div class="poolbar">
        <ScaleForm pool={pool} />
        {pool.op && <CurrentOperation op={pool.op} target={{ resourceGroup: pool.ns, cluster: pool.cluster, pool: pool.name }} />}
      </div>
      <Legend nodes={nodes} />
      <NodeMap nodes={nodes} selected={selected} onPick={onPick} />
    </section>
  );
}

export function ClusterView({ cluster }: { cluster: ClusterRec }) {
  const [selected, setSelected] = useState('');
  const onPick = useCallback((n: string) => setSelected(n), []);
  const pools = values('pool')
    .filter((p) => p.ns === cluster.ns && p.cluster === cluster.name)
    .sort((a, b) => (a.mode === b.mode ? a.name.localeCompare(b.name) : a.mode === 'System' ? -1 : 1));
  const byPool = new Map<string, NodeRec[]>();
  const clusterNodes: NodeRec[] = [];
  for (const n of store.maps.node.values()) {
    if (n.ns !== cluster.ns || n.cluster !== cluster.name) continue;
    clusterNodes.push(n);
    const l = byPool.get(n.pool);
    if (l) l.push(n);
    else byPool.set(n.pool, [n]);
  }
  return (
    <div class="cluster" data-cluster={cluster.key}>
      <div class="summary">
        <h2>
          {cluster.name} <Badge value={cluster.state} />
        </h2>
        <span class="muted">
          resource group {cluster.ns} · {cluster.location} · Kubernetes {cluster.version} · {cluster.readyNodes}/{cluster.totalNodes} nodes
          Ready
        </span>
        {cluster.op && <CurrentOperation op={cluster.op} target={{ resourceGroup: cluster.ns, cluster: cluster.name }} />}
      </div>
      <div class="columns">
        <div class="maincol">
          {pools.map((p) => (
            <PoolCard key={p.key} pool={p} nodes={byPool.get(p.name) ?? []} selected={selected} onPick={onPick} />
          ))}
        </div>
        <aside class="side">
          <FaultPanel cluster={cluster} nodes={clusterNodes} selected={selected} onPick={onPick} />
          <OperationsPanel cluster={cluster} pools={pools} />
          <RepairPanel cluster={cluster} />
          <SchedEventsPanel cluster={cluster} nodes={clusterNodes} />
        </aside>
      </div>
    </div>
  );
}
