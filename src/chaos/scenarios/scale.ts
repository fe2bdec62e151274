// Scenario: a user pool scaled out and in (each scale-in drains through the eviction API under a
// PodDisruptionBudget), by kubectl, the CLI and the REST service in turn; at the end more than 50
// operations on one pool (the history keeps 50).
import {
  clusterYaml,
  firstOf,
  poolSettled,
  workloadReady,
  workloadYaml,
  opsSettled,
  type Ctx,
  type Scenario,
  cliScale,
} from '../scenario.js';

const CLUSTER = 'c1';
const POOL = 'work';
const REPLICAS = 4;

export function scaleScenario(historyOps: number): Scenario {
  let count = 3;
  return {
    name: 'scale',
    what: 'pool scale out/in with drain under a PodDisruptionBudget (kubectl, CLI, REST); then more than 50 operations on one pool',
    windowMs: 3000,
    async setup(c: Ctx) {
      await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        clusterYaml({
          name: CLUSTER,
          pools: [
            { name: 'nodepool1', count: 1, mode: 'System' },
            { name: POOL, count, zones: ['1', '2', '3'] },
          ],
        }),
      );
      await c.s.kubectl(
        ['apply', '-n', c.ns, '-f', '-'],
        workloadYaml({ ns: c.ns, app: 'web', pool: POOL, replicas: REPLICAS, minAvailable: REPLICAS - 1 }),
      );
      await c.waitFor('the pool and its workload', () => this.settled(c), 120_000);
    },
    async action(c: Ctx, round: number) {
      let next = c.rng.int(2, 5);
      if (next === count) next = next === 5 ? 2 : next + 1;
      count = next;
      switch (round % 3) {
        case 0:
          await c.s.kubectl([
            'patch',
            'simnodepool',
            `${CLUSTER}-${POOL}`,
            '-n',
            c.ns,
            '--type',
            'merge',
            '-p',
            JSON.stringify({ spec: { count } }),
          ]);
          return `kubectl: pool ${POOL} count ${count}`;
        case 1:
          await cliScale(c, CLUSTER, POOL, count);
          return `CLI: az aks nodepool scale ${POOL} -c ${count}`;
        default: {
          const r = await c.s.rest(
            'PUT',
            `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/${POOL}?api-version=2025-10-01`,
            { properties: { count } },
          );
          if (r.status >= 300) throw new Error(`REST PUT agentPool: HTTP ${r.status} ${JSON.stringify(r.body)}`);
          return `REST: PUT agentPools/${POOL} count ${count}`;
        }
      }
    },
    settled(c: Ctx) {
      return firstOf(
        poolSettled(c.world, c.ns, CLUSTER, 'nodepool1', { count: 1 }),
        poolSettled(c.world, c.ns, CLUSTER, POOL, { count }),
        workloadReady(c.world, c.ns, 'web', REPLICAS),
      );
    },
    async finish(c: Ctx) {
      // More than 50 operations on one pool: node label changes by REST are quick Update operations.
      await c.s.aksim(['aks', 'nodepool', 'add', '-g', c.ns, '--cluster-name', CLUSTER, '-n', 'hist', '-c', '0', '-o', 'none']);
      for (let i = 0; i < historyOps; i++) {
        const r = await c.s.rest(
          'PUT',
          `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/hist?api-version=2025-10-01`,
          { properties: { nodeLabels: { round: String(i) } } },
        );
        if (r.status >= 300) throw new Error(`REST PUT agentPools/hist: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        await c.waitFor(
          `history operation ${i + 1}`,
          (w) => {
            const p = w.get('SimNodePool', `${c.ns}/${CLUSTER}-hist`);
            if (p?.spec?.nodeLabels?.round !== String(i)) return 'the change not in the record yet';
            if ((p.status?.lastOperationGeneration ?? 0) < (p.metadata.generation ?? 0) || p.status?.currentOperation)
              return 'pool hist busy';
            return opsSettled(w, c.ns);
          },
          60_000,
        );
      }
      c.note(`${historyOps} operations on pool hist`);
    },
  };
}
