// e2e: the first slice on a real API server — clusters make Nodes, pools scale, deletion cleans
// up, bad specs are refused, and a restarted operator reaches the target without duplicates.
import { expect } from 'chai';
import {
  apply,
  deleteNamespace,
  freshNamespace,
  kubectl,
  kubectlJson,
  run,
  sharedOperator,
  stopSharedOperator,
  startOperator,
  waitFor,
} from '../support/env.js';

const cluster = (ns: string, name: string, extra = ''): string => `
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: ${name}, namespace: ${ns}}
spec:
  location: westeurope
  kubernetesVersion: "1.34"
  simulation: {nodeBootTime: PT1M, nodeDeleteTime: PT10S}
  agentPoolProfiles:
    - {name: nodepool1, mode: System, count: 3, vmSize: Standard_D2s_v3, availabilityZones: ["1", "2", "3"]}
    - {name: spotpool, mode: User, count: 2, vmSize: Standard_D4s_v3, scaleSetPriority: Spot, nodeLabels: {workload: batch}, nodeTaints: ["dedicated=batch:NoSchedule"]}
${extra}`;

type Node = {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; value?: string; effect: string }[]; providerID: string };
  status: { conditions: { type: string; status: string }[]; capacity: Record<string, string>; nodeInfo: { kubeletVersion: string } };
};

async function nodesOf(ns: string, name: string): Promise<Node[]> {
  const list = await kubectlJson<{ items: Node[] }>('get', 'nodes', '-l', `aksim.io/cluster=${name},aksim.io/namespace=${ns}`);
  return list.items;
}
const isReady = (n: Node): boolean => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function poolState(ns: string, pool: string): Promise<{ count: number; ready: number; state: string; machines: string[] }> {
  const p = await kubectlJson('get', 'simnodepool', '-n', ns, pool);
  const ms = await kubectlJson<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(
    'get',
    'simmachines',
    '-n',
    ns,
    '-l',
    `aksim.io/pool=${p.spec.name}`,
  );
  return {
    count: p.status?.count ?? 0,
    ready: p.status?.readyNodes ?? 0,
    state: p.status?.provisioningState ?? '',
    machines: ms.items.map((m) => m.metadata.name).sort(),
  };
}

describe('e2e: clusters, pools and nodes', function () {
  let ns: string;
  before(async () => {
    await sharedOperator();
    ns = await freshNamespace('e2e-found');
  });
  after(async () => deleteNamespace(ns));

  it('creates a cluster whose pools become Ready Nodes with AKS names, labels and taints', async () => {
    const r = await apply(cluster(ns, 'contoso'));
    expect(r.code, r.stderr).to.equal(0);
    await waitFor(
      'cluster Succeeded',
      async () => (await kubectlJson('get', 'simcluster', '-n', ns, 'contoso')).status?.provisioningState === 'Succeeded',
    );
    const nodes = await nodesOf(ns, 'contoso');
    expect(nodes).to.have.length(5);
    expect(nodes.every(isReady)).to.equal(true);
    const sys = nodes.filter((n) => n.metadata.labels['kubernetes.azure.com/agentpool'] === 'nodepool1');
    const spot = nodes.filter((n) => n.metadata.labels['kubernetes.azure.com/agentpool'] === 'spotpool');
    expect(sys).to.have.length(3);
    expect(spot).to.have.length(2);
    for (const n of nodes) expect(n.metadata.name).to.match(/^aks-(nodepool1|spotpool)-\d{8}-vmss[0-9a-z]{6}$/);
    expect(sys.map((n) => n.metadata.labels['topology.kubernetes.io/zone']).sort()).to.deep.equal([
      'westeurope-1',
      'westeurope-2',
      'westeurope-3',
    ]);
    for (const n of sys) {
      expect(n.metadata.labels).to.include({
        'kubernetes.azure.com/mode': 'system',
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'Standard_D2s_v3',
        'kubernetes.azure.com/role': 'agent',
      });
      expect(n.spec.taints ?? []).to.deep.equal([]);
      expect(n.status.capacity.cpu).to.equal('2');
      expect(n.status.nodeInfo.kubeletVersion).to.equal('v1.34.4');
    }
    for (const n of spot) {
      expect(n.metadata.labels).to.include({
        'kubernetes.azure.com/scalesetpriority': 'spot',
        workload: 'batch',
        'kubernetes.azure.com/mode': 'user',
      });
      expect(n.spec.taints).to.deep.include({ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' });
      expect(n.spec.taints).to.deep.include({ key: 'dedicated', value: 'batch', effect: 'NoSchedule' });
      expect(n.status.capacity.cpu).to.equal('4');
      expect(n.spec.providerID).to.match(
        /^azure:\/\/\/subscriptions\/.+\/virtualMachineScaleSets\/aks-spotpool-\d{8}-vmss\/virtualMachines\/\d+$/,
      );
    }
    const c = await kubectlJson('get', 'simcluster', '-n', ns, 'contoso');
    expect(c.status.id).to.equal(
      `/subscriptions/${c.status.id.split('/')[2]}/resourcegroups/${ns}/providers/Microsoft.ContainerService/managedClusters/contoso`,
    );
    expect(c.status).to.include({ readyNodes: 5, totalNodes: 5, currentKubernetesVersion: '1.34.4' });
    expect(c.status.conditions.find((x: { type: string }) => x.type === 'Ready').status).to.equal('True');
    // kubectl wait works on the Ready condition
    await kubectl('wait', '--for=condition=Ready', `simcluster/contoso`, '-n', ns, '--timeout=10s');
    // SimMachines too: their Ready says what NodeReady says.
    await kubectl('wait', '--for=condition=Ready', 'simmachines', '--all', '-n', ns, '--timeout=10s');
  });

  it('scales a pool 3 -> 5 -> 2, draining the nodes it removes', async () => {
    const pool = 'contoso-nodepool1';
    await kubectl('scale', 'simnodepool', '-n', ns, pool, '--replicas=5');
    await waitFor('5 ready', async () => {
      const s = await poolState(ns, pool);
      return s.ready === 5 && s.state === 'Succeeded' && s.machines.length === 5;
    });
    expect((await nodesOf(ns, 'contoso')).filter((n) => n.metadata.labels['aksim.io/pool'] === 'nodepool1' && isReady(n))).to.have.length(
      5,
    );
    await kubectl('scale', 'simnodepool', '-n', ns, pool, '--replicas=2');
    const cordoned = await waitFor('a removed node cordoned or gone', async () => {
      const nodes = (await nodesOf(ns, 'contoso')).filter((n) => n.metadata.labels['aksim.io/pool'] === 'nodepool1');
      return nodes.length < 5 || nodes.some((n) => (n as unknown as { spec: { unschedulable?: boolean } }).spec.unschedulable);
    });
    expect(cordoned).to.equal(true);
    await waitFor('2 left', async () => {
      const s = await poolState(ns, pool);
      return s.machines.length === 2 && s.ready === 2 && s.state === 'Succeeded';
    });
    const left = (await nodesOf(ns, 'contoso')).filter((n) => n.metadata.labels['aksim.io/pool'] === 'nodepool1');
    expect(left).to.have.length(2);
    // the lowest instance ids stay; zones stay spread
    expect(new Set(left.map((n) => n.metadata.labels['topology.kubernetes.io/zone'])).size).to.equal(2);
    const events = await kubectlJson<{ items: { reason: string; regarding: { name: string } }[] }>(
      'get',
      'events.events.k8s.io',
      '-n',
      'default',
    );
    expect(events.items.filter((e) => e.reason === 'NodeDrainEnd' && e.regarding.name.startsWith('aks-nodepool1')).length).to.be.at.least(
      3,
    );
  });

  it('refuses invalid specs at the API server with messages a person understands', async () => {
    const bad = async (spec: string): Promise<string> => {
      const r = await apply(
        `apiVersion: aksim.io/v1alpha1\nkind: SimNodePool\nmetadata: {name: contoso-extra, namespace: ${ns}}\nspec: {clusterName: contoso, name: extra, ${spec}}\n`,
      );
      expect(r.code).to.not.equal(0);
      return r.stderr;
    };
    expect(await bad('count: -1')).to.match(/spec.count.*greater than or equal to 0/);
    expect(await bad('count: 1, vmSize: D2s-v3')).to.include('vmSize must be an Azure VM size name such as Standard_D2s_v3');
    expect(await bad('count: 1, mode: System, osType: Windows')).to.include('System mode pools must be Linux');
    // A label Kubernetes would refuse on the Node is refused on the pool (was accepted, then never applied).
    expect(await bad("count: 1, nodeLabels: {'bad key': a}")).to.include('every nodeLabels key must be a Kubernetes label key');
    expect(await bad("count: 1, nodeLabels: {team: 'not ok'}")).to.match(/spec.nodeLabels.team.*should match/);
    const r = await run('kubectl', [
      'patch',
      'simnodepool',
      '-n',
      ns,
      'contoso-spotpool',
      '--type=merge',
      '-p',
      '{"spec":{"osType":"Windows"}}',
    ]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('osType is immutable');
    const r2 = await run('kubectl', [
      'patch',
      'simnodepool',
      '-n',
      ns,
      'contoso-spotpool',
      '--type=merge',
      '-p',
      '{"spec":{"scaleSetPriority":"Regular"}}',
    ]);
    expect(r2.stderr).to.include('scaleSetPriority is immutable');
    const r3 = await apply(
      `apiVersion: aksim.io/v1alpha1\nkind: SimNodePool\nmetadata: {name: wrongname, namespace: ${ns}}\nspec: {clusterName: contoso, name: extra, count: 1}\n`,
    );
    expect(r3.stderr).to.include('metadata.name must be <spec.clusterName>-<spec.name>');
    // the refused changes left the pool as it was
    const spot = await kubectlJson('get', 'simnodepool', '-n', ns, 'contoso-spotpool');
    expect(spot.spec).to.include({ osType: 'Linux', scaleSetPriority: 'Spot', count: 2 });
  });

  it('refuses a pool version newer than the control plane with a condition and a Warning, changing nothing', async () => {
    await kubectl('patch', 'simnodepool', '-n', ns, 'contoso-spotpool', '--type=merge', '-p', '{"spec":{"orchestratorVersion":"1.35.1"}}');
    const cond = await waitFor('InvalidOrchestratorVersion', async () => {
      const p = await kubectlJson('get', 'simnodepool', '-n', ns, 'contoso-spotpool');
      return p.status?.conditions?.find(
        (c: { type: string; reason: string }) => c.type === 'Ready' && c.reason === 'InvalidOrchestratorVersion',
      );
    });
    expect(cond.message).to.include('newer than the control plane version 1.34.4');
    // kstatus: stuck until the spec changes.
    await kubectl('wait', '--for=condition=Stalled', 'simnodepool/contoso-spotpool', '-n', ns, '--timeout=10s');
    const ev = await kubectl('get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=contoso-spotpool,type=Warning');
    expect(ev).to.include('InvalidOrchestratorVersion');
    const nodes = (await nodesOf(ns, 'contoso')).filter((n) => n.metadata.labels['aksim.io/pool'] === 'spotpool');
    expect(nodes.map((n) => n.status.nodeInfo.kubeletVersion)).to.deep.equal(['v1.34.4', 'v1.34.4']);
    await kubectl('patch', 'simnodepool', '-n', ns, 'contoso-spotpool', '--type=merge', '-p', '{"spec":{"orchestratorVersion":null}}');
    await waitFor('Ready again', async () => {
      const p = await kubectlJson('get', 'simnodepool', '-n', ns, 'contoso-spotpool');
      return p.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
    });
    await kubectl('wait', '--for=condition=Stalled=False', 'simnodepool/contoso-spotpool', '-n', ns, '--timeout=10s');
  });

  it('deletes a cluster with everything it made: pools, machines, Nodes', async () => {
    await kubectl('delete', 'simcluster', '-n', ns, 'contoso', '--wait=true', '--timeout=60s');
    expect((await kubectlJson('get', 'simnodepools', '-n', ns)).items).to.have.length(0);
    expect((await kubectlJson('get', 'simmachines', '-n', ns)).items).to.have.length(0);
    expect(await nodesOf(ns, 'contoso')).to.have.length(0);
  });
});

describe('e2e: operator restarts', function () {
  let ns: string;
  before(async () => {
    await stopSharedOperator();
    ns = await freshNamespace('e2e-restart');
  });
  after(async () => {
    await sharedOperator(); // finalizers need a running operator
    await deleteNamespace(ns);
  });

  it('killed during a scale-out, a new operator reaches the target with no duplicate machines', async () => {
    const op1 = await startOperator({ timeScale: 6 });
    expect((await apply(cluster(ns, 'fabrikam'))).code).to.equal(0);
    await waitFor(
      'cluster Succeeded',
      async () => (await kubectlJson('get', 'simcluster', '-n', ns, 'fabrikam')).status?.provisioningState === 'Succeeded',
    );
    await kubectl('scale', 'simnodepool', '-n', ns, 'fabrikam-nodepool1', '--replicas=20');
    await waitFor('scale-out under way', async () => (await poolState(ns, 'fabrikam-nodepool1')).machines.length > 3, 30_000, 50);
    await op1.stop('SIGKILL');
    const mid = await poolState(ns, 'fabrikam-nodepool1');
    expect(mid.ready).to.be.lessThan(20);
    const op2 = await startOperator({ timeScale: 6 });
    try {
      await waitFor(
        '20 ready',
        async () => {
          const s = await poolState(ns, 'fabrikam-nodepool1');
          return s.ready === 20 && s.state === 'Succeeded';
        },
        90_000,
      );
      const s = await poolState(ns, 'fabrikam-nodepool1');
      expect(s.machines).to.have.length(20);
      const indices = s.machines.map((m) => parseInt(m.slice(m.lastIndexOf('vmss') + 4), 36)).sort((a, b) => a - b);
      expect(indices).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      expect((await nodesOf(ns, 'fabrikam')).filter((n) => n.metadata.labels['aksim.io/pool'] === 'nodepool1')).to.have.length(20);
    } finally {
      await op2.stop();
    }
  });

  it('a second operator waits on the leader Lease and takes over when the leader dies', async () => {
    const leader = await startOperator();
    const standby = await startOperator({ waitUntil: 'started', alongside: true });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(standby.logs.some((l) => l.includes('Waiting to become leader'))).to.equal(true);
      expect(standby.logs.some((l) => l.includes('Caches synced'))).to.equal(false);
      const ready = await fetch(`${standby.metricsUrl}/readyz`);
      expect(ready.status).to.equal(503);
      const lv = await fetch(`${leader.metricsUrl}/readyz`);
      expect(lv.status).to.equal(200);
      const metrics = await (await fetch(`${leader.metricsUrl}/metrics`)).text();
      expect(metrics).to.match(/aksim_leader 1/);
      await leader.stop('SIGKILL');
      await waitFor('standby leads', async () => standby.logs.some((l) => l.includes('Caches synced')), 20_000);
      // the new leader still acts: scale the pool down
      await kubectl('scale', 'simnodepool', '-n', ns, 'fabrikam-nodepool1', '--replicas=4');
      await waitFor('4 machines', async () => (await poolState(ns, 'fabrikam-nodepool1')).machines.length === 4, 60_000);
    } finally {
      await standby.stop();
      await leader.stop();
    }
  });
});
