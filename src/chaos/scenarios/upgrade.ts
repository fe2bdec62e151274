// Scenario: cluster rolling upgrades one version at a time (control plane, then the pool with
// maxSurge, each node drained under a PodDisruptionBudget), by the CLI, kubectl and the REST
// service in turn, between them pool scale changes.
import { clusterYaml, firstOf, poolSettled, workloadReady, workloadYaml, type Ctx, type Scenario, cliScale } from '../scenario.js';

const CLUSTER = 'c1';
const POOL = 'work';
const REPLICAS = 3;
/** Every supported version from the oldest, one step (patch or minor) at a time. */
export const UPGRADE_PATH = [
  '1.30.10',
  '1.30.14',
  '1.31.6',
  '1.31.13',
  '1.32.2',
  '1.32.9',
  '1.33.0',
  '1.33.5',
  '1.34.0',
  '1.34.4',
  '1.35.0',
  '1.35.1',
];

export function upgradeScenario(): Scenario {
  let step = 0;
  let count = 3;
  const version = (): string => UPGRADE_PATH[step]!;
  return {
    name: 'upgrade',
    what: 'cluster and pool rolling upgrades with maxSurge under a PodDisruptionBudget (CLI, kubectl, REST), with scale changes between',
    windowMs: 4000,
    async setup(c: Ctx) {
      await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        clusterYaml({
          name: CLUSTER,
          version: version(),
          pools: [
            { name: 'nodepool1', count: 1, mode: 'System' },
            { name: POOL, count, maxSurge: '1' },
          ],
        }),
      );
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        workloadYaml({ ns: c.ns, app: 'web', pool: POOL, replicas: REPLICAS, minAvailable: REPLICAS - 1 }),
      );
      await c.waitFor('the cluster and its workload', () => this.settled(c), 120_000);
    },
    async action(c: Ctx, round: number) {
      if (round % 2 === 0 && step + 1 < UPGRADE_PATH.length) {
        step++;
        const v = version();
        switch ((round / 2) % 3) {
          case 0:
            await c.s.aksim(['aks', 'upgrade', '-g', c.ns, '-n', CLUSTER, '-k', v, '--yes', '--no-wait', '-o', 'none']);
            return `CLI: az aks upgrade -k ${v}`;
          case 1:
            await c.s.kubectl([
              'patch',
              'simcluster',
              CLUSTER,
              '-n',
              c.ns,
              '--type',
              'merge',
              '-p',
              JSON.stringify({ spec: { kubernetesVersion: v } }),
            ]);
            return `kubectl: cluster kubernetesVersion ${v}`;
          default: {
            const r = await c.s.rest(
              'PUT',
              `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}?api-version=2025-10-01`,
              { properties: { kubernetesVersion: v } },
            );
            if (r.status >= 300) throw new Error(`REST PUT managedCluster: HTTP ${r.status} ${JSON.stringify(r.body)}`);
            return `REST: PUT managedClusters/${CLUSTER} kubernetesVersion ${v}`;
          }
        }
      }
      let next = c.rng.int(2, 4);
      if (next === count) next = next === 4 ? 2 : next + 1;
      count = next;
      if (round % 4 === 1) {
        await cliScale(c, CLUSTER, POOL, count);
        return `CLI: nodepool scale ${POOL} -c ${count}`;
      }
      const r = await c.s.rest(
        'PUT',
        `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/${POOL}?api-version=2025-10-01`,
        { properties: { count, upgradeSettings: { maxSurge: c.rng.pick(['1', '50%']) } } },
      );
      if (r.status >= 300) throw new Error(`REST PUT agentPool: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return `REST: PUT agentPools/${POOL} count ${count}`;
    },
    settled(c: Ctx) {
      const cl = c.world.get('SimCluster', `${c.ns}/${CLUSTER}`);
      if (cl?.status?.currentKubernetesVersion !== version())
        return `control plane at ${cl?.status?.currentKubernetesVersion}, want ${version()}`;
      return firstOf(
        poolSettled(c.world, c.ns, CLUSTER, 'nodepool1', { count: 1, version: version() }),
        poolSettled(c.world, c.ns, CLUSTER, POOL, { count, version: version() }),
        workloadReady(c.world, c.ns, 'web', REPLICAS),
      );
    },
  };
}
