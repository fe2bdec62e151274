// Readiness of core objects, as their Ready condition says.
import type { V1Node, V1Pod } from '@kubernetes/client-node';

export const isPodReady = (p: V1Pod): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export const isNodeReady = (n: V1Node | undefined): boolean =>
  (n?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
