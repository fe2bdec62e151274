// Cordons and drains a node through the eviction API, so PodDisruptionBudgets are honoured
// (a 429 means a budget blocks the eviction for now). Each call does one step and tells the
// caller whether to come back; progress lives in the cluster (pods, node), not in memory.
// A step asks only for the evictions the budgets allow now (plus one probe per blocked budget):
// a drain held up by a budget would otherwise re-send every doomed eviction each step.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { isNotFound, isTooManyRequests, statusCode, type Kube } from '../../src/runtime/client.js';
import { decideDrain, drainState, planEvictions, type Budget } from './drain-plan.js';

export interface DrainStep {
  done: boolean;
  timedOut: boolean;
  evicted: number;
  /** Pods whose eviction a PodDisruptionBudget refused this step, or held back because it allows no more now. */
  blocked: string[];
  remaining: number;
}

/** Sets spec.unschedulable; returns true when it changed something. */
export async function cordon(kube: Kube, node: V1Node | undefined, unschedulable = true): Promise<boolean> {
  if (!node?.metadata?.name || Boolean(node.spec?.unschedulable) === unschedulable) return false;
  try {
    await kube.patchNode(node.metadata.name, { spec: { unschedulable: unschedulable ? true : null } });
  } catch (err: unknown) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return true;
}

export async function drainStep(kube: Kube, nodeName: string, nowMs: number, deadlineMs: number): Promise<DrainStep> {
  const list = await kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
  const decision = decideDrain(drainState(list.items), nowMs, deadlineMs);
  switch (decision.kind) {
    case 'done':
      return { done: true, timedOut: false, evicted: 0, blocked: [], remaining: 0 };
    case 'timeout':
      return { done: false, timedOut: true, evicted: 0, blocked: decision.remaining, remaining: decision.remaining.length };
    case 'wait':
      return { done: false, timedOut: false, evicted: 0, blocked: [], remaining: decision.pods.length };
    case 'evict': {
      const byKey = new Map(list.items.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
      const pods = decision.pods.map((k) => byKey.get(k)).filter((p): p is V1Pod => p !== undefined);
      const plan = planEvictions(pods, await budgetsOf(kube, pods));
      const blocked: string[] = [...plan.held];
      let evicted = 0;
      await Promise.all(
        plan.evict.map(async (key) => {
          const [namespace, name] = key.split('/') as [string, string];
          try {
            kube.wrote('create', 'Eviction');
            await kube.core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
            evicted++;
          } catch (err: unknown) {
            if (isNotFound(err)) return;
            if (isTooManyRequests(err)) blocked.push(key);
            else throw Object.assign(new Error(`evicting ${key}: HTTP ${statusCode(err)}`), { cause: err });
          }
        }),
      );
      return { done: false, timedOut: false, evicted, blocked, remaining: decision.pods.length };
    }
  }
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
