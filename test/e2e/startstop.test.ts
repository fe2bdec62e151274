// e2e: start and stop of managed clusters and agent pools. The az-shaped CLI (aksim aks stop|start,
// aksim aks nodepool stop|start) and the Azure SDK for JavaScript over HTTPS against `aksim serve`
// (POST managedClusters/{name}/stop|start with its pollers, an agent pool PUT with powerState):
// the Nodes of what is stopped stop reporting and go NotReady, come back Ready on start (same
// VMs, same Nodes), and what is stopped refuses scale with AKS's error. Bodies are checked
// against the published REST specs.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ClientSecretCredential } from '@azure/identity';
import { kubectl, kubectlJson, run, sharedOperator, waitFor } from '../support/env.js';
import { ArmSchemas } from '../support/armschema.js';
import { httpsJson, startServe, type Served } from '../support/serve.js';

const SUB = '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8';
const aksim = (...args: string[]) => run(process.execPath, ['bin/aksim.js', ...args]);

async function ok(...args: string[]): Promise<string> {
  const r = await aksim(...args);
  expect(r.code, `aksim ${args.join(' ')}\n${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** The Ready status of each Node of a cluster (or of one pool), by Node name. */
async function readiness(ns: string, cluster: string, pool?: string): Promise<Map<string, string>> {
  const sel = `aksim.io/namespace=${ns},aksim.io/cluster=${cluster}${pool ? `,aksim.io/pool=${pool}` : ''}`;
  const nodes = await kubectlJson('get', 'nodes', '-l', sel);
  return new Map(
    nodes.items.map((n: any) => [n.metadata.name, n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status ?? 'Unknown']),
  );
}

/** Waits until every Node of the cluster (or pool) is Ready (true) or not Ready (false); returns their names. */
async function nodesBecome(ns: string, cluster: string, ready: boolean, pool?: string): Promise<string[]> {
  const m = await waitFor(
    `${pool ?? cluster} nodes ${ready ? 'Ready' : 'NotReady'}`,
    async () => {
      const r = await readiness(ns, cluster, pool);
      return r.size > 0 && [...r.values()].every((s) => (s === 'True') === ready) && r;
    },
    90_000,
    500,
  );
  return [...m.keys()].sort();
}

interface RestErrorLike {
  name: string;
  code?: string;
  statusCode?: number;
  message: string;
}

async function refusal(p: Promise<unknown>): Promise<RestErrorLike> {
  try {
    await p;
  } catch (err: unknown) {
    return err as RestErrorLike;
  }
  throw new Error('expected the SDK call to fail');
}

describe('e2e: start and stop of clusters and agent pools', function () {
  this.timeout(600_000);
  const suffix = randomBytes(3).toString('hex');
  const cliRg = `StartStopCli-${suffix}`;
  const sdkRg = `StartStopSdk-${suffix}`;
  const cluster = 'startstop';
  let serve: Served;
  let aks: ContainerServiceClient;
  let credential: ClientSecretCredential;

  before(async () => {
    await sharedOperator();
    serve = await startServe();
    credential = new ClientSecretCredential(serve.principal.tenantId, serve.principal.clientId, serve.principal.clientSecret, {
      authorityHost: serve.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: serve.ca },
    });
    aks = new ContainerServiceClient(credential, SUB, { endpoint: serve.url, tlsOptions: { ca: serve.ca } });
  });

  after(async () => {
    for (const rg of [cliRg, sdkRg])
      await kubectl('delete', 'namespace', rg.toLowerCase(), '--ignore-not-found', '--wait=false').catch(() => undefined);
    await serve?.stop();
  });

  describe('the CLI', () => {
    const ns = cliRg.toLowerCase();

    it("aksim aks nodepool stop|start: a User pool's Nodes go NotReady and come back; a System pool stops only with its cluster", async () => {
      await ok('group', 'create', '--name', cliRg, '--location', 'eastus', '-o', 'none');
      await ok('aks', 'create', '-g', cliRg, '-n', cluster, '--node-count', '2', '-o', 'none');
      await ok('aks', 'nodepool', 'add', '-g', cliRg, '--cluster-name', cluster, '--name', 'userpool', '--node-count', '2', '-o', 'none');
      const before = await nodesBecome(ns, cluster, true, 'userpool');

      const stopped = JSON.parse(
        await ok('aks', 'nodepool', 'stop', '-g', cliRg, '--cluster-name', cluster, '--nodepool-name', 'userpool', '-o', 'json'),
      );
      expect(stopped).to.deep.include({ name: 'userpool', provisioningState: 'Succeeded', powerState: { code: 'Stopped' }, count: 2 });
      expect(await nodesBecome(ns, cluster, false, 'userpool')).to.deep.equal(before);
      expect([...(await readiness(ns, cluster, 'nodepool1')).values()]).to.deep.equal(['True', 'True']);
      const machines = await kubectlJson('get', 'simmachines', '-n', ns, '-l', 'aksim.io/pool=userpool');
      expect(machines.items.map((m: any) => m.status?.powerState)).to.deep.equal(['Stopped', 'Stopped']);

      // A stopped pool refuses to scale; a System pool cannot be stopped on its own.
      const scale = await aksim('aks', 'nodepool', 'scale', '-g', cliRg, '--cluster-name', cluster, '-n', 'userpool', '--node-count', '3');
      expect(scale.code).to.not.equal(0);
      expect(scale.stderr).to.match(
        /\(OperationNotAllowed\) Agent pool userpool is in Power State\(Stopped\): scaling cannot be performed/,
      );
      const system = await aksim('aks', 'nodepool', 'stop', '-g', cliRg, '--cluster-name', cluster, '--nodepool-name', 'nodepool1');
      expect(system.code).to.not.equal(0);
      expect(system.stderr).to.match(/\(OperationNotAllowed\) Agent pool nodepool1 is a System mode agent pool/);
      const noName = await aksim('aks', 'nodepool', 'stop', '-g', cliRg, '--cluster-name', cluster);
      expect(noName.code).to.not.equal(0);
      expect(noName.stderr).to.match(/--nodepool-name/);

      const started = JSON.parse(
        await ok('aks', 'nodepool', 'start', '-g', cliRg, '--cluster-name', cluster, '--nodepool-name', 'userpool', '-o', 'json'),
      );
      expect(started).to.deep.include({ provisioningState: 'Succeeded', powerState: { code: 'Running' }, count: 2 });
      expect(await nodesBecome(ns, cluster, true, 'userpool')).to.deep.equal(before);
    });

    it('aksim aks stop|start: every Node stops reporting, a stopped cluster refuses scale with a clear error, start brings the same Nodes back', async () => {
      const before = await nodesBecome(ns, cluster, true);
      expect(before).to.have.length(4);
      const out = await ok('aks', 'stop', '-g', cliRg, '-n', cluster);
      expect(out).to.equal(''); // as az: a stop prints nothing
      const shown = JSON.parse(await ok('aks', 'show', '-g', cliRg, '-n', cluster, '-o', 'json'));
      expect(shown.powerState).to.deep.equal({ code: 'Stopped' });
      expect(shown.provisioningState).to.equal('Succeeded');
      expect(shown.agentPoolProfiles.map((p: any) => p.powerState.code)).to.deep.equal(['Stopped', 'Stopped']);
      expect(await nodesBecome(ns, cluster, false)).to.deep.equal(before);

      for (const args of [
        ['aks', 'scale', '-g', cliRg, '-n', cluster, '--nodepool-name', 'nodepool1', '--node-count', '3'],
        ['aks', 'nodepool', 'scale', '-g', cliRg, '--cluster-name', cluster, '-n', 'userpool', '--node-count', '3'],
        ['aks', 'nodepool', 'add', '-g', cliRg, '--cluster-name', cluster, '--name', 'late', '--node-count', '1'],
      ]) {
        const r = await aksim(...args);
        expect(r.code, args.join(' ')).to.not.equal(0);
        expect(r.stderr).to.match(
          /\(OperationNotAllowed\) Managed cluster startstop is in Power State\(Stopped\): .* cannot be performed on a stopped cluster\. Start the cluster first \(az aks start\)\./,
        );
      }
      const again = await aksim('aks', 'stop', '-g', cliRg, '-n', cluster);
      expect(again.stderr).to.include(
        '(OperationNotAllowed) Managed cluster startstop is in Provisioning State(Succeeded) and Power State(Stopped), stopping cannot be performed.',
      );
      expect(await kubectlJson('get', 'simnodepools', '-n', ns).then((l) => l.items.map((p: any) => p.spec.count))).to.deep.equal([2, 2]);

      await ok('aks', 'start', '-g', cliRg, '-n', cluster);
      expect(await nodesBecome(ns, cluster, true)).to.deep.equal(before);
      const running = JSON.parse(await ok('aks', 'show', '-g', cliRg, '-n', cluster, '-o', 'json'));
      expect(running.powerState).to.deep.equal({ code: 'Running' });
      expect(running.agentPoolProfiles.map((p: any) => p.powerState.code)).to.deep.equal(['Running', 'Running']);
      const ops = JSON.parse(
        await ok(
          'rest',
          '--method',
          'get',
          '--url',
          `/subscriptions/${SUB}/resourceGroups/${cliRg}/providers/Microsoft.ContainerService/managedClusters/${cluster}/operations?api-version=2024-01-02-preview`,
        ),
      );
      const kinds = await kubectlJson('get', 'simoperations', '-n', ns, '-l', `aksim.io/target=${cluster}`);
      const powerOps = kinds.items
        .filter((o: any) => o.spec.type === 'Stop' || o.spec.type === 'Start')
        .sort((a: any, b: any) => a.status.startTime.localeCompare(b.status.startTime))
        .map((o: any) => o.spec.type);
      expect(powerOps).to.deep.equal(['Stop', 'Start']);
      expect(ops.value.every((o: any) => o.status === 'Succeeded')).to.equal(true);
      // Scaling works again once started.
      await ok('aks', 'nodepool', 'scale', '-g', cliRg, '--cluster-name', cluster, '-n', 'userpool', '--node-count', '3', '-o', 'none');
      expect(await readiness(ns, cluster, 'userpool').then((r) => r.size)).to.equal(3);
    });
  });

  describe('the REST service over HTTPS (Azure SDK for JavaScript)', () => {
    const ns = sdkRg.toLowerCase();
    const base = `/subscriptions/${SUB}/resourceGroups/${sdkRg}/providers/Microsoft.ContainerService/managedClusters/${cluster}`;
    const bearer = async (): Promise<Record<string, string>> => ({
      Authorization: `Bearer ${(await credential.getToken('https://management.azure.com/.default')).token}`,
    });

    it('creates a cluster with a System and a User pool', async () => {
      await ok('group', 'create', '--name', sdkRg, '--location', 'eastus', '-o', 'none');
      const created = await aks.managedClusters.beginCreateOrUpdateAndWait(sdkRg, cluster, {
        location: 'eastus',
        agentPoolProfiles: [{ name: 'nodepool1', count: 1, vmSize: 'Standard_D2s_v3', mode: 'System', osType: 'Linux' }],
      });
      expect(created.powerState).to.deep.equal({ code: 'Running' });
      const pool = await aks.agentPools.beginCreateOrUpdateAndWait(sdkRg, cluster, 'userpool', {
        count: 2,
        vmSize: 'Standard_D2s_v3',
        mode: 'User',
      });
      expect(pool.powerState).to.deep.equal({ code: 'Running' });
      await nodesBecome(ns, cluster, true);
    });

    it('an agent pool PUT with powerState Stopped stops a User pool and Running starts it (as az aks nodepool stop|start send it); a System pool is refused', async () => {
      const pool = await aks.agentPools.get(sdkRg, cluster, 'userpool');
      const stopped = await aks.agentPools.beginCreateOrUpdateAndWait(sdkRg, cluster, 'userpool', {
        ...pool,
        powerState: { code: 'Stopped' },
      });
      expect(stopped).to.deep.include({ provisioningState: 'Succeeded', powerState: { code: 'Stopped' }, count: 2 });
      await nodesBecome(ns, cluster, false, 'userpool');
      const scale = await refusal(aks.agentPools.beginCreateOrUpdateAndWait(sdkRg, cluster, 'userpool', { ...stopped, count: 3 }));
      expect(scale).to.include({ name: 'RestError', code: 'OperationNotAllowed', statusCode: 409 });
      const mixed = await refusal(
        aks.agentPools.beginCreateOrUpdateAndWait(sdkRg, cluster, 'userpool', { ...stopped, count: 3, powerState: { code: 'Running' } }),
      );
      expect(mixed).to.include({ code: 'InvalidParameter', statusCode: 400 });
      const system = await aks.agentPools.get(sdkRg, cluster, 'nodepool1');
      const refused = await refusal(
        aks.agentPools.beginCreateOrUpdateAndWait(sdkRg, cluster, 'nodepool1', { ...system, powerState: { code: 'Stopped' } }),
      );
      expect(refused).to.include({ code: 'OperationNotAllowed', statusCode: 400 });
      expect(refused.message).to.include('System mode agent pools cannot be stopped on their own');
      const started = await aks.agentPools.beginCreateOrUpdateAndWait(sdkRg, cluster, 'userpool', {
        ...stopped,
        powerState: { code: 'Running' },
      });
      expect(started.powerState).to.deep.equal({ code: 'Running' });
      await nodesBecome(ns, cluster, true, 'userpool');
    });

    it('POST stop and start answer 202 with Azure-AsyncOperation and Location; a GET on them is 405', async () => {
      const get = await httpsJson(serve, 'GET', `${base}/stop?api-version=2026-06-01`, undefined, await bearer());
      expect(get.status).to.equal(405);
      expect(get.body.error.code).to.equal('MethodNotAllowed');
      const res = await httpsJson(serve, 'POST', `${base}/stop?api-version=2026-06-01`, '', await bearer());
      expect(res.status).to.equal(202);
      expect(res.body).to.equal(undefined);
      expect(res.headers['azure-asyncoperation']).to.match(/\/providers\/Microsoft\.ContainerService\/locations\/eastus\/operations\//);
      expect(res.headers.location).to.match(/\/operationresults\//);
      const done = await waitFor(
        "the stop's async status",
        async () => {
          const st = await httpsJson(
            serve,
            'GET',
            new URL(res.headers['azure-asyncoperation']!).pathname + new URL(res.headers['azure-asyncoperation']!).search,
            undefined,
            await bearer(),
          );
          return st.body.status !== 'InProgress' && st.body;
        },
        60_000,
        300,
      );
      expect(done.status).to.equal('Succeeded');
      const loc = new URL(res.headers.location!);
      expect((await httpsJson(serve, 'GET', loc.pathname + loc.search, undefined, await bearer())).status).to.equal(204);
      expect((await aks.managedClusters.get(sdkRg, cluster)).powerState).to.deep.equal({ code: 'Stopped' });
    });

    it('beginStartAndWait and beginStopAndWait: the pollers wait for Start and Stop; a stopped cluster refuses scale and a second stop', async () => {
      await aks.managedClusters.beginStartAndWait(sdkRg, cluster);
      const running = await aks.managedClusters.get(sdkRg, cluster);
      expect(running.powerState).to.deep.equal({ code: 'Running' });
      expect(running.agentPoolProfiles?.map((p) => p.powerState?.code)).to.deep.equal(['Running', 'Running']);
      await nodesBecome(ns, cluster, true);

      await aks.managedClusters.beginStopAndWait(sdkRg, cluster);
      const stopped = await aks.managedClusters.get(sdkRg, cluster);
      expect(stopped).to.deep.include({ provisioningState: 'Succeeded', powerState: { code: 'Stopped' } });
      await nodesBecome(ns, cluster, false);
      const scale = await refusal(
        aks.managedClusters.beginCreateOrUpdateAndWait(sdkRg, cluster, {
          ...stopped,
          agentPoolProfiles: stopped.agentPoolProfiles!.map((p) => ({ ...p, count: (p.count ?? 1) + 1 })),
        }),
      );
      expect(scale).to.include({ code: 'OperationNotAllowed', statusCode: 409 });
      expect(scale.message).to.include('cannot be performed on a stopped cluster');
      const second = await refusal(aks.managedClusters.beginStopAndWait(sdkRg, cluster));
      expect(second).to.include({ code: 'OperationNotAllowed', statusCode: 409 });
      // Tags still change on a stopped cluster (the same body, nothing that moves nodes).
      const tagged = await aks.managedClusters.beginCreateOrUpdateAndWait(sdkRg, cluster, { ...stopped, tags: { state: 'parked' } });
      expect(tagged.tags).to.deep.equal({ state: 'parked' });
      await aks.managedClusters.beginStartAndWait(sdkRg, cluster);
      await nodesBecome(ns, cluster, true);
    });

    it('every body the SDK received validates against the published REST specs', () => {
      const schemas = new ArmSchemas();
      const problems: string[] = [];
      let covered = 0;
      for (const r of serve.records()) {
        if (r.body === undefined) continue;
        const isStatus = /\/locations\/[^/]+\/operations\/[^/]+$/i.test(r.path);
        const c = isStatus ? schemas.checkAsyncStatus(r.body) : schemas.check(r.method, r.path, r.status, r.body);
        if (c.covered) covered++;
        if (c.errors.length) problems.push(`${r.method} ${r.path} ${r.status} (${c.against}): ${c.errors.join('; ')}`);
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
      expect(covered).to.be.greaterThan(10);
    });
  });
});
