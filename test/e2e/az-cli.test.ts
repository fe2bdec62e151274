// e2e: the real Azure CLI (Debian's azure-cli 2.45, unmodified) against `aksim serve`: cloud
// registration and sign-in through `aksim az-login`, seed 003's commands as the seed writes them
// (mixed-case resource group names included), `az aks get-credentials` then kubectl, `az aks
// stop|start` and `az aks nodepool stop|start`, and `az rest`
// for seed 000's operation URL and seed 002's NGroup rolling update. Every body az received is
// checked against the published REST specs. Skipped, with one line, where az is not installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { kubectl, kubectlJson, KUBECONFIG, ROOT, run, sharedOperator, waitFor } from '../support/env.js';
import { ArmSchemas } from '../support/armschema.js';
import { startServe, type Served } from '../support/serve.js';

const haveAz = spawnSync('az', ['version'], { encoding: 'utf8' }).status === 0;

describe('e2e: the Azure CLI (az 2.45) against aksim serve', function () {
  this.timeout(900_000);
  let serve: Served;
  let home: string;
  let env: Record<string, string>;

  /** Runs a shell line with az signed in to aksim (HOME, AZURE_CONFIG_DIR and the CA set). */
  async function sh(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return run('bash', ['-c', line], { env });
  }
  async function ok(line: string): Promise<string> {
    const r = await sh(line);
    expect(r.code, `${line}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  }

  before(async function () {
    if (!haveAz) {
      console.log("    az-cli e2e skipped: the Azure CLI is not installed (make setup installs Debian's azure-cli when run as root)");
      this.skip();
    }
    await sharedOperator();
    serve = await startServe();
    home = mkdtempSync(join(tmpdir(), 'aksim-az-'));
    env = {
      HOME: home,
      AZURE_CONFIG_DIR: join(home, '.azure'),
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
      AZURE_CORE_ONLY_SHOW_ERRORS: 'true',
      KUBECONFIG,
    };
    const login = await run(process.execPath, [`${ROOT}/bin/aksim.js`, 'az-login', '--endpoint', serve.url, '--tls-dir', serve.dir], {
      env,
    });
    expect(login.code, login.stderr).to.equal(0);
    expect(login.stdout.trim()).to.equal(`export REQUESTS_CA_BUNDLE=${serve.caFile}`);
    env.REQUESTS_CA_BUNDLE = serve.caFile;
  });

  after(async () => {
    if (!haveAz) return;
    await kubectl('delete', 'namespace', 'myresourcegroup', '--ignore-not-found', '--wait=false').catch(() => undefined);
    await serve?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is signed in to the aksim cloud as the service principal', async () => {
    const account = JSON.parse(await ok('az account show -o json'));
    expect(account).to.include({
      environmentName: 'aksim',
      id: '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8',
      tenantId: serve.principal.tenantId,
    });
    expect(account.user).to.deep.equal({ name: serve.principal.clientId, type: 'servicePrincipal' });
  });

  it('seed 003 as written: a cluster, a snapshot of its pool, a pool and a cluster from the snapshot', async () => {
    await ok('az group create --name myResourceGroup --location eastus -o none');
    const created = JSON.parse(
      await ok('az aks create --resource-group myResourceGroup --name myAKSCluster --node-count 2 --generate-ssh-keys -o json'),
    );
    expect(created).to.include({ name: 'myAKSCluster', provisioningState: 'Succeeded', resourceGroup: 'myResourceGroup' });
    expect(created.id).to.equal(
      '/subscriptions/8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8/resourcegroups/myResourceGroup/providers/Microsoft.ContainerService/managedClusters/myAKSCluster',
    );
    const snapshot = await ok(`
set -e
NODEPOOL_ID=$(az aks nodepool show --name nodepool1 --cluster-name myAKSCluster --resource-group myResourceGroup --query id -o tsv)
az aks nodepool snapshot create --name MySnapshot --resource-group MyResourceGroup --nodepool-id $NODEPOOL_ID --location eastus -o none
SNAPSHOT_ID=$(az aks nodepool snapshot show --name MySnapshot --resource-group myResourceGroup --query id -o tsv)
az aks nodepool add --name np2 --cluster-name myAKSCluster --resource-group myResourceGroup --snapshot-id $SNAPSHOT_ID -o none
echo "$SNAPSHOT_ID"`);
    const snapId = snapshot.trim();
    expect(snapId).to.match(/\/resourceGroups\/MyResourceGroup\/providers\/Microsoft\.ContainerService\/snapshots\/MySnapshot$/i);
    const np2 = JSON.parse(
      await ok('az aks nodepool show --name np2 --cluster-name myAKSCluster --resource-group myResourceGroup -o json'),
    );
    const np1 = JSON.parse(
      await ok('az aks nodepool show --name nodepool1 --cluster-name myAKSCluster --resource-group myResourceGroup -o json'),
    );
    expect(np2).to.include({ provisioningState: 'Succeeded', nodeImageVersion: np1.nodeImageVersion });
    expect(np2.creationData.sourceResourceId.toLowerCase()).to.equal(snapId.toLowerCase());

    // The same versions as the pool: the upgrade is refused with the rule, nothing changes.
    const up = await sh(
      `az aks nodepool upgrade --name nodepool1 --cluster-name myAKSCluster --resource-group myResourceGroup --snapshot-id "${snapId}" --yes`,
    );
    expect(up.code).to.not.equal(0);
    expect(up.stderr).to.match(/newer|same/i);

    const c2 = JSON.parse(
      await ok(`az aks create --name myAKSCluster2 --resource-group myResourceGroup --snapshot-id "${snapId}" --generate-ssh-keys -o json`),
    );
    expect(c2).to.include({ name: 'myAKSCluster2', provisioningState: 'Succeeded' });
    expect(c2.agentPoolProfiles[0].creationData.sourceResourceId.toLowerCase()).to.equal(snapId.toLowerCase());
    expect(c2.agentPoolProfiles[0].nodeImageVersion).to.equal(np1.nodeImageVersion);
  });

  it("az aks get-credentials, then kubectl sees the cluster's nodes", async () => {
    const file = join(home, 'kubeconfig');
    await ok(`az aks get-credentials --resource-group myResourceGroup --name myAKSCluster --file ${file}`);
    const nodes = await ok(
      `kubectl --kubeconfig ${file} get nodes -l kubernetes.azure.com/cluster=MC_myResourceGroup_myAKSCluster_eastus -o name`,
    );
    expect(nodes.trim().split('\n')).to.have.length(5); // nodepool1 (2) and np2 (az's default 3)
    expect(await ok(`kubectl --kubeconfig ${file} config current-context`)).to.equal('myAKSCluster\n');
  });

  it('az aks nodepool stop|start and az aks stop|start; a stopped cluster refuses az aks scale', async () => {
    const pool = '--cluster-name myAKSCluster --resource-group myResourceGroup';
    await ok(`az aks nodepool stop --nodepool-name np2 ${pool} -o none`);
    expect(
      JSON.parse(await ok(`az aks nodepool show --name np2 ${pool} --query "{power:powerState.code,state:provisioningState}" -o json`)),
    ).to.deep.equal({ power: 'Stopped', state: 'Succeeded' });
    await ok(`az aks nodepool start --nodepool-name np2 ${pool} -o none`);
    await ok('az aks stop --name myAKSCluster --resource-group myResourceGroup');
    expect(
      JSON.parse(
        await ok('az aks show -g myResourceGroup -n myAKSCluster --query "[powerState.code, agentPoolProfiles[].powerState.code]" -o json'),
      ),
    ).to.deep.equal(['Stopped', ['Stopped', 'Stopped']]);
    const scale = await sh('az aks scale -g myResourceGroup -n myAKSCluster --nodepool-name nodepool1 --node-count 3');
    expect(scale.code).to.not.equal(0);
    expect(scale.stderr).to.include('(OperationNotAllowed) Managed cluster myAKSCluster is in Power State(Stopped)');
    await ok('az aks start --name myAKSCluster --resource-group myResourceGroup');
    expect((await ok('az aks show -g myResourceGroup -n myAKSCluster --query powerState.code -o tsv')).trim()).to.equal('Running');
    await waitFor(
      "the cluster's nodes Ready again",
      async () => {
        const nodes = await kubectlJson('get', 'nodes', '-l', 'kubernetes.azure.com/cluster=MC_myResourceGroup_myAKSCluster_eastus');
        return (
          nodes.items.length === 5 &&
          nodes.items.every((n: any) => n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'))
        );
      },
      60_000,
      500,
    );
  });

  it("az rest: seed 000's operation status and abort", async () => {
    const latest = JSON.parse(
      await ok(`
ResourceID=$(az aks show -g myResourceGroup -n myAKSCluster --query id -o tsv)
az rest --method get --url "$ResourceID/operations/latest?api-version=2024-01-02-preview"`),
    );
    expect(latest).to.include({ status: 'Succeeded', percentComplete: 100 });
    expect(latest.id).to.match(/\/managedClusters\/myAKSCluster\/operations\/[0-9a-f-]{36}$/);
    const abort = await sh(
      `az rest --method post --url "$(az aks show -g myResourceGroup -n myAKSCluster --query id -o tsv)/abort?api-version=2024-01-02-preview"`,
    );
    expect(abort.code).to.not.equal(0);
    expect(abort.stderr).to.include('OperationNotAllowed');
    const get = await sh(
      `az rest --method get --url "$(az aks show -g myResourceGroup -n myAKSCluster --query id -o tsv)/abort?api-version=2024-01-02-preview"`,
    );
    expect(get.stderr).to.include('MethodNotAllowed');
  });

  it("az rest: seed 002's NGroup rolling update PUT on a zonal NGroup with two fault domains, then cancel", async () => {
    const base = '/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerInstance';
    const v = 'api-version=2026-06-01-preview';
    const profile = (image: string): string =>
      JSON.stringify({
        location: 'eastus',
        properties: {
          osType: 'Linux',
          containers: [{ name: 'web', properties: { image, resources: { requests: { cpu: 1, memoryInGB: 1 } } } }],
        },
      });
    await ok(`az rest --method put --url "${base}/containerGroupProfiles/cgp1?${v}" --body '${profile('nginx:1.25')}' -o none`);
    await ok(`az rest --method put --url "${base}/containerGroupProfiles/cgp2?${v}" --body '${profile('nginx:1.27')}' -o none`);
    const ng = {
      location: 'eastus',
      zones: ['1', '2', '3'],
      properties: {
        elasticProfile: { desiredCount: 12 },
        placementProfile: { faultDomainCount: 2 },
        updateProfile: { updateMode: 'Rolling', rollingUpdateProfile: { maxBatchPercent: 50, pauseTimeBetweenBatches: 'PT10M' } },
        containerGroupProfiles: [
          { resource: { id: `${base.replace('{subscriptionId}', '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8')}/containerGroupProfiles/cgp1` } },
        ],
      },
    };
    await ok(`az rest --method put --url "${base}/ngroups/myNGroup?${v}" --body '${JSON.stringify(ng)}' -o none`);
    await waitFor(
      '12 CGs',
      async () => (await kubectlJson('get', 'ngroup', '-n', 'myresourcegroup', 'myngroup')).status?.provisioningState === 'Succeeded',
      120_000,
      500,
    );
    // Seed 002's body: only location, updateProfile and containerGroupProfiles.
    const ru = {
      location: 'eastus',
      properties: {
        updateProfile: { updateMode: 'Rolling', rollingUpdateProfile: { maxBatchPercent: 50, pauseTimeBetweenBatches: 'PT10M' } },
        containerGroupProfiles: [{ resource: { id: ng.properties.containerGroupProfiles[0]!.resource.id.replace('cgp1', 'cgp2') } }],
      },
    };
    const put = JSON.parse(await ok(`az rest --method put --url "${base}/ngroups/myNGroup?${v}" --body '${JSON.stringify(ru)}'`));
    expect(put.zones).to.deep.equal(['1', '2', '3']);
    expect(put.properties.placementProfile).to.deep.equal({ faultDomainCount: 2 });
    expect(put.properties.elasticProfile.desiredCount).to.equal(12);
    const latest = await waitFor(
      'rolling update in progress',
      async () => {
        const r = await sh(`az rest --method get --url "${base}/ngroups/myNGroup/latestRollingUpdate?${v}"`);
        return r.code === 0 && JSON.parse(r.stdout).state === 'InProgress' && JSON.parse(r.stdout);
      },
      60_000,
      500,
    );
    expect(latest.lastAction).to.equal('Start');
    await ok(`az rest --method post --url "${base}/ngroups/myNGroup/cancelRollingUpdate?${v}"`);
    const canceled = await waitFor(
      'rolling update canceled',
      async () => {
        const r = JSON.parse(await ok(`az rest --method get --url "${base}/ngroups/myNGroup/latestRollingUpdate?${v}"`));
        return r.state === 'Canceled' && r;
      },
      60_000,
      500,
    );
    expect(canceled.lastAction).to.equal('Cancel');
  });

  it('deletes the clusters and the resource group and waits for them', async () => {
    await ok('az aks delete --resource-group myResourceGroup --name myAKSCluster2 --yes');
    await ok('az group delete --name myResourceGroup --yes');
    expect((await ok('az group exists --name myResourceGroup')).trim()).to.equal('false');
  });

  it('every body az received validates against the published REST specs', () => {
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
