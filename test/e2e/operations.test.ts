// e2e: long-running operations through the az-shaped CLI, kubectl and the REST server: progress,
// history, abort, one operation at a time, rolling upgrades that honour PodDisruptionBudgets.
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { httpsJson, signedIn, startServe, type ArmCall, type Served } from '../support/serve.js';
import type { SimNodePool, SimOperation } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import {
  apply,
  deleteNamespace,
  freshNamespace,
  KUBECONFIG,
  kubectl,
  kubectlJson,
  run,
  sharedOperator,
  startOperator,
  stopSharedOperator,
  waitFor,
  type OperatorProcess,
} from '../support/env.js';

const kube = Kube.fromFile(KUBECONFIG);
const aksim = (...args: string[]) => run(process.execPath, ['bin/aksim.js', ...args]);

const clusterYaml = (ns: string, name: string, o: { count?: number; version?: string; boot?: string; surge?: string } = {}): string => `
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: ${name}, namespace: ${ns}}
spec:
  kubernetesVersion: "${o.version ?? '1.34.4'}"
  simulation: {nodeBootTime: ${o.boot ?? 'PT1M'}, nodeDeleteTime: PT5S, controlPlaneUpgradeTime: PT1M}
  agentPoolProfiles:
    - {name: nodepool1, mode: System, count: ${o.count ?? 3}, vmSize: Standard_D2s_v3, upgradeSettings: {maxSurge: "${o.surge ?? '1'}", drainTimeoutInMinutes: 30}}
`;

async function pool(ns: string, name: string): Promise<SimNodePool> {
  return (await kube.get<SimNodePool>('SimNodePool', ns, name))!;
}
async function opsOf(ns: string, target: string): Promise<SimOperation[]> {
  return (await kube.list<SimOperation>('SimOperation', ns, `aksim.io/target=${target}`)).sort((a, b) =>
    (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? ''),
  );
}
async function waitIdle(ns: string, name: string, timeout = 60_000): Promise<SimNodePool> {
  return waitFor(
    `${name} idle`,
    async () => {
      const p = await pool(ns, name);
      return p.status && !p.status.currentOperation && (p.status.lastOperationGeneration ?? 0) >= (p.metadata.generation ?? 0) && p;
    },
    timeout,
    100,
  );
}
async function setup(ns: string, name: string, o: Parameters<typeof clusterYaml>[2] = {}): Promise<void> {
  const r = await apply(clusterYaml(ns, name, o));
  expect(r.code, r.stderr).to.equal(0);
  await waitFor(
    'cluster Succeeded',
    async () => (await kubectlJson('get', 'simcluster', '-n', ns, name)).status?.provisioningState === 'Succeeded',
    90_000,
  );
}

/**
 * Records every percentComplete the API server stored for the operations on target started at or
 * after `since`, through a kubectl watch (each write is one watch event, so no value is missed
 * however loaded the machine is). Call the returned stop() after the operation ended.
 */
function watchProgress(ns: string, target: string, since: number): { ready: Promise<void>; stop: () => Promise<number[]> } {
  const p = spawn(
    'kubectl',
    [
      'get',
      'simoperations',
      '-n',
      ns,
      '-l',
      `aksim.io/target=${target}`,
      '--watch',
      '-o',
      'jsonpath={.status.startTime}|{.status.percentComplete}{"\\n"}',
    ],
    { env: { ...process.env, KUBECONFIG } },
  );
  let out = '';
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  p.stdout.on('data', (d: Buffer) => ((out += d.toString()), ready()));
  setTimeout(ready, 2000); // no operation yet on the target: the watch is open all the same
  return {
    ready: readyP,
    stop: async () => {
      await new Promise((r) => setTimeout(r, 500)); // the last events reach the watch
      p.kill();
      return out
        .split('\n')
        .map((l) => l.split('|'))
        .filter(([start, pct]) => pct !== undefined && pct !== '' && Date.parse(start ?? '') >= since - 1000)
        .map(([, pct]) => Number(pct));
    },
  };
}

describe('e2e: long-running operations', function () {
  let ns: string;
  before(async () => {
    await sharedOperator();
    ns = await freshNamespace('e2e-ops');
  });
  after(async () => deleteNamespace(ns));

  it('scales a pool 3 -> 12: percentComplete rises and never goes back; show-latest prints the ARM shape', async () => {
    await setup(ns, 'contoso', { boot: 'PT6M' });
    const since = Date.now();
    const watch = watchProgress(ns, 'contoso-nodepool1', since);
    await watch.ready;
    const r = await aksim('aks', 'nodepool', 'scale', '-g', ns, '--cluster-name', 'contoso', '-n', 'nodepool1', '-c', '12', '-o', 'none');
    expect(r.code, r.stderr).to.equal(0);
    const seen = await watch.stop();
    const distinct = [...new Set(seen)];
    expect(distinct.length, `stored values ${seen.join(',')}`).to.be.at.least(3);
    expect(seen.at(-1), `stored values ${seen.join(',')}`).to.equal(100);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).to.be.at.least(seen[i - 1]!);
    const show = await aksim('aks', 'operation', 'show-latest', '-g', ns, '-n', 'contoso');
    expect(show.code, show.stderr).to.equal(0);
    const latest = JSON.parse(show.stdout);
    expect(Object.keys(latest)).to.deep.equal([
      'endTime',
      'error',
      'id',
      'name',
      'operations',
      'percentComplete',
      'resourceGroup',
      'resourceId',
      'startTime',
      'status',
    ]);
    expect(latest).to.include({ status: 'Succeeded', percentComplete: 100, resourceGroup: ns, operations: null, error: null });
    expect(latest.id).to.match(
      new RegExp(`/resourcegroups/${ns}/providers/Microsoft.ContainerService/managedClusters/contoso/operations/[0-9a-f-]{36}$`),
    );
    expect(latest.startTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    expect(show.stdout).to.include('"percentComplete": 100.0');
    const poolOp = (await opsOf(ns, 'contoso-nodepool1')).at(-1)!;
    expect(poolOp.spec.type).to.equal('Scale');
    expect(poolOp.status).to.include({ status: 'Succeeded', percentComplete: 100, stepsTotal: 9, stepsDone: 9 });
    expect((await pool(ns, 'contoso-nodepool1')).status).to.include({ count: 12, readyNodes: 12, provisioningState: 'Succeeded' });
    const table = await aksim('aks', 'operation', 'list', '-g', ns, '-n', 'contoso', '--nodepool-name', 'nodepool1', '-o', 'table');
    expect(table.stdout).to.match(/Name\s+Status\s+StartTime\s+EndTime\s+PercentComplete/);
    expect(table.stdout).to.match(/Succeeded .* 100%/);
  });

  it('aborts a scale-out: Canceled within seconds, no rollback, nothing more created, and a later scale works', async () => {
    await kubectl('patch', 'simcluster', '-n', ns, 'contoso', '--type=merge', '-p', '{"spec":{"simulation":{"nodeBootTime":"PT40M"}}}');
    await waitFor('cluster idle', async () => !(await kubectlJson('get', 'simcluster', '-n', ns, 'contoso')).status?.currentOperation);
    const r = await aksim(
      'aks',
      'nodepool',
      'scale',
      '-g',
      ns,
      '--cluster-name',
      'contoso',
      '-n',
      'nodepool1',
      '-c',
      '30',
      '--no-wait',
      '-o',
      'none',
    );
    expect(r.code, r.stderr).to.equal(0);
    await waitFor('some nodes ready', async () => ((await pool(ns, 'contoso-nodepool1')).status?.readyNodes ?? 0) > 13, 60_000, 100);
    // The running operation's progress shows on the pool too (kubectl's Progress column).
    await waitFor(
      'progress on the pool',
      async () => ((await pool(ns, 'contoso-nodepool1')).status?.currentOperation?.percentComplete ?? 0) > 0,
      10_000,
      100,
    );
    expect(await kubectl('get', 'simnodepool', '-n', ns, 'contoso-nodepool1')).to.match(
      /STATE\s+PROGRESS\s+POWER[\s\S]*Scaling\s+\d+(\.\d+)?\s/,
    );
    const t0 = Date.now();
    const ab = await aksim('aks', 'nodepool', 'operation-abort', '-g', ns, '--cluster-name', 'contoso', '-n', 'nodepool1');
    expect(ab.code, ab.stderr).to.equal(0);
    const p = await waitFor(
      'Canceled',
      async () => {
        const x = await pool(ns, 'contoso-nodepool1');
        return x.status?.provisioningState === 'Canceled' && x;
      },
      10_000,
      100,
    );
    expect(Date.now() - t0).to.be.lessThan(8000);
    const op = (await opsOf(ns, 'contoso-nodepool1')).at(-1)!;
    expect(op.status?.status).to.equal('Canceled');
    expect(op.status?.percentComplete).to.be.lessThan(100);
    const count = p.status!.count!;
    expect(count).to.be.greaterThan(12).and.lessThan(30);
    await new Promise((r) => setTimeout(r, 3000));
    const machines = await kube.list('SimMachine', ns, 'aksim.io/pool=nodepool1');
    expect(machines.length, 'no machine created after the abort').to.equal(count);
    expect((await pool(ns, 'contoso-nodepool1')).status?.provisioningState).to.equal('Canceled');
    // the next change starts a new operation from there
    await kubectl('patch', 'simcluster', '-n', ns, 'contoso', '--type=merge', '-p', '{"spec":{"simulation":{"nodeBootTime":"PT1M"}}}');
    const s = await aksim('aks', 'nodepool', 'scale', '-g', ns, '--cluster-name', 'contoso', '-n', 'nodepool1', '-c', '10', '-o', 'json');
    expect(s.code, s.stderr).to.equal(0);
    expect(JSON.parse(s.stdout)).to.include({ count: 10, provisioningState: 'Succeeded' });
    await waitFor('10 machines', async () => (await kube.list('SimMachine', ns, 'aksim.io/pool=nodepool1')).length === 10, 30_000);
  });

  it('refuses an abort with nothing running and a change while an operation runs (409), leaving state intact', async () => {
    const ab = await aksim('aks', 'operation-abort', '-g', ns, '-n', 'contoso');
    expect(ab.code).to.equal(1);
    expect(ab.stderr).to.include('(OperationNotAllowed) Cancel operation is not allowed when the ProvisioningState is Succeeded');
    await kubectl('patch', 'simcluster', '-n', ns, 'contoso', '--type=merge', '-p', '{"spec":{"simulation":{"nodeBootTime":"PT10M"}}}');
    await waitFor('cluster idle', async () => !(await kubectlJson('get', 'simcluster', '-n', ns, 'contoso')).status?.currentOperation);
    expect(
      (await aksim('aks', 'nodepool', 'scale', '-g', ns, '--cluster-name', 'contoso', '-n', 'nodepool1', '-c', '12', '--no-wait')).code,
    ).to.equal(0);
    const second = await aksim('aks', 'nodepool', 'scale', '-g', ns, '--cluster-name', 'contoso', '-n', 'nodepool1', '-c', '4');
    expect(second.code).to.equal(1);
    expect(second.stderr).to.include(
      '(OperationNotAllowed) Another operation (Scaling) is in progress, please wait for it to finish before starting a new operation.',
    );
    const kc = await run('kubectl', ['scale', 'simnodepool', '-n', ns, 'contoso-nodepool1', '--replicas=4']);
    expect(kc.code).to.not.equal(0);
    expect(kc.stderr).to.include('Another operation (Scaling) is in progress');
    expect((await pool(ns, 'contoso-nodepool1')).spec.count).to.equal(12);
    const done = await waitIdle(ns, 'contoso-nodepool1', 60_000);
    expect(done.status?.count).to.equal(12);
  });

  it('keeps the 50 most recent operations of a pool', async () => {
    await kubectl('patch', 'simcluster', '-n', ns, 'contoso', '--type=merge', '-p', '{"spec":{"simulation":{"nodeBootTime":"PT1M"}}}');
    const before = (await opsOf(ns, 'contoso-nodepool1')).length;
    for (let i = 0; i < 55 - before; i++) {
      await waitIdle(ns, 'contoso-nodepool1');
      await kubectl(
        'patch',
        'simnodepool',
        '-n',
        ns,
        'contoso-nodepool1',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { nodeLabels: { round: String(i) } } }),
      );
    }
    await waitIdle(ns, 'contoso-nodepool1');
    await waitFor('pruned to 50', async () => (await opsOf(ns, 'contoso-nodepool1')).length === 50, 20_000);
    const listed = JSON.parse(
      (await aksim('aks', 'operation', 'list', '-g', ns, '-n', 'contoso', '--nodepool-name', 'nodepool1')).stdout,
    ) as { name: string; startTime: string }[];
    expect(listed).to.have.length(50);
    const times = listed.map((o) => o.startTime);
    expect([...times].sort().reverse()).to.deep.equal(times);
    // the newest label round is among them, the first operation (Create) is gone
    const ops = await opsOf(ns, 'contoso-nodepool1');
    expect(ops.some((o) => o.spec.type === 'Create')).to.equal(false);
  });
});

describe('e2e: rolling upgrade with a PodDisruptionBudget, across an operator restart', function () {
  let ns: string;
  let op: OperatorProcess | undefined;
  before(async () => {
    await stopSharedOperator();
    op = await startOperator();
    ns = await freshNamespace('e2e-upgrade');
  });
  after(async () => {
    await op?.stop();
    await sharedOperator();
    await deleteNamespace(ns);
  });

  it('upgrades 1.33 -> 1.34 with maxSurge 1: the PDB is never violated, every node ends on the new version, none twice', async () => {
    await setup(ns, 'fabrikam', { count: 4, version: '1.33.5', boot: 'PT2M', surge: '1' });
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 6
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {aksim.io/namespace: ${ns}}
      containers: [{name: web, image: nginx}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: ${ns}}
spec:
  minAvailable: 5
  selector: {matchLabels: {app: web}}
`);
    await waitFor('6 ready pods', async () => (await kubectlJson('get', 'deploy', '-n', ns, 'web')).status?.readyReplicas === 6, 60_000);
    // Watch the budget and the nodes' boots the whole time.
    let stop = false;
    let minReady = 6;
    const boots = new Map<string, Set<string>>();
    const watcher = (async () => {
      while (!stop) {
        const pods = await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
        const ready = pods.items.filter(
          (p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        minReady = Math.min(minReady, ready);
        const nodes = await kube.core.listNode({ labelSelector: `aksim.io/namespace=${ns}` });
        for (const n of nodes.items) {
          const set = boots.get(n.metadata!.name!) ?? new Set();
          set.add(`${n.status?.nodeInfo?.bootID}`);
          boots.set(n.metadata!.name!, set);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const percents: number[] = [];
    // first the control plane must allow it: upgrade the cluster's control plane only
    const cp = await aksim('aks', 'upgrade', '-g', ns, '-n', 'fabrikam', '-k', '1.34.4', '--control-plane-only', '-o', 'none');
    expect(cp.code, cp.stderr).to.equal(0);
    const r = await aksim(
      'aks',
      'nodepool',
      'upgrade',
      '-g',
      ns,
      '--cluster-name',
      'fabrikam',
      '-n',
      'nodepool1',
      '-k',
      '1.34.4',
      '--no-wait',
      '-o',
      'none',
    );
    expect(r.code, r.stderr).to.equal(0);
    // kill the operator in the middle of the upgrade, then start another
    await waitFor(
      'upgrade under way',
      async () => {
        const ops = await opsOf(ns, 'fabrikam-nodepool1');
        const u = ops.find((o) => o.spec.type === 'Upgrade');
        if (u?.status?.percentComplete !== undefined) percents.push(u.status.percentComplete);
        return (u?.status?.percentComplete ?? 0) >= 25;
      },
      60_000,
      100,
    );
    await op!.stop('SIGKILL');
    op = await startOperator();
    const final = await waitFor(
      'upgrade done',
      async () => {
        const u = (await opsOf(ns, 'fabrikam-nodepool1')).find((o) => o.spec.type === 'Upgrade');
        if (u?.status?.percentComplete !== undefined) percents.push(u.status.percentComplete);
        return u?.status?.status === 'Succeeded' && u;
      },
      120_000,
      100,
    );
    stop = true;
    await watcher;
    expect(final.status?.percentComplete).to.equal(100);
    for (let i = 1; i < percents.length; i++) expect(percents[i]!).to.be.at.least(percents[i - 1]!);
    expect(minReady, 'ready pods never below minAvailable').to.be.at.least(5);
    const nodes = await kubectlJson('get', 'nodes', '-l', `aksim.io/namespace=${ns}`);
    expect(nodes.items).to.have.length(4);
    for (const n of nodes.items) expect(n.status.nodeInfo.kubeletVersion).to.equal('v1.34.4');
    for (const [name, ids] of boots)
      if (nodes.items.some((n: { metadata: { name: string } }) => n.metadata.name === name))
        expect(ids.size, `boots of ${name}`).to.be.at.most(2);
    const p = await pool(ns, 'fabrikam-nodepool1');
    expect(p.status).to.include({ currentOrchestratorVersion: '1.34.4', provisioningState: 'Succeeded', count: 4 });
  });
});

describe('e2e: REST (aksim serve)', function () {
  let ns: string;
  let serve: Served;
  let token = '';
  let call: ArmCall;
  before(async () => {
    await sharedOperator();
    ns = await freshNamespace('e2e-rest');
    serve = await startServe();
    ({ token, call } = await signedIn(serve));
  });
  after(async () => {
    await serve?.stop();
    await deleteNamespace(ns);
  });

  it('answers operations/latest and abort with the documented JSON and status codes', async () => {
    await setup(ns, 'northwind', { boot: 'PT10M' });
    const sub = (await kubectlJson('get', 'simcluster', '-n', ns, 'northwind')).status.id.split('/')[2];
    const cid = `/subscriptions/${sub}/resourceGroups/${ns}/providers/Microsoft.ContainerService/managedClusters/northwind`;
    const q = '?api-version=2024-01-02-preview';
    const latest = await call('GET', `${cid}/operations/latest${q}`);
    expect(latest.status).to.equal(200);
    expect(latest.body).to.include({ status: 'Succeeded', percentComplete: 100 });
    expect(latest.body.id).to.equal(`${cid.replace('resourceGroups', 'resourcegroups')}/operations/${latest.body.name}`);
    const noVersion = await call('GET', `${cid}/operations/latest`);
    expect(noVersion.status).to.equal(400);
    expect(noVersion.body.error.code).to.equal('MissingApiVersionParameter');
    const noToken = await httpsJson(serve, 'GET', `${cid}/operations/latest${q}`, undefined, {});
    expect(noToken.status).to.equal(401);
    expect(noToken.body.error.code).to.equal('AuthenticationFailed');
    const idle = await call('POST', `${cid}/agentPools/nodepool1/abort${q}`);
    expect(idle.status).to.equal(409);
    expect(idle.body.error.code).to.equal('OperationNotAllowed');
    const put = await call('PUT', `${cid}/agentPools/nodepool1${q}`, { properties: { count: 6 } });
    expect(put.status).to.equal(200);
    expect(put.headers['azure-asyncoperation']).to.match(
      /\/providers\/Microsoft\.ContainerService\/locations\/eastus\/operations\/[0-9a-f-]{36}\?api-version=2024-01-02-preview&t=/,
    );
    expect(put.headers['retry-after']).to.equal('1');
    const busy = await call('PUT', `${cid}/agentPools/nodepool1${q}`, { properties: { count: 7 } });
    expect(busy.status).to.equal(409);
    const abort = await call('POST', `${cid}/agentPools/nodepool1/abort${q}`);
    expect(abort.status).to.equal(204);
    const opUrl = new URL(put.headers['azure-asyncoperation']!);
    const canceled = await waitFor(
      'Canceled',
      async () => {
        const o = await call('GET', `${opUrl.pathname}${opUrl.search}`);
        return o.body.status === 'Canceled' && o.body;
      },
      10_000,
      200,
    );
    expect(canceled).to.include({ name: opUrl.pathname.split('/').pop() });
    const missing = await call('GET', `${cid.replace('northwind', 'nope')}${q}`);
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('ResourceNotFound');
  });

  it('refuses bad input with ARM errors, never a 500', async () => {
    const sub = (await kubectlJson('get', 'simcluster', '-n', ns, 'northwind')).status.id.split('/')[2];
    const cid = `/subscriptions/${sub}/resourceGroups/${ns}/providers/Microsoft.ContainerService/managedClusters/northwind`;
    const q = '?api-version=2024-01-02-preview';
    const raw = await httpsJson(serve, 'PUT', `${cid}/agentPools/nodepool1${q}`, '{"properties": {', { Authorization: `Bearer ${token}` });
    expect(raw.status).to.equal(400);
    expect(raw.body.error.code).to.equal('InvalidRequestContent');
    const wrongType = await call('PUT', `${cid}/agentPools/nodepool1${q}`, { properties: { count: 'six' } });
    expect(wrongType.status).to.equal(400);
    expect(wrongType.body.error).to.include({ code: 'InvalidParameter', target: 'properties.count' });
    // A node label Kubernetes would refuse on a Node: refused here, the pool left as it was.
    const label = await call('PUT', `${cid}/agentPools/nodepool1${q}`, { properties: { count: 6, nodeLabels: { 'bad key': 'a' } } });
    expect(label.status).to.equal(400);
    expect(label.body.error.code).to.equal('InvalidParameter');
    expect(label.body.error.message).to.include('every nodeLabels key must be a Kubernetes label key');
    const big = await httpsJson(serve, 'PUT', `${cid}${q}`, JSON.stringify({ tags: { x: 'y'.repeat(5 * 1024 * 1024) } }), {
      Authorization: `Bearer ${token}`,
    });
    expect(big.status).to.equal(413);
    const route = await call('GET', `/subscriptions/${sub}/providers/Microsoft.Nope/things${q}`);
    expect(route.status).to.equal(404);
    expect(route.body.error.code).to.equal('InvalidResourceType');
    const version = await call('GET', `${cid}?api-version=2019-01-01`);
    expect(version.status).to.equal(400);
    expect(version.body.error.code).to.equal('InvalidApiVersionParameter');
    const getAbort = await call('GET', `${cid}/abort${q}`);
    expect(getAbort.status).to.equal(405);
    const gone = await call('DELETE', `${cid.replace('northwind', 'nope')}${q}`);
    expect(gone.status).to.equal(204);
    const forged = await httpsJson(serve, 'GET', `${cid}${q}`, undefined, { Authorization: `Bearer ${token.slice(0, -4)}AAAA` });
    expect(forged.status).to.equal(401);
    expect(forged.body.error.code).to.equal('InvalidAuthenticationToken');
    expect((await kubectlJson('get', 'simnodepool', '-n', ns, 'northwind-nodepool1')).spec.count).to.equal(6);
  });
});
