// e2e: the in-cluster manifests are accepted by the API server, the operator's ServiceAccount
// holds every permission the operator uses and none of a few dangerous ones, and an operator
// running with only that ServiceAccount's token takes a cluster through create, scale-in with
// drain, and delete without a single refused call.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { deleteNamespace, freshNamespace, kubectl, kubectlJson, ROOT, run, stopSharedOperator, waitFor } from '../support/env.js';

const SYSTEM_NS = 'aksim-system';
const SA = `system:serviceaccount:${SYSTEM_NS}:aksim`;
const RBAC = 'manifests/deploy/rbac.yaml';

/** The plurals of the kinds in crds/, read now, so a new CRD without RBAC fails this suite. */
function crdPlurals(): string[] {
  return readdirSync(join(ROOT, 'crds'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => (parse(readFileSync(join(ROOT, 'crds', f), 'utf8')) as { spec: { names: { plural: string } } }).spec.names.plural)
    .sort();
}

type Check = string[]; // the arguments of `kubectl auth can-i`, e.g. ['create', 'nodes']

async function canI(check: Check): Promise<boolean> {
  const r = await run('kubectl', ['auth', 'can-i', ...check, `--as=${SA}`]);
  const answer = r.stdout.trim();
  if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl auth can-i ${check.join(' ')}: ${r.stderr}`);
  return answer === 'yes';
}

/** Runs the checks a few at a time; returns those whose answer differs from `want`. */
async function mismatches(checks: Check[], want: boolean): Promise<string[]> {
  const wrong: string[] = [];
  for (let i = 0; i < checks.length; i += 6) {
    const batch = checks.slice(i, i + 6);
    const answers = await Promise.all(batch.map(canI));
    answers.forEach((a, j) => {
      if (a !== want) wrong.push(batch[j]!.join(' '));
    });
  }
  return wrong;
}

describe('e2e: in-cluster manifests and least-privilege RBAC', function () {
  this.timeout(240_000);

  before(async () => {
    const r = await run('kubectl', ['apply', '-f', RBAC]);
    if (r.code !== 0) throw new Error(`applying ${RBAC}: ${r.stderr}`);
  });
  after(async () => {
    await run('kubectl', ['delete', '-f', RBAC, '--ignore-not-found', '--wait=false']);
  });

  it('validates every manifest in manifests/deploy against the API server (server-side dry run)', async () => {
    const r = await run('kubectl', ['apply', '--dry-run=server', '-k', 'manifests/deploy']);
    expect(r.code, r.stderr).to.equal(0);
    for (const obj of [
      'serviceaccount/aksim',
      'clusterrole.rbac.authorization.k8s.io/aksim-operator',
      'clusterrolebinding.rbac.authorization.k8s.io/aksim-operator',
      'role.rbac.authorization.k8s.io/aksim-operator',
      'rolebinding.rbac.authorization.k8s.io/aksim-operator',
      'configmap/aksim-config',
      'deployment.apps/aksim-operator',
    ]) {
      expect(r.stdout).to.include(obj);
    }
    // The Deployment the server would store: probes on the metrics port, which listens beyond loopback.
    const out = await run('kubectl', ['apply', '--dry-run=server', '-f', 'manifests/deploy/operator.yaml', '-o', 'json']);
    expect(out.code, out.stderr).to.equal(0);
    const dep = (JSON.parse(out.stdout) as { items: { kind: string; spec: any }[] }).items.find((o) => o.kind === 'Deployment')!;
    const c = dep.spec.template.spec.containers[0];
    expect(dep.spec.template.spec.serviceAccountName).to.equal('aksim');
    expect(c.env).to.deep.include({ name: 'AKSIM_METRICS_HOST', value: '0.0.0.0' });
    expect(c.livenessProbe.httpGet).to.include({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).to.include({ path: '/readyz', port: 'metrics' });
    expect(c.securityContext).to.deep.include({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(dep.spec.template.spec.securityContext.runAsNonRoot).to.equal(true);
  });

  it('lists in the ClusterRole exactly the aksim.io kinds that crds/ defines', () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, RBAC), 'utf8')).map(
      (d) => d.toJS() as { kind: string; rules?: { apiGroups: string[]; resources: string[] }[] },
    );
    const role = docs.find((d) => d.kind === 'ClusterRole')!;
    const plurals = crdPlurals();
    expect(plurals.length).to.be.greaterThan(0);
    const aksimRules = role.rules!.filter((r) => r.apiGroups.includes('aksim.io'));
    expect(aksimRules.flatMap((r) => r.resources)).to.not.include('*');
    for (const suffix of ['', '/status', '/finalizers']) {
      const listed = aksimRules
        .flatMap((r) => r.resources)
        .filter((res) => (suffix ? res.endsWith(suffix) : !res.includes('/')))
        .map((res) => res.replace(suffix, ''));
      expect([...new Set(listed)].sort(), `aksim.io resources${suffix} in ${RBAC}`).to.deep.equal(plurals);
    }
  });

  it('grants the ServiceAccount every permission the operator uses', async () => {
    const crs = crdPlurals().map((p) => `${p}.aksim.io`);
    const granted: Check[] = [
      // Nodes: create per machine, labels and cordon by patch, delete, the node cache.
      ...['get', 'list', 'watch', 'create', 'patch', 'delete'].map((v) => [v, 'nodes']),
      ['patch', 'nodes', '--subresource=status'], // the VMEventScheduled node condition (autodrain)
      // Pods: drain lists across namespaces; NGroups container groups are pods.
      ['list', 'pods', '-A'],
      ['watch', 'pods', '-A'],
      ...['get', 'create', 'patch', 'delete'].map((v) => [v, 'pods', '-n', 'some-resource-group']),
      ['create', 'pods', '--subresource=eviction', '-n', 'some-resource-group'],
      ['list', 'poddisruptionbudgets.policy', '-n', 'some-resource-group'],
      ['patch', 'pods', '--subresource=status', '-n', 'some-resource-group'],
      // The NGroups image registry ConfigMap, in a resource group or the system namespace.
      ['get', 'configmaps/aksim-registry', '-n', 'some-resource-group'],
      ['get', 'configmaps/aksim-registry', '-n', SYSTEM_NS],
      ['create', 'events.events.k8s.io', '-n', 'some-resource-group'],
      ['patch', 'events.events.k8s.io', '-n', 'default'],
      ['list', 'events.events.k8s.io', '-n', 'default'], // once at start: the NodeNotReady events of Nodes
      // The simulated kinds in every namespace, their status and (for blockOwnerDeletion) finalizers.
      ...crs.flatMap((r) => ['list', 'watch'].map((v) => [v, r, '-A'])),
      ...crs.flatMap((r) => ['get', 'create', 'update', 'patch', 'delete'].map((v) => [v, r, '-n', 'some-resource-group'])),
      ...crs.flatMap((r) => ['get', 'update', 'patch'].map((v) => [v, r, '--subresource=status', '-n', 'some-resource-group'])),
      ...crs.map((r) => ['update', r, '--subresource=finalizers', '-n', 'some-resource-group']),
      // The system namespace: its own object, the leader Lease, the settings ConfigMap.
      ['get', `namespaces/${SYSTEM_NS}`],
      ['create', 'leases.coordination.k8s.io', '-n', SYSTEM_NS],
      ['get', 'leases.coordination.k8s.io/aksim-operator', '-n', SYSTEM_NS],
      ['update', 'leases.coordination.k8s.io/aksim-operator', '-n', SYSTEM_NS],
      ['get', 'configmaps/aksim-config', '-n', SYSTEM_NS],
    ];
    expect(await mismatches(granted, true), 'denied but needed').to.deep.equal([]);
  });

  it('denies what the operator must not do', async () => {
    const denied: Check[] = [
      ['delete', 'namespaces'],
      ['create', 'namespaces'],
      ['get', 'namespaces/kube-system'],
      ['get', 'secrets', '-A'],
      ['list', 'secrets', '-n', SYSTEM_NS],
      ['create', 'clusterroles.rbac.authorization.k8s.io'],
      ['bind', 'clusterroles.rbac.authorization.k8s.io'],
      ['escalate', 'roles.rbac.authorization.k8s.io', '-n', SYSTEM_NS],
      ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', SYSTEM_NS],
      ['create', 'pods', '--subresource=exec', '-n', 'default'],
      ['create', 'serviceaccounts', '--subresource=token', '-n', SYSTEM_NS],
      ['impersonate', 'serviceaccounts', '-A'],
      ['update', 'nodes'],
      ['deletecollection', 'nodes'],
      ['update', 'pods', '--subresource=status', '-n', 'default'],
      ['list', 'configmaps', '-A'],
      ['get', 'configmaps/kube-root-ca.crt', '-n', 'default'],
      ['deletecollection', 'pods', '-n', 'default'],
      ['deletecollection', 'simclusters.aksim.io', '-n', 'default'],
      ['create', 'poddisruptionbudgets.policy', '-n', 'default'],
      ['delete', 'customresourcedefinitions.apiextensions.k8s.io'],
      // Leases and ConfigMaps only by name in the system namespace: not node heartbeats, not kube-system.
      ['update', 'leases.coordination.k8s.io', '-n', 'kube-node-lease'],
      ['get', 'leases.coordination.k8s.io/kube-scheduler', '-n', 'kube-system'],
      ['update', 'leases.coordination.k8s.io/someone-else', '-n', SYSTEM_NS],
      ['delete', 'leases.coordination.k8s.io/aksim-operator', '-n', SYSTEM_NS],
      ['list', 'configmaps', '-n', SYSTEM_NS],
      ['get', 'configmaps/kube-root-ca.crt', '-n', SYSTEM_NS],
      ['update', 'configmaps/aksim-config', '-n', SYSTEM_NS],
      ['create', 'events', '-n', 'default'], // core/v1 events are never written
      ['create', 'deployments.apps', '-n', SYSTEM_NS],
    ];
    expect(await mismatches(denied, false), 'granted but must be denied').to.deep.equal([]);
  });

  describe('an operator running as the ServiceAccount', function () {
    let ns: string;
    let dir: string;
    let op: ChildProcess | undefined;
    const logs: string[] = [];
    const virtualNodes = async (): Promise<string[]> =>
      (await kubectlJson<{ items: { metadata: { name: string } }[] }>('get', 'nodes', '-l', 'aksim.io/aci-virtual-node=true')).items.map(
        (n) => n.metadata.name,
      );
    let virtualBefore: string[] = [];

    before(async function () {
      // One operator at a time: the shared one (if any) releases the leader Lease on SIGTERM.
      await stopSharedOperator();
      const token = (await kubectl('create', 'token', 'aksim', '-n', SYSTEM_NS, '--duration=1h')).trim();
      const admin = await kubectlJson<{ clusters: { name: string; cluster: Record<string, unknown> }[] }>(
        'config',
        'view',
        '--raw',
        '--minify',
      );
      const cluster = admin.clusters[0]!;
      dir = mkdtempSync(join(tmpdir(), 'aksim-rbac-'));
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          'current-context': 'sa',
          clusters: [cluster],
          users: [{ name: 'aksim', user: { token } }],
          contexts: [{ name: 'sa', context: { cluster: cluster.name, user: 'aksim' } }],
        }),
        { mode: 0o600 },
      );
      // The ServiceAccount really is limited (the kubeconfig is not the admin's).
      const probe = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'secrets', '-n', SYSTEM_NS]);
      expect(probe.code).to.not.equal(0);
      expect(probe.stderr).to.match(/forbidden/i);

      op = spawn(
        process.execPath,
        ['bin/aksim.js', 'operator', '--kubeconfig', kubeconfig, '--time-scale', '60', '--metrics-port', '0', '--lease-seconds', '3'],
        {
          cwd: ROOT,
          env: { ...process.env, KUBECONFIG: kubeconfig, AKSIM_LOG_LEVEL: 'debug' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let buf = '';
      const onData = (d: Buffer): void => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        logs.push(...lines);
      };
      process.once('exit', () => op?.kill('SIGKILL')); // never outlive the test run
      op.stdout!.on('data', onData);
      op.stderr!.on('data', onData);
      const proc = op;
      await waitFor(
        'operator (as the ServiceAccount) synced',
        async () => {
          if (proc.exitCode !== null)
            throw Object.assign(new Error(`operator exited ${proc.exitCode}: ${logs.slice(-5).join('\n')}`), { fatal: true });
          return logs.some((l) => l.includes('Caches synced'));
        },
        60_000,
        100,
      );
      ns = await freshNamespace('e2e-rbac');
      virtualBefore = await virtualNodes();
    });

    afterEach(function () {
      // What the operator said, when a test here failed: refused calls show up as warnings.
      if (this.currentTest?.state === 'failed')
        console.log(
          logs
            .filter((l) => /"level":(40|50)/.test(l))
            .slice(-10)
            .map((l) => l.slice(0, 600))
            .join('\n'),
        );
    });
    after(async () => {
      // While the operator still runs, so the finalizers clear.
      if (ns) await run('kubectl', ['delete', 'ngroups,containergroupprofiles', '--all', '-n', ns, '--wait=true', '--timeout=60s']);
      if (ns) await deleteNamespace(ns);
      if (op && op.exitCode === null && op.signalCode === null) {
        const exited = new Promise((r) => op!.once('exit', r));
        op.kill('SIGTERM');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      // The ACI virtual nodes our NGroup made (the operator keeps them; a later one makes them again).
      const made = (await virtualNodes()).filter((n) => !virtualBefore.includes(n));
      if (made.length > 0) await run('kubectl', ['delete', 'nodes', ...made, '--wait=false']);
    });

    it('holds the leader Lease', async () => {
      const lease = await kubectlJson('get', 'lease', '-n', SYSTEM_NS, 'aksim-operator');
      expect(lease.spec.holderIdentity).to.match(new RegExp(`-${op!.pid}$`));
    });

    it('creates, drains while scaling in, and deletes a cluster without a refused call', async () => {
      const cluster = `
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: rbac, namespace: ${ns}}
spec:
  location: westeurope
  kubernetesVersion: "1.34"
  simulation: {nodeBootTime: PT1M, nodeDeleteTime: PT10S}
  agentPoolProfiles:
    - {name: nodepool1, mode: System, count: 2, vmSize: Standard_D2s_v3}
`;
      const applied = await run('kubectl', ['apply', '-f', '-'], { input: cluster });
      expect(applied.code, applied.stderr).to.equal(0);
      await waitFor(
        'cluster Succeeded',
        async () => (await kubectlJson('get', 'simcluster', '-n', ns, 'rbac')).status?.provisioningState === 'Succeeded',
      );
      const nodes = async (): Promise<string[]> =>
        (
          await kubectlJson<{ items: { metadata: { name: string } }[] }>(
            'get',
            'nodes',
            '-l',
            `aksim.io/cluster=rbac,aksim.io/namespace=${ns}`,
          )
        ).items
          .map((n) => n.metadata.name)
          .sort();
      const before = await nodes();
      expect(before).to.have.length(2);

      // A pod on each node, so scaling in must evict one through the eviction API.
      for (const [i, node] of before.entries()) {
        const r = await run('kubectl', ['apply', '-f', '-'], {
          input: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"app-${i}","namespace":"${ns}"},"spec":{"nodeName":"${node}","containers":[{"name":"app","image":"app"}]}}`,
        });
        expect(r.code, r.stderr).to.equal(0);
      }
      await kubectl('scale', 'simnodepool', '-n', ns, 'rbac-nodepool1', '--replicas=1');
      const after = await waitFor(
        'one node left',
        async () => {
          const left = await nodes();
          return left.length === 1 && left;
        },
        90_000,
      );
      const removed = before.find((n) => !after.includes(n))!;
      const pods = await kubectlJson<{ items: { spec: { nodeName: string } }[] }>('get', 'pods', '-n', ns);
      expect(pods.items.map((p) => p.spec.nodeName)).to.not.include(removed);

      // Events were written with events.k8s.io.
      const events = await kubectlJson<{ items: { reportingController?: string }[] }>('get', 'events.events.k8s.io', '-n', ns);
      expect(events.items.some((e) => e.reportingController?.startsWith('aksim.io/'))).to.equal(true);

      await kubectl('delete', 'simcluster', '-n', ns, 'rbac', '--wait=true', '--timeout=90s');
      expect(await nodes()).to.deep.equal([]);

      expectNoRefusals();
    });

    it('runs an NGroup of container groups (Pods on virtual nodes) and deletes it without a refused call', async () => {
      const ngroup = `
apiVersion: aksim.io/v1alpha1
kind: ContainerGroupProfile
metadata: {name: cgp, namespace: ${ns}}
spec:
  location: westeurope
  osType: Linux
  containers:
    - {name: web, image: mcr.microsoft.com/azuredocs/aci-helloworld:v1, resources: {requests: {cpu: 1, memoryInGB: 1.5}}}
---
apiVersion: aksim.io/v1alpha1
kind: NGroup
metadata: {name: ng, namespace: ${ns}}
spec:
  location: westeurope
  zones: ["1"]
  elasticProfile: {desiredCount: 2}
  containerGroupProfiles:
    - resource: {id: cgp}
`;
      const applied = await run('kubectl', ['apply', '-f', '-'], { input: ngroup });
      expect(applied.code, applied.stderr).to.equal(0);
      type Pod = { metadata: { name: string }; spec: { nodeName?: string }; status: { phase?: string } };
      const pods = async (): Promise<Pod[]> =>
        (await kubectlJson<{ items: Pod[] }>('get', 'pods', '-n', ns, '-l', 'aksim.io/ngroup=ng')).items;
      await waitFor(
        'NGroup Succeeded with 2 running container groups',
        async () => {
          const ng = await kubectlJson('get', 'ngroup', '-n', ns, 'ng');
          const cgs = await pods();
          return (
            ng.status?.provisioningState === 'Succeeded' &&
            cgs.length === 2 &&
            cgs.every((p) => p.status.phase === 'Running' && p.spec.nodeName)
          );
        },
        90_000,
      );
      await kubectl('delete', 'ngroup', '-n', ns, 'ng', '--wait=true', '--timeout=60s');
      await waitFor('container groups gone', async () => (await pods()).length === 0);
      expectNoRefusals();
    });

    function expectNoRefusals(): void {
      // RBAC refusals read 'x is forbidden: User "system:serviceaccount:..." cannot <verb> resource ...'.
      const refused = logs.filter((l) => /is forbidden: User|cannot \w+ resource/.test(l)).map((l) => l.slice(0, 600));
      expect(refused, 'operator log lines with calls RBAC refused').to.deep.equal([]);
    }
  });
});
