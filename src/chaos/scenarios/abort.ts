// Scenario: scale operations aborted mid-way (CLI operation-abort, the REST abort action, or the
// kubectl annotation), at a random moment: the operation ends Canceled (or Succeeded when the
// abort came too late), VMs not yet booted go, nothing is rolled back, nothing is left half-done.
import { clusterYaml, firstOf, liveMachines, machinesSettled, takenIn, type Ctx, type Scenario, cliScale } from '../scenario.js';

const CLUSTER = 'c1';
const POOL = 'work';

/** Real ms a VM takes to boot here (times 0.75-1.25 per VM): long enough to abort a scale-out in. */
const BOOT_REAL_MS = 3000;

export function abortScenario(): Scenario {
  let asked = 2;
  let bootTime = 'PT3M';
  return {
    name: 'abort',
    what: 'scale out/in aborted mid-operation (CLI, REST, kubectl annotation)',
    windowMs: 2500,
    async setup(c: Ctx) {
      await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        clusterYaml({
          name: CLUSTER,
          pools: [
            { name: 'nodepool1', count: 1, mode: 'System' },
            { name: POOL, count: 2 },
          ],
          bootTime: 'PT3M',
        }),
      );
      await c.waitFor('the cluster', () => this.settled(c), 120_000);
    },
    async action(c: Ctx, round: number) {
      // Boots compare the API server's creation time with the operators' clock, which clock
      // jumps moved ahead: lengthen the simulated boot by that much so VMs still take ~3 s.
      const boot = `PT${Math.round(((BOOT_REAL_MS + c.clockOffsetMs()) * c.timeScale) / 1000)}S`;
      if (boot !== bootTime) {
        bootTime = boot;
        await c.s.kubectl([
          'patch',
          'simcluster',
          CLUSTER,
          '-n',
          c.ns,
          '--type',
          'merge',
          '-p',
          JSON.stringify({ spec: { simulation: { nodeBootTime: boot } } }),
        ]);
        await c.waitFor(
          'the new boot time taken in',
          (w) => {
            const cl = w.get('SimCluster', `${c.ns}/${CLUSTER}`);
            return cl?.spec?.simulation?.nodeBootTime === boot ? takenIn(cl) : 'not in the record yet';
          },
          60_000,
        );
      }
      const pool = c.world.get('SimNodePool', `${c.ns}/${CLUSTER}-${POOL}`);
      const live = liveMachines(c.world, c.ns, CLUSTER, POOL).length;
      const spec = pool?.spec?.count ?? 2;
      let count = live >= 6 ? c.rng.int(1, 3) : live + c.rng.int(2, 5);
      if (count === spec) count++;
      asked = count;
      await cliScale(c, CLUSTER, POOL, count);
      // VMs boot in 3 simulated minutes here (2.3-3.8 s): an abort in the first two seconds finds the operation running.
      const wait = c.rng.int(100, 2000);
      await c.sleep(wait);
      const how = round % 3;
      let answer: string;
      try {
        if (how === 0) {
          await c.s.aksim([
            'aks',
            'nodepool',
            'operation-abort',
            '-g',
            c.ns,
            '--cluster-name',
            CLUSTER,
            '-n',
            POOL,
            '--no-wait',
            '-o',
            'none',
          ]);
          answer = 'CLI operation-abort';
        } else if (how === 1) {
          const r = await c.s.rest(
            'POST',
            `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/${POOL}/abort?api-version=2025-10-01`,
          );
          answer = `REST abort: HTTP ${r.status}${r.status >= 300 ? ` ${r.body?.error?.code}` : ''}`;
        } else {
          const opId = c.world.get('SimNodePool', `${c.ns}/${CLUSTER}-${POOL}`)?.status?.currentOperation?.operationId;
          if (!opId) answer = 'kubectl annotate: no operation running any more';
          else {
            await c.s.kubectl([
              'annotate',
              'simnodepool',
              `${CLUSTER}-${POOL}`,
              '-n',
              c.ns,
              '--overwrite',
              `aksim.io/abort-operation=${opId}`,
            ]);
            answer = `kubectl annotate abort ${opId.slice(0, 8)}`;
          }
        }
      } catch (err: unknown) {
        answer = `abort refused: ${(err as Error).message.split('\n').pop()}`;
      }
      return `scale ${live} -> ${count}, abort after ${wait} ms (${answer})`;
    },
    settled(c: Ctx) {
      const spec = c.world.get('SimNodePool', `${c.ns}/${CLUSTER}-${POOL}`)?.spec?.count;
      if (spec !== asked) return `spec.count ${spec} not yet ${asked} in the record`;
      return firstOf(machinesSettled(c.world, c.ns, CLUSTER, 'nodepool1'), machinesSettled(c.world, c.ns, CLUSTER, POOL));
    },
  };
}
