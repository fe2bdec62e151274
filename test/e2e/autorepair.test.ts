// e2e: node auto-repair (behaviour.md section 2, docs/auto-repair.md). Faults are injected with
// the CLI; the Node's health comes only from kwok and the controller manager; the remediator's
// steps are asserted on the Node events (reporting controller aks-auto-repair), the SimMachine
// counters and the SimCluster status. A "no status" fault needs ~20-40 s real before the Node
// turns Unknown (kwok Lease + node-monitor grace period), whatever the timeScale.
import { expect } from 'chai';
import {
  apply,
  deleteNamespace,
  freshNamespace,
  kubectl,
  kubectlJson,
  run,
  startOperator,
  stopSharedOperator,
  waitFor,
  type OperatorProcess,
} from '../support/env.js';

const TIME_SCALE = 60;

const clusterYaml = (ns: string, name: string, count: number, extra = ''): string => `
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: ${name}, namespace: ${ns}}
spec:
  simulation: {nodeBootTime: ${extra.includes('slowboot') ? 'PT20M' : 'PT1M'}, nodeDeleteTime: PT10S}
  agentPoolProfiles:
    - {name: nodepool1, mode: System, count: ${count}}
`;

type Cond = { type: string; status: string; reason?: string; message?: string };
type Machine = {
  metadata: { name: string };
  spec: { faults?: { type: string }[]; rebootRequests?: number; lastRequestedBy?: string };
  status?: {
    provisionedTime?: string;
    reboots?: number;
    reimages?: number;
    redeploys?: number;
    hostId?: string;
    lastAction?: { type: string; actor: string };
    conditions?: Cond[];
  };
};
type Ev = { reason: string; type: string; eventTime: string; reportingController: string; regarding: { name: string }; note: string };

async function machines(ns: string, cluster: string): Promise<Machine[]> {
  return (await kubectlJson<{ items: Machine[] }>('get', 'simmachines', '-n', ns, '-l', `aksim.io/cluster=${cluster}`)).items.sort((a, b) =>
    a.metadata.name.localeCompare(b.metadata.name),
  );
}
async function nodeReady(name: string): Promise<string> {
  const n = await kubectlJson<{ status?: { conditions?: Cond[] } }>('get', 'node', name);
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}
async function repairEvents(node: string): Promise<Ev[]> {
  const list = await kubectlJson<{ items: Ev[] }>(
    'get',
    'events.events.k8s.io',
    '-n',
    'default',
    '--field-selector',
    `regarding.name=${node}`,
  );
  return list.items.filter((e) => e.reportingController === 'aks-auto-repair').sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}
const reasons = (evs: Ev[]): string[] => evs.map((e) => e.reason);
async function repairStatus(ns: string, cluster: string): Promise<any> {
  return (await kubectlJson('get', 'simcluster', '-n', ns, cluster)).status?.autoRepair ?? {};
}
async function aksim(...args: string[]): Promise<string> {
  const r = await run(process.execPath, ['bin/aksim.js', ...args]);
  if (r.code !== 0) throw new Error(`aksim ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Creates a cluster and waits until all its nodes are Ready and registered healthy. */
async function readyCluster(ns: string, name: string, count: number): Promise<string[]> {
  const r = await apply(clusterYaml(ns, name, count));
  expect(r.code, r.stderr).to.equal(0);
  return waitFor(
    `${name}: ${count} healthy nodes`,
    async () => {
      const ms = await machines(ns, name);
      if (ms.length !== count || !ms.every((m) => m.status?.provisionedTime)) return false;
      for (const m of ms) if ((await nodeReady(m.metadata.name)) !== 'True') return false;
      return ms.map((m) => m.metadata.name);
    },
    60_000,
  );
}

const SEQ = {
  reboot: ['NodeRebootStart', 'NodeRebootEnd'],
  reimage: ['NodeReimageStart', 'NodeReimageEnd'],
  redeploy: ['NodeRedeployStart', 'NodeRedeployEnd'],
};

describe('e2e: node auto-repair', function () {
  this.timeout(300_000);
  let op: OperatorProcess;
  let ns: string;
  before(async () => {
    await stopSharedOperator();
    op = await startOperator({ timeScale: TIME_SCALE });
    ns = await freshNamespace('e2e-repair');
  });
  after(async () => {
    await deleteNamespace(ns);
    await op?.stop();
  });

  describe('each fault type gives exactly its repair sequence', () => {
    const faulty: Record<string, string> = {};
    const CASES = ['KubeletStopped', 'ContainerRuntimeDown', 'DiskCorruption', 'HostHardwareFailure', 'NetworkMisconfiguration'] as const;
    before(async () => {
      const names = await Promise.all(CASES.map((t) => readyCluster(ns, t.toLowerCase(), 2)));
      await Promise.all(
        CASES.map(async (t, i) => {
          faulty[t] = names[i]![0]!;
          await aksim('sim', 'fault', 'inject', '--node', faulty[t]!, '--type', t, '-o', 'none');
        }),
      );
    });

    async function finished(t: string): Promise<{ node: string; status: any }> {
      const node = faulty[t]!;
      const status = await waitFor(
        `${t}: repair finished`,
        async () => {
          const s = await repairStatus(ns, t.toLowerCase());
          return s.lastRepair?.node === node ? s : false;
        },
        150_000,
        500,
      );
      return { node, status };
    }

    for (const [t, steps, fixed] of [
      ['KubeletStopped', [...SEQ.reboot], true],
      ['ContainerRuntimeDown', [...SEQ.reboot], true],
      ['DiskCorruption', [...SEQ.reboot, ...SEQ.reimage], true],
      ['HostHardwareFailure', [...SEQ.reboot, ...SEQ.reimage, ...SEQ.redeploy], true],
      ['NetworkMisconfiguration', [...SEQ.reboot, ...SEQ.reimage, ...SEQ.redeploy, 'NodeAutoRepairFailed'], false],
    ] as const) {
      it(`${t}: ${steps
        .filter((s) => s.endsWith('Start'))
        .map((s) => s.slice(4, -5).toLowerCase())
        .join(' + ')}${fixed ? ', then Ready' : ', then the failure warning'}`, async () => {
        const { node, status } = await finished(t);
        expect(status.lastRepair.result).to.equal(fixed ? 'Succeeded' : 'Failed');
        const evs = await waitFor(
          `${t}: events`,
          async () => {
            const e = await repairEvents(node);
            return e.length >= steps.length ? e : false;
          },
          10_000,
        );
        expect(reasons(evs)).to.deep.equal(steps);
        expect(evs.every((e) => e.type === (e.reason === 'NodeAutoRepairFailed' ? 'Warning' : 'Normal'))).to.equal(true);
        const [m] = (await machines(ns, t.toLowerCase())).filter((x) => x.metadata.name === node);
        expect(m!.spec.lastRequestedBy).to.equal('aks-remediator');
        expect(m!.status?.lastAction?.actor).to.equal('aks-remediator');
        expect(m!.status?.reboots).to.equal(1);
        if (fixed) {
          expect(await nodeReady(node)).to.equal('True');
          expect(m!.spec.faults ?? []).to.deep.equal([]);
        } else {
          expect(await nodeReady(node)).to.not.equal('True');
          expect(status.failed.map((f: { node: string }) => f.node)).to.deep.equal([node]);
          const cond = await waitFor(
            'AutoRepairFailed condition',
            async () =>
              (await machines(ns, t.toLowerCase()))
                .find((x) => x.metadata.name === node)
                ?.status?.conditions?.find((c) => c.type === 'AutoRepairFailed'),
            10_000,
          );
          expect(cond.status).to.equal('True');
          expect(m!.status?.redeploys).to.equal(1);
          // The failed node is not repaired again while it stays unhealthy.
          expect((await repairStatus(ns, t.toLowerCase())).repairs ?? []).to.deep.equal([]);
        }
      });
    }
  });

  it('repairs two faulty nodes one after the other, and a restarted operator resumes the same step', async () => {
    const [a, b] = await readyCluster(ns, 'pair', 3);
    // Both go NotReady within a second or two; each needs reboot + reimage.
    await aksim('sim', 'fault', 'inject', '--node', a!, '--type', 'DiskCorruption', '-o', 'none');
    await aksim('sim', 'fault', 'inject', '--node', b!, '--type', 'DiskCorruption', '-o', 'none');
    let maxConcurrent = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const s = await repairStatus(ns, 'pair').catch(() => ({}));
        maxConcurrent = Math.max(maxConcurrent, (s.repairs ?? []).length);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    // Kill the operator while the first node waits for Ready after its reboot.
    const first = await waitFor(
      'first repair waiting for Ready after reboot',
      async () => {
        const s = await repairStatus(ns, 'pair');
        const r = s.repairs?.[0];
        return r?.step === 'Reboot' && r.phase === 'WaitingReady' ? r : false;
      },
      90_000,
      100,
    );
    await op.stop('SIGKILL');
    const frozen = await repairStatus(ns, 'pair');
    expect(frozen.repairs).to.have.length(1);
    expect(frozen.repairs[0]).to.include({ node: first.node, step: 'Reboot', phase: 'WaitingReady' });
    op = await startOperator({ timeScale: TIME_SCALE });
    const second = first.node === a ? b! : a!;
    await waitFor(
      'both repaired',
      async () => {
        const s = await repairStatus(ns, 'pair');
        return s.lastRepair?.node === second && s.lastRepair.result === 'Succeeded';
      },
      120_000,
      500,
    );
    sampling = false;
    await sampler;
    expect(maxConcurrent).to.equal(1);
    const e1 = await repairEvents(first.node);
    const e2 = await repairEvents(second);
    expect(reasons(e1)).to.deep.equal([...SEQ.reboot, ...SEQ.reimage]);
    expect(reasons(e2)).to.deep.equal([...SEQ.reboot, ...SEQ.reimage]);
    // The second repair started only after the first one ended.
    expect(e2[0]!.eventTime > e1.at(-1)!.eventTime).to.equal(true);
    for (const n of [a!, b!]) expect(await nodeReady(n)).to.equal('True');
  });

  it('pods the controller manager marked not ready while their node was down are Ready again once it is repaired', async () => {
    const [target] = await readyCluster(ns, 'podsback', 2);
    const r = await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: back, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: back}}
  template:
    metadata: {labels: {app: back}}
    spec:
      nodeSelector: {kubernetes.io/hostname: ${target}}
      tolerations: [{key: kubernetes.azure.com/scalesetpriority, operator: Exists}]
      containers: [{name: web, image: nginx}]
`);
    expect(r.code, r.stderr).to.equal(0);
    type P = { metadata: { uid: string }; status?: { conditions?: Cond[] } };
    const backPods = async (): Promise<P[]> => (await kubectlJson<{ items: P[] }>('get', 'pods', '-n', ns, '-l', 'app=back')).items;
    const ready = (p: P): boolean => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const before = await waitFor('2 pods Ready', async () => {
      const ps = await backPods();
      return ps.length === 2 && ps.every(ready) ? ps.map((p) => p.metadata.uid).sort() : false;
    });
    // No status from the node: kube-controller-manager (not aksim) turns it Unknown after its grace
    // period and marks its pods not ready; a kubelet that reports NotReady itself leaves them be.
    await aksim('sim', 'fault', 'inject', '--node', target!, '--type', 'KubeletStopped', '-o', 'none');
    await waitFor('pods marked not ready', async () => (await backPods()).every((p) => !ready(p)), 90_000, 250);
    await waitFor('repaired and Ready', async () => (await repairStatus(ns, 'podsback')).lastRepair?.node === target, 90_000);
    await waitFor('node Ready', async () => (await nodeReady(target!)) === 'True', 30_000);
    const after = await waitFor(
      'the same pods Ready again',
      async () => {
        const ps = await backPods();
        return ps.length === 2 && ps.every(ready) ? ps.map((p) => p.metadata.uid).sort() : false;
      },
      30_000,
    );
    expect(after).to.deep.equal(before);
    await kubectl('delete', 'deployment', 'back', '-n', ns, '--wait=false');
  });

  it('never repairs a one-node cluster, and says why', async () => {
    const [only] = await readyCluster(ns, 'solo', 1);
    await aksim('sim', 'fault', 'inject', '--node', only!, '--type', 'ContainerRuntimeDown', '-o', 'none');
    const s = await waitFor(
      'queued with the short-circuit reason',
      async () => {
        const st = await repairStatus(ns, 'solo');
        return st.queue?.some((q: { reason: string }) => q.reason.includes('at least 2')) ? st : false;
      },
      60_000,
    );
    expect(s.message).to.equal('cluster has 1 node(s); auto-repair needs at least 2');
    expect(s.repairs ?? []).to.deep.equal([]);
    const ms = await machines(ns, 'solo');
    expect(ms[0]!.spec.rebootRequests).to.equal(undefined);
    expect(await repairEvents(only!)).to.deep.equal([]);
  });

  it('leaves alone a node that never became Ready', async () => {
    const r = await apply(clusterYaml(ns, 'late', 2, 'slowboot'));
    expect(r.code, r.stderr).to.equal(0);
    // Break the network of the first VM while it boots (20 s real: room for a loaded machine):
    // its Node registers but never reports.
    const first = await waitFor('machines made', async () => {
      const ms = await machines(ns, 'late');
      return ms.length === 2 ? ms[0]!.metadata.name : false;
    });
    await aksim('sim', 'fault', 'inject', '--node', first, '--type', 'NetworkMisconfiguration', '-g', ns, '-o', 'none');
    const s = await waitFor(
      'never-healthy node queued as skipped',
      async () => {
        const st = await repairStatus(ns, 'late');
        return st.queue?.find((q: { node: string; reason: string }) => q.node === first && q.reason.includes('never registered'))
          ? st
          : false;
      },
      60_000,
    );
    expect(s.repairs ?? []).to.deep.equal([]);
    const m = (await machines(ns, 'late')).find((x) => x.metadata.name === first)!;
    expect(m.status?.provisionedTime).to.equal(undefined);
    expect(m.spec.rebootRequests).to.equal(undefined);
    expect(await repairEvents(first)).to.deep.equal([]);
  });
});
