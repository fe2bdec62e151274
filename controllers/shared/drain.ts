// Cordons and drains a node through the eviction API, so PodDisruptionBudgets are honoured
// (a 429 means a budget blocks the eviction for now). Each call does one step and tells the
// caller whether to come back; progress lives in the cluster (pods, node), not in memory.
import type { V1Node } from '@kubernetes/client-node';
import { isNotFound, isTooManyRequests, statusCode, type Kube } from '../../src/runtime/client.js';
import { decideDrain, drainState } from './drain-plan.js';

export interface DrainStep {
  done: boolean;
  timedOut: boolean;
  evicted: number;
  /** Pods whose eviction a PodDisruptionBudget refused this step. */
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
      const blocked: string[] = [];
      let evicted = 0;
      await Promise.all(
        decision.pods.map(async (key) => {
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
