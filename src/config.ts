// Operator settings: flags win over environment variables, which win over the aksim-config
// ConfigMap, which wins over the defaults below.
import { isNotFound, type KubeApi } from './runtime/kube-api.js';

/** The operator's leader Lease (in systemNamespace), and the annotation where the leader publishes its timeScale. */
export const LEADER_LEASE = 'aksim-operator';
export const TIME_SCALE_ANNOTATION = 'aksim.io/time-scale';

export interface Settings {
  /** One real second is timeScale simulated seconds. */
  timeScale: number;
  subscriptionId: string;
  /** Namespace of the operator's own objects (leader Lease, ConfigMap). */
  systemNamespace: string;
  metricsHost: string;
  metricsPort: number;
  leaderElection: boolean;
  /** Leader Lease duration; a killed leader's successor waits at most this long. */
  leaseSeconds: number;
  workers: number;
  /**
   * Debug only, for the chaos run (docs/reliability.md): serves POST /debug/clock?jumpMs=N on the
   * metrics address, which moves the simulation clock forward. Off in normal use.
   */
  debugClock: boolean;
  /** Debug only: real ms the simulation clock starts ahead of the wall clock (needs debugClock). */
  debugClockOffsetMs: number;
}

export const DEFAULTS: Settings = {
  timeScale: 1,
  subscriptionId: '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8',
  systemNamespace: 'aksim-system',
  metricsHost: '127.0.0.1',
  metricsPort: 8080,
  leaderElection: true,
  leaseSeconds: 15,
  workers: 8,
  debugClock: false,
  debugClockOffsetMs: 0,
};

const ENV: Record<keyof Settings, string> = {
  timeScale: 'AKSIM_TIME_SCALE',
  subscriptionId: 'AKSIM_SUBSCRIPTION_ID',
  systemNamespace: 'AKSIM_SYSTEM_NAMESPACE',
  metricsHost: 'AKSIM_METRICS_HOST',
  metricsPort: 'AKSIM_METRICS_PORT',
  leaderElection: 'AKSIM_LEADER_ELECTION',
  leaseSeconds: 'AKSIM_LEASE_SECONDS',
  workers: 'AKSIM_WORKERS',
  debugClock: 'AKSIM_DEBUG_CLOCK',
  debugClockOffsetMs: 'AKSIM_DEBUG_CLOCK_OFFSET_MS',
};

type Raw = Partial<Record<keyof Settings, string | number | boolean | undefined>>;

/** Parses and checks one layer of raw values; throws an error naming the bad setting. */
export function parseSettings(layers: Raw[]): Settings {
  const out: Settings = { ...DEFAULTS };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer) as [keyof Settings, unknown][]) {
      if (v === undefined || v === '') continue;
      const def = DEFAULTS[k];
      let val: unknown = v;
      if (typeof def === 'number') {
        val = Number(v);
        const min = k === 'metricsPort' || k === 'debugClockOffsetMs' ? 0 : Number.MIN_VALUE; // port 0 picks a free port
        if (!Number.isFinite(val) || (val as number) < min)
          throw new Error(`setting ${k} must be a ${min === 0 ? 'non-negative' : 'positive'} number, got ${JSON.stringify(v)}`);
      } else if (typeof def === 'boolean') {
        val = v === true || v === 'true' || v === '1';
        if (!(typeof v === 'boolean' || ['true', 'false', '1', '0'].includes(String(v))))
          throw new Error(`setting ${k} must be true or false, got ${JSON.stringify(v)}`);
      } else {
        val = String(v);
      }
      (out as unknown as Record<string, unknown>)[k] = val;
    }
  }
  if (out.debugClockOffsetMs > 0 && !out.debugClock)
    throw new Error('setting debugClockOffsetMs needs debugClock (a debug setting of the chaos run)');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(out.subscriptionId)) {
    throw new Error(`setting subscriptionId must be a GUID, got ${out.subscriptionId}`);
  }
  return out;
}

export function envSettings(env: NodeJS.ProcessEnv = process.env): Raw {
  const raw: Raw = {};
  for (const [k, name] of Object.entries(ENV) as [keyof Settings, string][]) raw[k] = env[name];
  return raw;
}

/** Reads the optional ConfigMap <systemNamespace>/aksim-config (keys named as in Settings). */
export async function configMapSettings(kube: KubeApi, namespace: string): Promise<Raw> {
  try {
    const cm = await kube.readConfigMap(namespace, 'aksim-config');
    return (cm.data ?? {}) as Raw;
  } catch (err: unknown) {
    if (isNotFound(err)) return {};
    throw err;
  }
}
