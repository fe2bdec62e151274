// Scenario: node auto-repair of several faulty nodes at once (container runtime down: a reboot
// cures it; disk corruption: only a reimage does), with maxConcurrentRepairs switching between 1
// and 2, and rounds where the cluster is under its minimum size (no repair may start: the harness
// clears the fault itself).
import { clusterYaml, firstOf, inNs, liveMachines, machinesSettled, poolNodes, type Ctx, type Scenario, cliScale } from '../scenario.js';
import { isReady } from '../world.js';

const CLUSTER = 'c1';
const POOL = 'nodepool1';
const SIZE = 4;
const MIN_NODES = 3;
const REQUESTS = ['rebootRequests', 'reimageRequests', 'redeployRequests'] as const;
const DONE = ['reboots', 'reimages', 'redeploys'] as const;

export function repairScenario(): Scenario {
  let small = false;
  return {
    name: 'repair',
    what: `auto-repair of several NotReady nodes (maxConcurrentRepairs 1 or 2; minNodes ${MIN_NODES}, some rounds under it)`,
    windowMs: 3000,
    async setup(c: Ctx) {
      await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        clusterYaml({
          name: CLUSTER,
          pools: [{ name: POOL, count: SIZE, mode: 'System' }],
          autoRepair: { unhealthyWindow: 'PT1M', readyTimeout: 'PT1M', minNodes: MIN_NODES, maxConcurrentRepairs: 1 },
        }),
      );
      await c.waitFor('the cluster', () => this.settled(c), 120_000);
    },
    async action(c: Ctx, round: number) {
      const notes: string[] = [];
      // Under the minimum size every fourth round: scale to 2 nodes first, back to 4 the round after.
      const wantSmall = round % 4 === 3;
      if (wantSmall !== small) {
        // (The size the harness expects changes only once the scale went through: a refused one is tried again next round.)
        await cliScale(c, CLUSTER, POOL, wantSmall ? MIN_NODES - 1 : SIZE, { wait: true });
        small = wantSmall;
        const size = small ? MIN_NODES - 1 : SIZE;
        // The record may trail the scale: a victim picked from it must still exist.
        await c.waitFor(
          `the pool at ${size} in the record`,
          (w) => (liveMachines(w, c.ns, CLUSTER, POOL).length === size ? undefined : 'not yet'),
          30_000,
        );
        notes.push(`scaled to ${size}`);
      }
      if (round % 5 === 2) {
        const max = c.rng.int(1, 2);
        await c.s.kubectl([
          'patch',
          'simcluster',
          CLUSTER,
          '-n',
          c.ns,
          '--type',
          'merge',
          '-p',
          JSON.stringify({ spec: { autoRepair: { maxConcurrentRepairs: max } } }),
        ]);
        notes.push(`maxConcurrentRepairs ${max}`);
      }
      const machines = liveMachines(c.world, c.ns, CLUSTER, POOL)
        .map((m) => m.metadata.name)
        .sort();
      const victims = c.rng.shuffle(machines).slice(0, small ? 1 : c.rng.int(1, 3));
      for (const node of victims) {
        const type = c.rng.pick(['ContainerRuntimeDown', 'ContainerRuntimeDown', 'DiskCorruption']);
        const before = c.world.get('SimMachine', `${c.ns}/${node}`)?.metadata.generation ?? 0;
        await c.s.aksim(['sim', 'fault', 'inject', '--node', node, '--type', type, '-g', c.ns, '-o', 'none']);
        // The record may trail the write: settled() must not judge the round before it shows the fault.
        await c.waitFor(
          `the ${type} on ${node} in the record`,
          (w) => ((w.get('SimMachine', `${c.ns}/${node}`)?.metadata.generation ?? 0) > before ? undefined : 'not yet'),
          30_000,
        );
        notes.push(`${type} on ${node.slice(-3)}`);
      }
      if (small) {
        // No repair may start under minNodes: the fault is cleared by hand after a while.
        await c.sleep(3000);
        for (const node of victims) await c.s.aksim(['sim', 'fault', 'clear', '--node', node, '--type', 'all', '-g', c.ns, '-o', 'none']);
        notes.push('faults cleared by hand');
      }
      return notes.join('; ');
    },
    settled(c: Ctx) {
      const machines = inNs(c.world, 'SimMachine', c.ns);
      const pending = machines.filter(
        (m) =>
          REQUESTS.some((r, i) => (m.spec?.[r] ?? 0) > (m.status?.[DONE[i]!] ?? 0)) ||
          m.status?.action ||
          (m.spec?.faults ?? []).length > 0,
      );
      if (pending.length) return `${pending.length} machines still faulty or being repaired`;
      const nodes = poolNodes(c.world, c.ns, CLUSTER, POOL);
      if (nodes.some((n) => !isReady(n))) return 'nodes not Ready';
      return firstOf(
        machinesSettled(c.world, c.ns, CLUSTER, POOL),
        liveMachines(c.world, c.ns, CLUSTER, POOL).length === (small ? MIN_NODES - 1 : SIZE) ? undefined : 'pool size not reached',
      );
    },
  };
}
