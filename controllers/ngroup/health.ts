// Pure: keeps each started container group's readiness and unhealthy label in line with its
// image and injected fault. A cache object already found in line is not looked at again: the
// decision depends on the Pod alone, and a fix shows as a new object once the watch has it.
import type { V1Pod } from '@kubernetes/client-node';
import { NG } from '../../src/model/names.js';
import type { Pass } from './view.js';

/** Plans the health fixes of the CGs not checked yet; returns the ones found in line. */
export function syncHealth(p: Pass): V1Pod[] {
  const live = new Set(p.live);
  const inLine: V1Pod[] = [];
  for (const pod of p.v.unchecked) {
    if (!live.has(pod)) continue;
    const { ready, started, sick } = p.health(pod);
    const relabel = sick !== (pod.metadata?.labels?.[NG.unhealthy] === 'true');
    const reready = started && ready === sick;
    if (!relabel && !reready) inLine.push(pod);
    else p.plan([{ do: 'health', pod, unhealthy: relabel ? sick : undefined, ready: reready ? !sick : undefined }]);
  }
  return inLine;
}
