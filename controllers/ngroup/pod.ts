// Pure: the Pod that stands for one ACI container group, built from a profile revision.
import type { V1Container, V1Pod, V1Probe } from '@kubernetes/client-node';
import type { ContainerGroupProfileSpec, NGroup } from '../../src/api/generated.js';
import { GROUP, VERSION } from '../../src/api/generated.js';
import { isUnhealthyImage, resolveImage, type Registry } from './images.js';
import { NG } from '../../src/model/names.js';
import type { Slot } from './placement.js';

export const VK_TAINT = { key: 'virtual-kubelet.io/provider', value: 'azure', effect: 'NoSchedule' } as const;

export interface CgBuild {
  ngroup: NGroup;
  name: string;
  profileName: string;
  revision: number;
  spec: ContainerGroupProfileSpec;
  slot: Slot;
  nodeName: string;
  registry: Registry;
  cgId: string;
  ngroupId: string;
  batchLabel?: string;
  replaces?: string;
}

function probe(p: unknown): V1Probe | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const x = p as Record<string, unknown>;
  const out: V1Probe = {};
  const exec = x.exec as { command?: string[] } | undefined;
  const http = x.httpGet as { path?: string; port?: number; scheme?: string } | undefined;
  if (exec?.command) out.exec = { command: exec.command };
  if (http?.port) out.httpGet = { path: http.path, port: http.port, scheme: http.scheme?.toUpperCase() };
  for (const k of ['initialDelaySeconds', 'periodSeconds', 'failureThreshold', 'successThreshold', 'timeoutSeconds'] as const) {
    if (typeof x[k] === 'number') out[k] = x[k];
  }
  return out;
}

/** Images as the profile writes them and as the registry resolves them now. */
export function imagesOf(
  spec: ContainerGroupProfileSpec,
  reg: Registry,
): { written: Record<string, string>; resolved: Record<string, string>; unhealthy: boolean } {
  const written: Record<string, string> = {};
  const resolved: Record<string, string> = {};
  let unhealthy = false;
  for (const c of spec.containers) {
    written[c.name] = c.image;
    resolved[c.name] = resolveImage(c.image, reg);
    if (isUnhealthyImage(c.image, resolved[c.name]!, reg)) unhealthy = true;
  }
  return { written, resolved, unhealthy };
}

export function buildPod(b: CgBuild): V1Pod {
  const { spec } = b;
  const img = imagesOf(spec, b.registry);
  const containers: V1Container[] = spec.containers.map((c) => {
    const req = c.resources?.requests;
    const lim = c.resources?.limits;
    const out: V1Container = { name: c.name, image: img.resolved[c.name] };
    if (c.command?.length) out.command = c.command;
    if (c.environmentVariables?.length)
      out.env = c.environmentVariables.map((e) => ({ name: e.name, value: e.value ?? e.secureValue ?? '' }));
    if (c.ports?.length) out.ports = c.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol ?? 'TCP' }));
    if (req) {
      out.resources = { requests: { cpu: String(req.cpu), memory: `${req.memoryInGB}Gi` } };
      if (lim?.cpu !== undefined || lim?.memoryInGB !== undefined) {
        out.resources.limits = {};
        if (lim.cpu !== undefined) out.resources.limits.cpu = String(lim.cpu);
        if (lim.memoryInGB !== undefined) out.resources.limits.memory = `${lim.memoryInGB}Gi`;
      }
    }
    const lp = probe(c.livenessProbe);
    const rp = probe(c.readinessProbe);
    if (lp) out.livenessProbe = lp;
    if (rp) out.readinessProbe = rp;
    return out;
  });
  const md = b.ngroup.metadata;
  const labels: Record<string, string> = {
    [NG.ngroup]: md.name!,
    [NG.profile]: b.profileName,
    [NG.revision]: String(b.revision),
    [NG.zone]: b.slot.zone || 'none',
    [NG.faultDomain]: String(b.slot.faultDomain),
  };
  if (img.unhealthy) labels[NG.unhealthy] = 'true';
  if (b.batchLabel) labels[NG.batch] = b.batchLabel;
  const annotations: Record<string, string> = {
    [NG.cgId]: b.cgId,
    [NG.ngroupId]: b.ngroupId,
    [NG.images]: JSON.stringify(img.written),
    [NG.imageHealth]: img.unhealthy ? 'unhealthy' : 'healthy',
    'aksim.io/os-type': spec.osType ?? 'Linux',
    'aksim.io/priority': spec.priority ?? 'Regular',
  };
  if (b.replaces) annotations[NG.replaces] = b.replaces;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: b.name,
      namespace: md.namespace,
      labels,
      annotations,
      ownerReferences: [
        { apiVersion: `${GROUP}/${VERSION}`, kind: 'NGroup', name: md.name!, uid: md.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      nodeName: b.nodeName,
      restartPolicy: spec.restartPolicy ?? 'Always',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      tolerations: [{ key: VK_TAINT.key, operator: 'Exists', effect: 'NoSchedule' }],
      containers,
    },
  };
}

/** Whether the CG's own health inputs (image health, injected fault) say unhealthy. */
export function wantsUnhealthy(p: V1Pod): boolean {
  const a = p.metadata?.annotations ?? {};
  return a[NG.imageHealth] === 'unhealthy' || (a[NG.fault] ?? '').toLowerCase() === 'unhealthy';
}

/** kwok has started it (Running, with an IP): from then on aksim owns its readiness. */
export const isPodStarted = (p: V1Pod): boolean => p.status?.phase === 'Running' && Boolean(p.status.podIP);
