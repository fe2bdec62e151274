// Scenario: node pool snapshots taken (CLI), pools made from them (REST), scaled (kubectl),
// deleted (CLI), snapshots deleted (REST), over and over: nothing is left behind by a delete.
import { clusterYaml, firstOf, inNs, poolSettled, type Ctx, type Scenario } from '../scenario.js';

const CLUSTER = 'c1';
const SOURCE = 'src';

export function snapshotScenario(): Scenario {
  const pools = new Set<string>(['nodepool1', SOURCE]);
  const snaps = new Set<string>();
  const counts = new Map<string, number>();
  return {
    name: 'snapshot',
    what: 'snapshot create, pool from snapshot, scale, pool delete, snapshot delete (CLI, REST, kubectl)',
    windowMs: 2500,
    async setup(c: Ctx) {
      await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        clusterYaml({
          name: CLUSTER,
          pools: [
            { name: 'nodepool1', count: 1, mode: 'System' },
            { name: SOURCE, count: 1 },
          ],
        }),
      );
      await c.waitFor('the cluster', () => this.settled(c), 120_000);
    },
    async action(c: Ctx, round: number) {
      const k = Math.floor(round / 5);
      const snap = `snap${k}`;
      const pool = `fs${k}`;
      const arm = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerService`;
      switch (round % 5) {
        case 0:
          snaps.add(snap);
          await c.s.aksim([
            'aks',
            'nodepool',
            'snapshot',
            'create',
            '-g',
            c.ns,
            '-n',
            snap,
            '--nodepool-id',
            `${arm}/managedClusters/${CLUSTER}/agentPools/${SOURCE}`,
            '-o',
            'none',
          ]);
          return `CLI: snapshot ${snap} of pool ${SOURCE}`;
        case 1: {
          pools.add(pool);
          counts.set(pool, 1);
          const r = await c.s.rest('PUT', `${arm}/managedClusters/${CLUSTER}/agentPools/${pool}?api-version=2025-10-01`, {
            properties: { count: 1, creationData: { sourceResourceId: `${arm}/snapshots/${snap}` } },
          });
          if (r.status >= 300) throw new Error(`REST PUT agentPool from snapshot: HTTP ${r.status} ${JSON.stringify(r.body)}`);
          return `REST: pool ${pool} from ${snap}`;
        }
        case 2: {
          const count = c.rng.int(2, 3);
          counts.set(pool, count);
          await c.s.kubectl([
            'patch',
            'simnodepool',
            `${CLUSTER}-${pool}`,
            '-n',
            c.ns,
            '--type',
            'merge',
            '-p',
            JSON.stringify({ spec: { count } }),
          ]);
          return `kubectl: pool ${pool} count ${count}`;
        }
        case 3:
          pools.delete(pool);
          await c.s.aksim(['aks', 'nodepool', 'delete', '-g', c.ns, '--cluster-name', CLUSTER, '-n', pool, '--no-wait', '-o', 'none']);
          return `CLI: delete pool ${pool}`;
        default: {
          snaps.delete(snap);
          const r = await c.s.rest('DELETE', `${arm}/snapshots/${snap}?api-version=2025-10-01`);
          if (r.status >= 300) throw new Error(`REST DELETE snapshot: HTTP ${r.status} ${JSON.stringify(r.body)}`);
          return `REST: delete snapshot ${snap}`;
        }
      }
    },
    settled(c: Ctx) {
      const have = inNs(c.world, 'NodePoolSnapshot', c.ns);
      const waiting = have.filter((s) => s.metadata.deletionTimestamp || s.status?.provisioningState !== 'Succeeded');
      if (waiting.length) return `snapshots not settled: ${waiting.map((s) => s.metadata.name).join(', ')}`;
      const names = have.map((s) => s.metadata.name);
      if (names.length !== snaps.size || names.some((n) => !snaps.has(n)))
        return `snapshots ${names.join(', ')} in the record, want ${[...snaps].join(', ')}`;
      const objs = inNs(c.world, 'SimNodePool', c.ns).map((p) => p.spec?.name as string);
      const extra = objs.filter((p) => !pools.has(p));
      if (extra.length) return `pools still there after their delete: ${extra.join(', ')}`;
      const missing = [...pools].filter((p) => !objs.includes(p));
      if (missing.length) return `pools not there yet: ${missing.join(', ')}`;
      const gone = inNs(c.world, 'SimMachine', c.ns).filter((m) => !pools.has(m.spec?.poolName));
      if (gone.length) return `${gone.length} machines of deleted pools still there`;
      return firstOf(...[...pools].map((p) => poolSettled(c.world, c.ns, CLUSTER, p, { count: counts.get(p) })));
    },
  };
}
