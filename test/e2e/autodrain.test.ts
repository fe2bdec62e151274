// e2e: node autodrain on VM scheduled events (behaviour.md section 3, docs/autodrain.md):
// Preempt on a spot node cordons, taints and drains it through the eviction API (the PDB is never
// violated) before NotBefore, then the VM is deleted; Freeze and Reboot do not cordon; a canceled
// event uncordons what aksim cordoned, also after an operator restart mid-drain; the IMDS endpoint
// of `aksim serve` shows and approves the events.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import {
  apply,
  deleteNamespace,
  freshNamespace,
  KUBECONFIG,
  kubectl,
  kubectlJson,
  ROOT,
  run,
  startOperator,
  stopSharedOperator,
  waitFor,
  type OperatorProcess,
} from '../support/env.js';

const TIME_SCALE = 60;
const TAINT = 'remediator.aks.microsoft.com/unschedulable';

type Cond = { type: string; status: string; reason?: string };
type Node = {
  metadata: { name: string; labels: Record<string, string> };
  spec: { unschedulable?: boolean; taints?: { key: string }[] };
  status?: { conditions?: Cond[] };
};
type Ev = {
  reason: string;
  type: string;
  eventTime: string;
  reportingController: string;
  regarding: { name: string; kind: string };
  note: string;
};
type Pod = { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status?: { conditions?: Cond[] } };

async function aksim(...args: string[]): Promise<any> {
  const r = await run(process.execPath, ['bin/aksim.js', ...args]);
  if (r.code !== 0) throw new Error(`aksim ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
}
const node = (name: string): Promise<Node> => kubectlJson<Node>('get', 'node', name);
const cond = (n: Node, type: string): Cond | undefined => n.status?.conditions?.find((c) => c.type === type);
async function nodeEvents(name: string): Promise<Ev[]> {
  const list = await kubectlJson<{ items: Ev[] }>(
    'get',
    'events.events.k8s.io',
    '-n',
    'default',
    '--field-selector',
    `regarding.name=${name}`,
  );
  // Events the controller manager posts through core/v1 have no eventTime: order them by their series or creation time.
  const at = (e: Ev): string => e.eventTime ?? (e as unknown as { deprecatedLastTimestamp?: string }).deprecatedLastTimestamp ?? '';
  return list.items.sort((a, b) => at(a).localeCompare(at(b)));
}
async function pods(ns: string): Promise<Pod[]> {
  return (await kubectlJson<{ items: Pod[] }>('get', 'pods', '-n', ns, '-l', 'app=web')).items;
}
const podReady = (p: Pod): boolean =>
  !p.metadata.deletionTimestamp && (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

/** `aksim serve` on a free port, for the IMDS endpoint. */
async function startServe(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['bin/aksim.js', 'serve', '--http', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor('aksim serve listening', async () => /on (http:\/\/\S+)/.exec(out)?.[1], 30_000, 100);
  return { url, proc };
}

describe('e2e: node autodrain on scheduled events', function () {
  this.timeout(300_000);
  let op: OperatorProcess;
  let ns: string;
  let serve: { url: string; proc: ChildProcess };
  let regular: string[] = [];
  let spot: string[] = [];
  before(async () => {
    await stopSharedOperator();
    op = await startOperator({ timeScale: TIME_SCALE });
    serve = await startServe();
    ns = await freshNamespace('e2e-drain');
    const r = await apply(`
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: drain, namespace: ${ns}}
spec:
  simulation: {nodeBootTime: PT1M, nodeDeleteTime: PT10S}
  agentPoolProfiles:
    - {name: nodepool1, mode: System, count: 2}
    - {name: spot, mode: User, count: 2, scaleSetPriority: Spot, upgradeSettings: {drainTimeoutInMinutes: 1}}
`);
    expect(r.code, r.stderr).to.equal(0);
    await waitFor(
      '4 Ready nodes',
      async () => {
        const list = await kubectlJson<{ items: Node[] }>('get', 'nodes', '-l', `aksim.io/cluster=drain,aksim.io/namespace=${ns}`);
        if (list.items.length !== 4 || !list.items.every((n) => cond(n, 'Ready')?.status === 'True')) return false;
        const names = list.items.map((n) => n.metadata.name).sort();
        regular = names.filter((n) => n.includes('-nodepool1-'));
        spot = names.filter((n) => n.includes('-spot-'));
        return true;
      },
      60_000,
    );
  });
  after(async () => {
    serve?.proc.kill();
    await deleteNamespace(ns);
    await op?.stop();
  });

  it('refuses what Azure never sends: a Terminate notice outside 5-15 minutes, a Preempt on a Regular VM; the VM is untouched', async () => {
    const vm = regular[0]!;
    const evYaml = (name: string, spec: string) =>
      `apiVersion: aksim.io/v1alpha1\nkind: ScheduledEvent\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: {nodes: [${vm}], ${spec}}\n`;
    // The API server refuses the notice (CEL), kubectl and the CLI alike; nothing is created.
    const tooShort = await apply(evYaml('terminate-short', 'eventType: Terminate, terminateNotice: PT1M'));
    expect(tooShort.code).to.not.equal(0);
    expect(tooShort.stderr).to.contain('terminateNotice must be from PT5M to PT15M');
    const cli = await run(process.execPath, [
      'bin/aksim.js',
      'sim',
      'event',
      'schedule',
      '--node',
      vm,
      '--type',
      'Terminate',
      '--terminate-notice',
      'PT20M',
    ]);
    expect(cli.code).to.equal(1);
    expect(cli.stderr).to.contain('terminateNotice must be from PT5M to PT15M');
    // The CLI refuses a Preempt on a Regular VM before writing anything.
    const pre = await run(process.execPath, ['bin/aksim.js', 'sim', 'event', 'schedule', '--node', vm, '--type', 'Preempt']);
    expect(pre.code).to.equal(1);
    expect(pre.stderr).to.contain(`(InvalidArgumentValue) node ${vm} is not a spot VM (priority Regular)`);
    expect((await kubectlJson<{ items: unknown[] }>('get', 'scheduledevents', '-n', ns)).items).to.have.length(0);
    // Made with kubectl, the operator refuses it for good: Refused, Ready=False, a Warning event.
    expect((await apply(evYaml('preempt-regular', 'eventType: Preempt'))).code).to.equal(0);
    const refused = await waitFor('event refused', async () => {
      const e = await kubectlJson('get', 'scheduledevent', '-n', ns, 'preempt-regular');
      return e.status?.eventStatus === 'Refused' && e;
    });
    expect(refused.status.conditions).to.deep.include.members([
      {
        type: 'Ready',
        status: 'False',
        reason: 'PreemptNotSpot',
        message: `Preempt evicts Spot VMs only; ${vm} is not Spot: delete this event`,
        observedGeneration: 1,
        lastTransitionTime: refused.status.conditions[0].lastTransitionTime,
      },
    ]);
    const warnings = await kubectlJson<{ items: Ev[] }>(
      'get',
      'events.events.k8s.io',
      '-n',
      ns,
      '--field-selector',
      'reason=PreemptNotSpot',
    );
    expect(warnings.items.map((e) => e.type)).to.deep.equal(['Warning']);
    await new Promise((r) => setTimeout(r, 1500)); // 90 simulated seconds: a Preempt would have started by now
    const n = await node(vm);
    expect(n.spec.unschedulable ?? false).to.equal(false);
    expect(cond(n, 'VMEventScheduled')?.status ?? 'False').to.equal('False');
    expect((await kubectlJson('get', 'simmachine', '-n', ns, vm)).metadata.deletionTimestamp).to.equal(undefined);
    await kubectl('delete', 'scheduledevent', '-n', ns, 'preempt-regular', '--wait=true', '--timeout=30s');
  });

  it('Preempt on a spot node: cordoned, tainted, drained before NotBefore without breaking the PDB, then the VM is deleted', async () => {
    const [victim, other] = spot as [string, string];
    // Put both replicas on the victim: everything else cordoned while they schedule.
    for (const n of [...regular, other]) await kubectl('cordon', n);
    const r = await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {aksim.io/namespace: ${ns}}
      tolerations: [{key: kubernetes.azure.com/scalesetpriority, operator: Exists}]
      containers: [{name: web, image: nginx}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: ${ns}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
`);
    expect(r.code, r.stderr).to.equal(0);
    await waitFor('2 web pods Ready on the victim', async () => {
      const ps = await pods(ns);
      return ps.filter(podReady).filter((p) => p.spec.nodeName === victim).length === 2;
    });
    for (const n of [...regular, other]) await kubectl('uncordon', n);

    let minReady = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ps = await pods(ns).catch(() => undefined);
        if (ps) minReady = Math.min(minReady, ps.filter(podReady).length);
        await new Promise((res) => setTimeout(res, 150));
      }
    })();

    const ev = await aksim('sim', 'spot-evict', '--node', victim, '--not-before', '+PT15S');
    expect(ev.EventType).to.equal('Preempt');
    const sev = await waitFor('event Scheduled', async () => {
      const e = await kubectlJson('get', 'scheduledevent', '-n', ns, ev.name);
      return e.status?.eventStatus === 'Scheduled' ? e : false;
    });
    const notBefore = Date.parse(sev.status.notBefore);

    // IMDS: the header is required; the document shows the event.
    const noHeader = await fetch(`${serve.url}/metadata/scheduledevents?api-version=2020-07-01&node=${victim}`);
    expect(noHeader.status).to.equal(400);
    const doc = (await (
      await fetch(`${serve.url}/metadata/scheduledevents?api-version=2020-07-01&node=${victim}`, { headers: { Metadata: 'true' } })
    ).json()) as any;
    expect(doc.DocumentIncarnation).to.be.greaterThan(0);
    expect(doc.Events).to.have.length(1);
    expect(doc.Events[0]).to.include({
      EventId: sev.status.eventId,
      EventType: 'Preempt',
      EventStatus: 'Scheduled',
      ResourceType: 'VirtualMachine',
      EventSource: 'Platform',
    });
    expect(doc.Events[0].Resources[0]).to.match(/^aks-spot-\d{8}-vmss_\d+$/);
    expect(Date.parse(doc.Events[0].NotBefore)).to.equal(Math.floor(notBefore / 1000) * 1000);

    const n = await waitFor('victim cordoned, tainted, VMEventScheduled', async () => {
      const x = await node(victim);
      return x.spec.unschedulable &&
        x.spec.taints?.some((t) => t.key === TAINT) &&
        cond(x, 'VMEventScheduled')?.reason === 'PreemptScheduled'
        ? x
        : false;
    });
    expect(cond(n, 'VMEventScheduled')!.status).to.equal('True');
    expect(cond(n, 'Ready')!.status).to.equal('True'); // kwok's conditions are untouched
    await waitFor(
      'pods rescheduled elsewhere',
      async () => {
        const ps = await pods(ns);
        return ps.filter(podReady).length === 2 && ps.filter(podReady).every((p) => p.spec.nodeName !== victim);
      },
      30_000,
    );
    expect(Date.now()).to.be.lessThan(notBefore);
    const drained = await waitFor('NodeDrainEnd', async () => (await nodeEvents(victim)).find((e) => e.reason === 'NodeDrainEnd'));
    expect(Date.parse(drained.eventTime)).to.be.lessThan(notBefore);
    // At NotBefore the event starts and the spot VM goes away.
    await waitFor(
      'SimMachine and Node gone',
      async () => {
        const m = await run('kubectl', ['get', 'simmachine', '-n', ns, victim]);
        const nd = await run('kubectl', ['get', 'node', victim]);
        return m.code !== 0 && nd.code !== 0;
      },
      60_000,
    );
    await waitFor('event gone', async () => (await run('kubectl', ['get', 'scheduledevent', '-n', ns, ev.name])).code !== 0);
    sampling = false;
    await sampler;
    expect(minReady).to.be.at.least(1);
    // (the machine's own teardown drain adds its events, reported by aksim.io/machine)
    const evs = (await nodeEvents(victim)).filter((e) => e.reportingController === 'aksim.io/scheduled-events');
    const order = ['PreemptScheduled', 'NodeCordonStart', 'NodeCordonEnd', 'NodeDrainStart', 'NodeDrainEnd', 'PreemptStarted'];
    expect(evs.map((e) => e.reason).sort()).to.deep.equal([...order].sort());
    // In this order by eventTime; two events of one step can share a millisecond.
    const at = (reason: string): number => Date.parse(evs.find((e) => e.reason === reason)!.eventTime);
    for (let i = 1; i < order.length; i++) expect(at(order[i]!), `${order[i]} after ${order[i - 1]}`).to.be.at.least(at(order[i - 1]!));
    const podEvents = await kubectlJson<{ items: Ev[] }>('get', 'events.events.k8s.io', '-n', ns, '--field-selector', 'reason=Evicted');
    expect(podEvents.items.length).to.be.at.least(2);
  });

  it('Freeze and Reboot: no cordon; the events start when approved (IMDS POST, CLI) and then disappear', async () => {
    const [a, b] = regular as [string, string];
    const freeze = await aksim('sim', 'event', 'schedule', '--node', a, '--type', 'Freeze', '--duration', '5');
    const reboot = await aksim('sim', 'event', 'schedule', '--node', b, '--type', 'Reboot');
    const url = (n: string): string => `${serve.url}/metadata/scheduledevents?api-version=2020-07-01&node=${n}`;
    const doc = await waitFor('Freeze in the IMDS document', async () => {
      const d = (await (await fetch(url(a), { headers: { Metadata: 'true' } })).json()) as any;
      return d.Events?.[0]?.EventStatus === 'Scheduled' ? d : false;
    });
    const incarnation = doc.DocumentIncarnation;
    const post = await fetch(url(a), {
      method: 'POST',
      headers: { Metadata: 'true', 'Content-Type': 'application/json' },
      body: JSON.stringify({ StartRequests: [{ EventId: doc.Events[0].EventId }] }),
    });
    expect(post.status).to.equal(200);
    await aksim('sim', 'event', 'approve', '--id', reboot.EventId, '-g', ns);
    for (const e of [freeze, reboot])
      await waitFor(
        `${e.EventType} gone`,
        async () => (await run('kubectl', ['get', 'scheduledevent', '-n', ns, e.name])).code !== 0,
        60_000,
      );
    const after = (await (await fetch(url(a), { headers: { Metadata: 'true' } })).json()) as any;
    expect(after.Events).to.deep.equal([]);
    expect(after.DocumentIncarnation).to.be.greaterThan(incarnation);
    const mb = await kubectlJson('get', 'simmachine', '-n', ns, b);
    expect(mb.status.reboots).to.equal(1);
    expect(mb.status.lastAction.actor).to.equal(`scheduled-event/${reboot.EventId}`);
    for (const n of [a, b]) {
      const x = await node(n);
      expect(x.spec.unschedulable ?? false).to.equal(false);
      expect((x.spec.taints ?? []).map((t) => t.key)).to.not.include(TAINT);
      expect(cond(x, 'VMEventScheduled')).to.include({ status: 'False', reason: 'NoVMEventScheduled' });
      const rs = (await nodeEvents(n)).map((e) => e.reason);
      expect(rs).to.not.include('NodeCordonStart');
    }
    await waitFor('rebooted node Ready again', async () => cond(await node(b), 'Ready')?.status === 'True');
  });

  it('a canceled Redeploy uncordons the node, also after an operator restart mid-drain', async () => {
    const target = spot[1]!;
    // A budget that blocks every eviction keeps the drain going.
    const r = await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      nodeSelector: {kubernetes.io/hostname: ${target}}
      tolerations: [{key: kubernetes.azure.com/scalesetpriority, operator: Exists}]
      containers: [{name: c, image: busybox}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: stuck, namespace: ${ns}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: stuck}}
`);
    expect(r.code, r.stderr).to.equal(0);
    await waitFor('stuck pod Ready', async () =>
      (await kubectlJson<{ items: Pod[] }>('get', 'pods', '-n', ns, '-l', 'app=stuck')).items.some(podReady),
    );
    const ev = await aksim('sim', 'event', 'schedule', '--node', target, '--type', 'Redeploy', '--not-before', '+PT60S');
    await waitFor(
      'draining: cordoned and a FailedToEvict',
      async () => {
        const x = await node(target);
        const blocked = await kubectlJson<{ items: Ev[] }>(
          'get',
          'events.events.k8s.io',
          '-n',
          ns,
          '--field-selector',
          'reason=FailedToEvict',
        );
        return x.spec.unschedulable && blocked.items.length > 0;
      },
      30_000,
    );
    await op.stop('SIGKILL');
    op = await startOperator({ timeScale: TIME_SCALE });
    const e = await kubectlJson('get', 'scheduledevent', '-n', ns, ev.name);
    expect(e.status.eventStatus).to.equal('Scheduled');
    expect(e.status.nodes[0]).to.include({ node: target, cordonedByAksim: true, drain: 'Draining' });
    await aksim('sim', 'event', 'cancel', '--id', ev.EventId, '-g', ns);
    await waitFor(
      'uncordoned and untainted',
      async () => {
        const x = await node(target);
        return !x.spec.unschedulable && !(x.spec.taints ?? []).some((t) => t.key === TAINT);
      },
      30_000,
    );
    await waitFor('event gone', async () => (await run('kubectl', ['get', 'scheduledevent', '-n', ns, ev.name])).code !== 0);
    const rs = (await nodeEvents(target)).map((x) => x.reason);
    expect(rs.filter((x) => x === 'NodeCordonStart')).to.have.length(1); // the restart did not cordon again
    expect(rs).to.include('RedeployCanceled');
    const m = await kubectlJson('get', 'simmachine', '-n', ns, target);
    expect(m.status.redeploys ?? 0).to.equal(0);
  });
});
