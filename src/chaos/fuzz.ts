// The fuzz pass: node pool specs applied with kubectl and agentPools bodies sent to the REST
// service, sampled with fast-check from the run's seed. For each input: a refusal must be a clear
// message and change nothing; an accepted input must be acted on (an operation that ends, or the
// operator's own refusal as a condition with a clear message and no machine touched); the
// operator must not crash, and must still reconcile at the end.
import { armPoolBody, armPoolName, poolSpecPatch, sample, unclear } from './fuzz-inputs.js';
import { inNs, opsSettled, poolSettled } from './scenario.js';
import type { Surfaces } from './surfaces.js';
import type { World } from './world.js';
import { wallNow, realSleep } from '../runtime/clock.js';

export interface FuzzResult {
  surface: 'kubectl SimNodePool spec' | 'REST agentPools PUT';
  runs: number;
  accepted: number;
  refused: number;
  /** Refused by the operator (accepted by the API server): a Ready=False condition. */
  operatorRefused: number;
  problems: string[];
}

export interface FuzzOptions {
  seed: number;
  runs: number;
  ns: string;
  surfaces: Surfaces;
  world: World;
  subscriptionId: string;
  /** Operator crashes so far. */
  alive(): number;
  print(line: string): void;
}

const CLUSTER = 'fz';
const POOL = 'fp';
const BASE = {
  count: 1,
  orchestratorVersion: null,
  upgradeSettings: null,
  nodeLabels: null,
  nodeTaints: null,
  mode: 'User',
  maxPods: null,
};
const short = (x: unknown): string => {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
};

async function waitWorld(w: World, check: (w: World) => string | undefined, ms: number): Promise<string | undefined> {
  const end = wallNow() + ms;
  let last = check(w);
  while (last !== undefined && wallNow() < end) {
    await realSleep(150);
    last = check(w);
  }
  return last;
}

interface Outcome {
  kind: 'operation' | 'refused';
  detail: string;
}

/** What the operator made of generation `gen` of a pool: its operation's end, or its refusal. */
function outcomeOf(w: World, ns: string, obj: string, gen: number): Outcome | undefined {
  const p = w.get('SimNodePool', `${ns}/${obj}`);
  if (!p) return undefined;
  const ready = (p.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  // Refused: no operation started for this generation, and the Ready condition says why.
  if ((p.status?.lastOperationGeneration ?? 0) < gen && ready?.status === 'False' && ready.observedGeneration === gen)
    return { kind: 'refused', detail: `${ready.reason}: ${ready.message}` };
  if ((p.status?.lastOperationGeneration ?? 0) < gen || p.status?.currentOperation) return undefined;
  if (opsSettled(w, ns)) return undefined;
  const op = inNs(w, 'SimOperation', ns).find((o) => o.spec?.targetName === obj && o.spec?.targetGeneration === gen);
  return {
    kind: 'operation',
    detail: op ? `${op.status?.status}${op.status?.error?.message ? `: ${op.status.error.message}` : ''}` : 'no operation record',
  };
}

async function getJson(s: Surfaces, ns: string, name: string): Promise<any | undefined> {
  const r = await s.kubectlRaw(['get', 'simnodepool', name, '-n', ns, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

const machinesOf = (w: World, ns: string, pool: string): string =>
  inNs(w, 'SimMachine', ns)
    .filter((m) => m.spec?.clusterName === CLUSTER && m.spec?.poolName === pool && !m.metadata.deletionTimestamp)
    .map((m) => m.metadata.name)
    .sort()
    .join(',');

/** Runs the fuzz pass in its own resource group and returns what each surface made of it. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzResult[]> {
  return new FuzzPass(o).run();
}

const newResult = (surface: FuzzResult['surface']): FuzzResult => ({
  surface,
  runs: 0,
  accepted: 0,
  refused: 0,
  operatorRefused: 0,
  problems: [],
});

/** One fuzz pass: a cluster with a pool to fuzz, the kubectl inputs, the REST inputs, and a last plain scale. */
class FuzzPass {
  private readonly ns: string;
  private readonly s: Surfaces;
  private readonly w: World;

  constructor(private readonly o: FuzzOptions) {
    this.ns = o.ns;
    this.s = o.surfaces;
    this.w = o.world;
  }

  /** The whole pass, in order. */
  async run(): Promise<FuzzResult[]> {
    await this.setup();
    const results: FuzzResult[] = [];
    // 1. kubectl patches of the pool's spec.
    results.push(await this.fuzzKubectl());
    // 2. agentPools PUT bodies to the REST service.
    results.push(await this.fuzzRest());
    // 3. Still reconciling: a plain scale goes through.
    await this.checkStillReconciles(results[results.length - 1]!);
    return results;
  }

  /** The resource group, a cluster and the pool to fuzz, settled. */
  private async setup(): Promise<void> {
    const { ns, s } = this;
    await s.aksim(['group', 'create', '-n', ns, '-o', 'none']);
    await s.aksim(['aks', 'create', '-g', ns, '-n', CLUSTER, '--node-count', '1', '-o', 'none']);
    await s.aksim(['aks', 'nodepool', 'add', '-g', ns, '--cluster-name', CLUSTER, '-n', POOL, '-c', '1', '-o', 'none']);
    await this.settle();
  }

  /** Waits (up to 90 s) until the pool matches its spec; what is still pending otherwise. */
  private settle(pool = POOL): Promise<string | undefined> {
    return waitWorld(this.w, () => poolSettled(this.w, this.ns, CLUSTER, pool), 90_000);
  }

  /** Puts the fuzzed pool back to its base spec. */
  private async reset(problems: string[], input: unknown): Promise<void> {
    await this.s.kubectl([
      'patch',
      'simnodepool',
      `${CLUSTER}-${POOL}`,
      '-n',
      this.ns,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: BASE }),
    ]);
    const left = await this.settle();
    if (left) problems.push(`after ${short(input)}: the pool did not come back to its base spec: ${left}`);
  }

  /** An accepted input: the operator acts on it, or refuses it without touching a machine. */
  private async judgeAccepted(problems: string[], what: string, pool: string, gen: number, before: string): Promise<Outcome | undefined> {
    const { w, ns } = this;
    let out: Outcome | undefined;
    await waitWorld(w, () => ((out = outcomeOf(w, ns, `${CLUSTER}-${pool}`, gen)) ? undefined : 'waiting'), 60_000);
    if (!out) {
      problems.push(`${what}: accepted, but the operator neither ran nor refused generation ${gen} within 60 s`);
      return undefined;
    }
    const o2 = out as Outcome;
    const why = unclear(o2.detail);
    if (why) problems.push(`${what}: the operator's answer has ${why}: ${o2.detail}`);
    if (o2.kind === 'refused' && machinesOf(w, ns, pool) !== before)
      problems.push(`${what}: refused by the operator (${o2.detail}) but its machines changed`);
    if (o2.kind === 'operation' && o2.detail.startsWith('Succeeded')) {
      const left = await this.settle(pool);
      if (left) problems.push(`${what}: operation Succeeded but the pool did not match its spec: ${left}`);
    }
    return o2;
  }

  /** Node pool spec patches applied with kubectl. */
  private async fuzzKubectl(): Promise<FuzzResult> {
    const r = newResult('kubectl SimNodePool spec');
    for (const patch of sample(poolSpecPatch, this.o.seed, this.o.runs)) {
      r.runs++;
      const crashes = this.o.alive();
      const what = `kubectl patch spec ${short(patch)}`;
      await this.kubectlPatch(r, what, patch);
      if (this.o.alive() !== crashes) r.problems.push(`${what}: an operator replica crashed`);
    }
    this.o.print(
      `  fuzz kubectl: ${r.runs} runs, ${r.refused} refused at admission, ${r.accepted} accepted (${r.operatorRefused} refused by the operator), ${r.problems.length} problems`,
    );
    return r;
  }

  /** One spec patch: a refusal must be clear and change nothing; an accepted change is judged, then undone. */
  private async kubectlPatch(r: FuzzResult, what: string, patch: unknown): Promise<void> {
    const { s, ns } = this;
    const before = await getJson(s, ns, `${CLUSTER}-${POOL}`);
    const machines = machinesOf(this.w, ns, POOL);
    const res = await s.kubectlRaw([
      'patch',
      'simnodepool',
      `${CLUSTER}-${POOL}`,
      '-n',
      ns,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: patch }),
    ]);
    if (res.code !== 0) {
      r.refused++;
      const why = unclear(res.stderr);
      if (why) r.problems.push(`${what}: refused with ${why}: ${res.stderr.trim()}`);
      const after = await getJson(s, ns, `${CLUSTER}-${POOL}`);
      if (after?.metadata.resourceVersion !== before?.metadata.resourceVersion) r.problems.push(`${what}: refused, yet the pool changed`);
      return;
    }
    r.accepted++;
    const after = await getJson(s, ns, `${CLUSTER}-${POOL}`);
    const gen = after?.metadata.generation ?? 0;
    if (gen !== before?.metadata.generation) {
      const out = await this.judgeAccepted(r.problems, what, POOL, gen, machines);
      if (out?.kind === 'refused') r.operatorRefused++;
      await this.reset(r.problems, patch);
    }
  }

  /** agentPools PUT bodies sent to the REST service. */
  private async fuzzRest(): Promise<FuzzResult> {
    const { o } = this;
    const r = newResult('REST agentPools PUT');
    const names = sample(armPoolName, o.seed + 1, o.runs);
    const bodies = sample(armPoolBody, o.seed + 2, o.runs);
    for (let i = 0; i < o.runs; i++) {
      r.runs++;
      const crashes = o.alive();
      const name = names[i]!;
      const body = bodies[i];
      const what = `PUT agentPools/${name} ${short(body)}`;
      await this.restPut(r, what, name, body);
      if (o.alive() !== crashes) r.problems.push(`${what}: an operator replica crashed`);
    }
    o.print(
      `  fuzz REST: ${r.runs} runs, ${r.refused} refused, ${r.accepted} accepted (${r.operatorRefused} refused by the operator), ${r.problems.length} problems`,
    );
    return r;
  }

  /** One PUT: a refusal must be an ARM error with a clear message and change nothing; an accepted one is judged. */
  private async restPut(r: FuzzResult, what: string, name: string, body: unknown): Promise<void> {
    const { s, ns } = this;
    const obj = `${CLUSTER}-${name.toLowerCase()}`;
    const path = `/subscriptions/${this.o.subscriptionId}/resourceGroups/${ns}/providers/Microsoft.ContainerService/managedClusters/${CLUSTER}/agentPools/${name}?api-version=2025-10-01`;
    const before = await getJson(s, ns, obj);
    const machines = machinesOf(this.w, ns, name.toLowerCase());
    const res = await s.rest('PUT', path, typeof body === 'string' ? body : body === undefined ? 'null' : JSON.stringify(body), false);
    if (res.status === 0 || res.status >= 500) {
      r.problems.push(`${what}: HTTP ${res.status} ${short(res.body)}`);
    } else if (res.status >= 400) {
      r.refused++;
      const err = res.body?.error;
      if (!err?.code) r.problems.push(`${what}: HTTP ${res.status} without an ARM error code: ${short(res.body)}`);
      const why = unclear(String(err?.message ?? ''));
      if (why) r.problems.push(`${what}: HTTP ${res.status} with ${why}: ${short(res.body)}`);
      const after = await getJson(s, ns, obj);
      if (after?.metadata.resourceVersion !== before?.metadata.resourceVersion)
        r.problems.push(`${what}: refused (HTTP ${res.status}), yet the pool changed`);
    } else {
      r.accepted++;
      await this.restAccepted(r, { what, name, body, path, before, machines, status: res.status });
    }
  }

  /** An accepted PUT: the body was an object, the count was taken, the operator acted; then the pool is deleted or reset. */
  private async restAccepted(
    r: FuzzResult,
    p: { what: string; name: string; body: unknown; path: string; before: any; machines: string; status: number },
  ): Promise<void> {
    const { s, ns } = this;
    const { what, name, body, before } = p;
    const obj = `${CLUSTER}-${name.toLowerCase()}`;
    // (An empty string goes out as no body at all: a PUT without a body, not a bad one.)
    if (body !== '' && (typeof body !== 'object' || body === null || Array.isArray(body)))
      r.problems.push(`${what}: a body that is not a JSON object was accepted (HTTP ${p.status}) instead of refused`);
    const after = await getJson(s, ns, obj);
    const asked = (body as { properties?: { count?: unknown } })?.properties?.count;
    if (Number.isInteger(asked) && after?.spec.count !== asked)
      r.problems.push(`${what}: accepted, but spec.count is ${after?.spec.count}, not ${asked}`);
    if (after && after.metadata.generation !== before?.metadata.generation) {
      const out = await this.judgeAccepted(r.problems, what, name.toLowerCase(), after.metadata.generation, p.machines);
      if (out?.kind === 'refused') r.operatorRefused++;
    }
    if (!before) await this.deleteNewPool(r, what, name, p.path);
    else if (name === POOL) await this.reset(r.problems, body);
  }

  /** Deletes a pool the fuzz PUT made and waits (up to 90 s) until it and its machines are gone. */
  private async deleteNewPool(r: FuzzResult, what: string, name: string, path: string): Promise<void> {
    const { s, ns } = this;
    const obj = `${CLUSTER}-${name.toLowerCase()}`;
    const del = await s.rest('DELETE', path, undefined);
    if (del.status >= 300) r.problems.push(`${what}: could not delete the new pool again: HTTP ${del.status} ${short(del.body)}`);
    const gone = await waitWorld(
      this.w,
      (x) =>
        x.get('SimNodePool', `${ns}/${obj}`) || inNs(x, 'SimMachine', ns).some((m) => m.spec?.poolName === name.toLowerCase())
          ? 'still there'
          : undefined,
      90_000,
    );
    if (gone) r.problems.push(`${what}: the new pool was not deleted within 90 s`);
  }

  /** After the fuzzing the operator still reconciles: a plain scale to 2 finishes within 60 s. */
  private async checkStillReconciles(last: FuzzResult): Promise<void> {
    const { s, ns, w } = this;
    await s.aksim(['aks', 'nodepool', 'scale', '-g', ns, '--cluster-name', CLUSTER, '-n', POOL, '-c', '2', '-o', 'none']);
    const left = await waitWorld(w, () => poolSettled(w, ns, CLUSTER, POOL, { count: 2 }), 60_000);
    if (left) last.problems.push(`after the fuzz pass, a scale to 2 did not finish within 60 s: ${left}`);
  }
}
