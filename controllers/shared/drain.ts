// The I/O of a drain: what a step looks at (the pods on the node, and the PodDisruptionBudgets of
// their namespaces) and the evictions it asks for. The decisions are in drain-plan.ts. Progress
// lives in the cluster (pods, node), not in memory; each reconcile does one step.
import type { V1Pod } from '@kubernetes/client-node';
import { isNotFound, isTooManyRequests, statusCode, type Kube } from '../../src/runtime/client.js';
import { classifyPod, type Budget, type DrainView } from './drain-plan.js';

/** The pods bound to a node; `fromCache` reads the API server's watch cache (indexed by node: cheap, may lag). */
export async function podsOn(kube: Kube, nodeName: string, fromCache = false): Promise<V1Pod[]> {
  const fieldSelector = `spec.nodeName=${nodeName}`;
  return (await kube.core.listPodForAllNamespaces(fromCache ? { fieldSelector, resourceVersion: '0' } : { fieldSelector })).items;
}

/** The pods on the node; the budgets only when some pod is still to evict. */
export async function observeDrain(kube: Kube, nodeName: string): Promise<DrainView> {
  const pods = await podsOn(kube, nodeName);
  const evictable = pods.filter((p) => classifyPod(p).kind === 'evict');
  return { pods, budgets: evictable.length ? await budgetsOf(kube, evictable) : [] };
}

export interface Evicted {
  evicted: V1Pod[];
  /** Refused by a budget now (429), or held back because it allows no more now. */
  blocked: V1Pod[];
}

/** Asks for each eviction; a pod already gone counts as neither evicted nor blocked. */
export async function evictPods(kube: Kube, evict: V1Pod[], held: V1Pod[]): Promise<Evicted> {
  const out: Evicted = { evicted: [], blocked: [...held] };
  await Promise.all(
    evict.map(async (p) => {
      const namespace = p.metadata!.namespace!;
      const name = p.metadata!.name!;
      try {
        await kube.evictPod(namespace, name);
        out.evicted.push(p);
      } catch (err: unknown) {
        if (isNotFound(err)) return;
        if (isTooManyRequests(err)) out.blocked.push(p);
        else throw new Error(`evicting ${namespace}/${name}: HTTP ${statusCode(err)}`, { cause: err });
      }
    }),
  );
  return out;
}

/**
 * The PodDisruptionBudgets of the pods' namespaces. Without the right to list them (an operator
 * deployed with older RBAC), none: every eviction is asked for and the API server's 429s decide.
 */
async function budgetsOf(kube: Kube, pods: V1Pod[]): Promise<Budget[]> {
  const namespaces = [...new Set(pods.map((p) => p.metadata?.namespace).filter((n): n is string => Boolean(n)))];
  const lists = await Promise.all(
    namespaces.map(async (namespace) => {
      try {
        return (await kube.policy.listNamespacedPodDisruptionBudget({ namespace })).items;
      } catch (err: unknown) {
        if (statusCode(err) === 403) return [];
        throw err;
      }
    }),
  );
  return lists.flat().map((b) => ({
    namespace: b.metadata!.namespace!,
    name: b.metadata!.name!,
    selector: b.spec?.selector,
    disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
  }));
}
