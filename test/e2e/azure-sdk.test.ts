// e2e: the Azure SDK for JavaScript (@azure/arm-containerservice, @azure/arm-resources,
// @azure/identity), unmodified, against `aksim serve` over HTTPS: sign-in with a service principal,
// long-running operations through the SDK's own pollers, seed 000 (operations, abort) and seed
// 003 (node pool snapshots), delete polled to completion. Every body the SDK received is checked
// against the published REST specs.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { ResourceManagementClient } from '@azure/arm-resources';
import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ClientSecretCredential } from '@azure/identity';
import { kubectl, kubectlJson, sharedOperator, waitFor } from '../support/env.js';
import { ArmSchemas } from '../support/armschema.js';
import { startServe, type Served } from '../support/serve.js';

const SUB = '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8';

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

describe('e2e: Azure SDK for JavaScript against aksim serve (HTTPS, sign-in, pollers)', function () {
  this.timeout(600_000);
  let serve: Served;
  let aks: ContainerServiceClient;
  let resources: ResourceManagementClient;
  let credential: ClientSecretCredential;
  const rg = `SdkRg-${randomBytes(3).toString('hex')}`;
  const ns = rg.toLowerCase();
  const cluster = 'myAKSCluster';

  /** A GET through the SDK client's own pipeline (bearer token policy included), for preview routes the GA SDK has no method for. */
  async function sdkGet(path: string): Promise<{ status: number; body: any }> {
    const req = createPipelineRequest({ url: `${serve.url}${path}`, method: 'GET', tlsSettings: { ca: serve.ca } });
    const res = await aks.pipeline.sendRequest(createDefaultHttpClient(), req);
    return { status: res.status, body: res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined };
  }

  before(async () => {
    await sharedOperator();
    serve = await startServe();
    credential = new ClientSecretCredential(serve.principal.tenantId, serve.principal.clientId, serve.principal.clientSecret, {
      authorityHost: serve.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: serve.ca },
    });
    const options = { endpoint: serve.url, tlsOptions: { ca: serve.ca } };
    aks = new ContainerServiceClient(credential, SUB, options);
    resources = new ResourceManagementClient(credential, SUB, options);
  });

  after(async () => {
    await kubectl('delete', 'namespace', ns, '--ignore-not-found', '--wait=false').catch(() => undefined);
    await serve?.stop();
  });

  it('signs in a service principal and creates the resource group with Microsoft.Resources', async () => {
    const token = await credential.getToken('https://management.azure.com/.default');
    expect(token.token.split('.')).to.have.length(3);
    const g = await resources.resourceGroups.createOrUpdate(rg, { location: 'eastus', tags: { team: 'platform' } });
    expect(g).to.include({ name: rg, location: 'eastus' });
    expect(g.id).to.equal(`/subscriptions/${SUB}/resourceGroups/${rg}`);
    expect((await resources.resourceGroups.checkExistence(rg)).body).to.equal(true);
    expect((await resources.resourceGroups.checkExistence(`${rg}-nope`)).body).to.equal(false);
    const ns0 = await kubectlJson('get', 'namespace', ns);
    expect(ns0.metadata.annotations['aksim.io/name']).to.equal(rg);
  });

  it('seed 000: create a cluster and a pool with the pollers, scale without waiting, read the operation, abort', async () => {
    const created = await aks.managedClusters.createOrUpdate(rg, cluster, {
      location: 'eastus',
      dnsPrefix: 'myaks',
      tags: { env: 'test' },
      agentPoolProfiles: [{ name: 'nodepool1', count: 2, vmSize: 'Standard_D2s_v3', mode: 'System', osType: 'Linux' }],
    });
    expect(created.name).to.equal(cluster);
    expect(created.id).to.equal(
      `/subscriptions/${SUB}/resourcegroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}`,
    );
    expect(created.provisioningState).to.equal('Succeeded');
    expect(created.tags).to.deep.equal({ env: 'test' });
    expect(created.agentPoolProfiles?.[0]).to.include({ name: 'nodepool1', count: 2, provisioningState: 'Succeeded' });

    const pool = await aks.agentPools.createOrUpdate(rg, cluster, 'np2', {
      count: 1,
      vmSize: 'Standard_D2s_v3',
      mode: 'User',
      maxPods: 50,
      osDiskSizeGB: 64,
      enableAutoScaling: true,
      minCount: 1,
      maxCount: 4,
      tags: { team: 'a' },
    });
    expect(pool).to.include({
      name: 'np2',
      count: 1,
      maxPods: 50,
      osDiskSizeGB: 64,
      enableAutoScaling: true,
      minCount: 1,
      maxCount: 4,
      provisioningState: 'Succeeded',
    });
    expect(pool.tags).to.deep.equal({ team: 'a' });
    const nodes = await kubectlJson('get', 'nodes', '-l', `aksim.io/namespace=${ns},aksim.io/cluster=myakscluster`);
    expect(nodes.items).to.have.length(3);

    // A slow boot, so the scale is still running when it is aborted.
    await kubectl(
      'patch',
      'simcluster',
      '-n',
      ns,
      'myakscluster',
      '--type=merge',
      '-p',
      '{"spec":{"simulation":{"nodeBootTime":"PT20M"}}}',
    );
    await waitFor(
      'cluster idle after the patch',
      async () =>
        (await kubectlJson('get', 'simcluster', '-n', ns, 'myakscluster')).status?.provisioningState === 'Succeeded' &&
        !(await kubectlJson('get', 'simcluster', '-n', ns, 'myakscluster')).status?.currentOperation,
      60_000,
    );
    const current = await aks.agentPools.get(rg, cluster, 'np2');
    const poller = await aks.agentPools.beginCreateOrUpdate(rg, cluster, 'np2', { ...current, count: 5 });
    const latest = await sdkGet(
      `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}/agentPools/np2/operations/latest?api-version=2024-01-02-preview`,
    );
    expect(latest.status).to.equal(200);
    expect(latest.body).to.include({ status: 'InProgress' });
    const byId = await sdkGet(
      `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}/agentPools/np2/operations/${latest.body.name}?api-version=2024-01-02-preview`,
    );
    expect(byId.body).to.deep.include({ name: latest.body.name, status: 'InProgress' });

    await aks.agentPools.abortLatestOperation(rg, cluster, 'np2');
    const outcome = await refusal(poller.pollUntilDone());
    expect(outcome.message).to.match(/cancel/i);
    const after = await aks.agentPools.get(rg, cluster, 'np2');
    expect(after.provisioningState).to.equal('Canceled');
    const op = await sdkGet(
      `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}/agentPools/np2/operations/${latest.body.name}?api-version=2024-01-02-preview`,
    );
    expect(op.body.status).to.equal('Canceled');

    // Nothing runs: the idle abort is a 409 the SDK surfaces as a RestError.
    const idle = await refusal(aks.agentPools.abortLatestOperation(rg, cluster, 'np2'));
    expect(idle).to.include({ name: 'RestError', code: 'OperationNotAllowed', statusCode: 409 });
    expect(idle.message).to.include('Cancel operation is not allowed when the ProvisioningState is Canceled');
    const idleCluster = await refusal(aks.managedClusters.abortLatestOperation(rg, cluster));
    expect(idleCluster).to.include({ code: 'OperationNotAllowed', statusCode: 409 });

    // A cluster-level operation, aborted through the cluster.
    const scaleCluster = await aks.managedClusters.beginCreateOrUpdate(rg, cluster, {
      ...(await aks.managedClusters.get(rg, cluster)),
      agentPoolProfiles: [{ ...created.agentPoolProfiles![0]!, count: 4 }],
    });
    await aks.managedClusters.abortLatestOperation(rg, cluster);
    await refusal(scaleCluster.pollUntilDone());
    expect((await aks.managedClusters.get(rg, cluster)).provisioningState).to.equal('Canceled');
    await kubectl('patch', 'simcluster', '-n', ns, 'myakscluster', '--type=merge', '-p', '{"spec":{"simulation":{"nodeBootTime":"PT1M"}}}');
  });

  it('seed 003: snapshot from a pool, pool from the snapshot, upgrade to a snapshot, and the rules', async () => {
    await waitFor(
      'cluster idle',
      async () => !(await kubectlJson('get', 'simcluster', '-n', ns, 'myakscluster')).status?.currentOperation,
      60_000,
    );
    const np1 = await aks.agentPools.get(rg, cluster, 'nodepool1');
    const snap = await aks.snapshots.createOrUpdate(rg, 'MySnapshot', { location: 'eastus', creationData: { sourceResourceId: np1.id } });
    expect(snap).to.include({ name: 'MySnapshot', snapshotType: 'NodePool', vmSize: 'Standard_D2s_v3', osType: 'Linux' });
    expect(snap.id).to.equal(`/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/snapshots/MySnapshot`);
    expect(snap.nodeImageVersion).to.equal(np1.nodeImageVersion);

    const fromSnap = await aks.agentPools.createOrUpdate(rg, cluster, 'np3', { count: 1, creationData: { sourceResourceId: snap.id } });
    expect(fromSnap).to.include({
      name: 'np3',
      nodeImageVersion: snap.nodeImageVersion,
      vmSize: 'Standard_D2s_v3',
      provisioningState: 'Succeeded',
    });
    expect(fromSnap.creationData?.sourceResourceId).to.equal(snap.id);

    const family = await refusal(
      aks.agentPools.createOrUpdate(rg, cluster, 'gpu', {
        count: 1,
        vmSize: 'Standard_NC6s_v3',
        creationData: { sourceResourceId: snap.id },
      }),
    );
    expect(family).to.include({ name: 'RestError', statusCode: 400 });
    expect(family.message).to.match(/family/i);
    const notNewer = await refusal(
      aks.agentPools.createOrUpdate(rg, cluster, 'nodepool1', { ...np1, creationData: { sourceResourceId: snap.id } }),
    );
    expect(notNewer).to.include({ statusCode: 400 });
    expect(notNewer.message).to.match(/newer|same/i);

    const tagged = await aks.snapshots.updateTags(rg, 'MySnapshot', { tags: { pinned: 'yes' } });
    expect(tagged.tags).to.deep.equal({ pinned: 'yes' });
    expect((await aks.snapshots.get(rg, 'mysnapshot')).name).to.equal('MySnapshot');
  });

  it('reads credentials, upgrade profiles, versions and machines; tags a cluster', async () => {
    const creds = await aks.managedClusters.listClusterUserCredentials(rg, cluster);
    const kubeconfig = Buffer.from(creds.kubeconfigs![0]!.value!).toString('utf8');
    expect(kubeconfig).to.include(`current-context: ${cluster}`).and.include('server: https://127.0.0.1');
    const profile = await aks.managedClusters.getUpgradeProfile(rg, cluster);
    expect(profile.controlPlaneProfile.kubernetesVersion).to.match(/^\d+\.\d+\.\d+$/);
    const versions = await aks.managedClusters.listKubernetesVersions('eastus');
    expect(versions.values?.length).to.be.greaterThan(2);
    const machines = [];
    for await (const m of aks.machines.list(rg, cluster, 'nodepool1')) machines.push(m);
    expect(machines).to.have.length(2);
    expect(machines[0]!.name).to.match(/^aks-nodepool1-\d{8}-vmss\w{6}$/);
    const tagged = await aks.managedClusters.updateTags(rg, cluster, { tags: { env: 'prod' } });
    expect(tagged.tags).to.deep.equal({ env: 'prod' });
  });

  it('deletes the cluster and the resource group with the pollers (status answers after the resource is gone)', async () => {
    await waitFor(
      'cluster idle',
      async () => !(await kubectlJson('get', 'simcluster', '-n', ns, 'myakscluster')).status?.currentOperation,
      60_000,
    );
    await aks.managedClusters.delete(rg, cluster);
    const gone = await refusal(aks.managedClusters.get(rg, cluster));
    expect(gone).to.include({ statusCode: 404, code: 'ResourceNotFound' });
    await resources.resourceGroups.beginDeleteAndWait(rg);
    expect((await resources.resourceGroups.checkExistence(rg)).body).to.equal(false);
  });

  it('every body the SDK received validates against the published REST specs', () => {
    const schemas = new ArmSchemas();
    let covered = 0;
    const problems: string[] = [];
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
