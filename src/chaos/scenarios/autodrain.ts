// Scenario: VM scheduled events on a spot pool (Preempt, Reboot, Redeploy, Freeze, Terminate)
// scheduled with the CLI, then approved (they start at once) or canceled, at a random moment:
// autodrain cordons, taints and drains (PodDisruptionBudget honoured), and uncordons what it
// cordoned once the event is canceled or done.
import {
  clusterYaml,
  firstOf,
  inNs,
  liveMachines,
  machinesSettled,
  poolNodes,
  workloadReady,
  workloadYaml,
  type Ctx,
  type Scenario,
} from '../scenario.js';

const CLUSTER = 'c1';
const POOL = 'spot';
const SIZE = 3;
const REPLICAS = 3;
const TYPES = ['Preempt', 'Reboot', 'Redeploy', 'Freeze', 'Terminate'] as const;

export function autodrainScenario(): Scenario {
  return {
    name: 'autodrain',
    what: 'autodrain on scheduled events (Preempt, Reboot, Redeploy, Freeze, Terminate; some canceled) under a PodDisruptionBudget',
    windowMs: 3000,
    async setup(c: Ctx) {
      await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        clusterYaml({
          name: CLUSTER,
          pools: [
            { name: 'nodepool1', count: 1, mode: 'System' },
            { name: POOL, count: SIZE, spot: true },
          ],
        }),
      );
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        workloadYaml({ ns: c.ns, app: 'web', pool: POOL, replicas: REPLICAS, minAvailable: REPLICAS - 1, tolerateSpot: true }),
      );
      await c.waitFor('the cluster and its workload', () => this.settled(c), 120_000);
    },
    async action(c: Ctx, round: number) {
      // Preempt and Terminate took VMs away: an idle pool does not replace them, a new count does.
      const live = liveMachines(c.world, c.ns, CLUSTER, POOL).length;
      const spec = c.world.get('SimNodePool', `${c.ns}/${CLUSTER}-${POOL}`)?.spec?.count ?? SIZE;
      const notes: string[] = [];
      if (live < SIZE) {
        const to = spec === SIZE ? SIZE + 1 : SIZE;
        await c.s.aksim(['aks', 'nodepool', 'scale', '-g', c.ns, '--cluster-name', CLUSTER, '-n', POOL, '-c', String(to), '-o', 'none']);
        await c.waitFor(
          'the spot pool back',
          () => firstOf(machinesSettled(c.world, c.ns, CLUSTER, POOL), workloadReady(c.world, c.ns, 'web', REPLICAS)),
          90_000,
        );
        notes.push(`pool back to ${to}`);
      }
      const type = TYPES[round % TYPES.length]!;
      const node = c.rng.pick(
        liveMachines(c.world, c.ns, CLUSTER, POOL)
          .map((m) => m.metadata.name)
          .sort(),
      );
      // NotBefore 20 s ahead of the operators' clock (jumped ahead by the clock faults): time to drain, and to approve or cancel first.
      const notBefore = `+PT${Math.ceil((c.clockOffsetMs() + 20_000) / 1000)}S`;
      const out = JSON.parse(
        await c.s.aksim([
          'sim',
          'event',
          'schedule',
          '--node',
          node,
          '--type',
          type,
          '-g',
          c.ns,
          '--not-before',
          notBefore,
          ...(type === 'Terminate' ? ['--terminate-notice', 'PT5M'] : []),
          '-o',
          'json',
        ]),
      );
      const id = String(out.name);
      await c
        .waitFor(`event ${id} in the record`, (w) => (w.get('ScheduledEvent', `${c.ns}/${id}`) ? undefined : 'not yet'), 30_000)
        .catch(() => undefined);
      const cancel = c.rng.chance(0.35);
      const wait = c.rng.int(300, 2500);
      await c.sleep(wait);
      try {
        if (cancel) await c.s.aksim(['sim', 'event', 'cancel', '--id', id, '-g', c.ns, '-o', 'none']);
        else await c.s.aksim(['sim', 'event', 'approve', '--id', id, '-g', c.ns, '-o', 'none']);
        notes.push(`${type} on ${node.slice(-3)}, ${cancel ? 'canceled' : 'approved'} after ${wait} ms`);
      } catch (err: unknown) {
        notes.push(
          `${type} on ${node.slice(-3)}: ${cancel ? 'cancel' : 'approve'} after ${wait} ms refused (${(err as Error).message.split('\n').pop()})`,
        );
      }
      return notes.join('; ');
    },
    settled(c: Ctx) {
      const events = inNs(c.world, 'ScheduledEvent', c.ns);
      if (events.length) return `${events.length} scheduled events not finished`;
      const nodes = poolNodes(c.world, c.ns, CLUSTER, POOL);
      const cordoned = nodes.filter(
        (n) => n.spec?.unschedulable || (n.spec?.taints ?? []).some((t: { key: string }) => t.key.startsWith('remediator.')),
      );
      if (cordoned.length) return `${cordoned.length} nodes still cordoned or tainted`;
      const machines = inNs(c.world, 'SimMachine', c.ns);
      if (
        machines.some(
          (m) =>
            m.status?.action ||
            (m.spec?.faults ?? []).length > 0 ||
            (m.spec?.rebootRequests ?? 0) > (m.status?.reboots ?? 0) ||
            (m.spec?.redeployRequests ?? 0) > (m.status?.redeploys ?? 0),
        )
      )
        return 'a VM action is still running';
      return firstOf(
        machinesSettled(c.world, c.ns, CLUSTER, 'nodepool1'),
        machinesSettled(c.world, c.ns, CLUSTER, POOL),
        workloadReady(c.world, c.ns, 'web', REPLICAS),
      );
    },
  };
}
