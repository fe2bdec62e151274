// e2e: NGroup stop, start and restart over the REST service (HTTPS, `aksim serve`, a signed-in
// service principal): POST stop answers 204 and every container group Pod goes while the NGroup
// keeps its desiredCount; POST start answers 202 and its async operation ends Succeeded only once
// the same CGs (same names, same zones) run again; POST restart answers 202 and ends once every CG
// was deleted and made again in place (new Pods, same names, images resolved anew). Bodies are
// checked against the published REST specs.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ClientSecretCredential } from '@azure/identity';
import { kubectl, kubectlJson, run, sharedOperator, waitFor } from '../support/env.js';
import { ArmSchemas } from '../support/armschema.js';
import { httpsJson, startServe, type Served } from '../support/serve.js';

const SUB = '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8';
const API = 'api-version=2026-06-01-preview';
const REPO = 'mcr.microsoft.com/azuredocs/aci-helloworld';

interface Pod {
  metadata: { name: string; uid: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { image: string }[] };
  status: { phase?: string; podIP?: string };
}

describe('e2e: NGroup stop, start and restart over REST', function () {
  this.timeout(300_000);
  const rg = `NgPower-${randomBytes(3).toString('hex')}`;
  const ns = rg.toLowerCase();
  const base = `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerInstance`;
  const ngUrl = `${base}/ngroups/ngpower`;
  let serve: Served;
  let credential: ClientSecretCredential;

  const bearer = async (): Promise<Record<string, string>> => ({
    Authorization: `Bearer ${(await credential.getToken('https://management.azure.com/.default')).token}`,
  });
  const call = async (method: string, path: string, body?: unknown) =>
    httpsJson(serve, method, path, body === undefined ? (method === 'POST' ? '' : undefined) : JSON.stringify(body), await bearer());
  const pods = async (): Promise<Pod[]> =>
    (await kubectlJson<{ items: Pod[] }>('get', 'pods', '-n', ns, '-l', 'aksim.io/ngroup=ngpower')).items;
  const registry = (tag: string): Promise<unknown> =>
    run('kubectl', ['apply', '-n', ns, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aksim-registry' },
        data: { latest: `${REPO}=${REPO}:${tag}` },
      }),
    });

  /** Polls an accepted write's Azure-AsyncOperation URL to its end; checks its Location URL then answers 204. */
  async function finished(res: { status: number; headers: Record<string, string> }): Promise<string> {
    const op = new URL(res.headers['azure-asyncoperation']!);
    const status = await waitFor(
      'the async operation',
      async () => {
        const st = await call('GET', op.pathname + op.search);
        expect(st.status).to.equal(200);
        return st.body.status !== 'InProgress' && st.body.status;
      },
      120_000,
      200,
    ).catch(async (err: unknown) => {
      // What the operator waited on: the NGroup's status and its CGs' phases and IPs.
      const ng = await kubectlJson('get', 'ngroup', '-n', ns, 'ngpower');
      console.log(JSON.stringify(ng.status, null, 1));
      console.log((await run('kubectl', ['get', 'pods', '-n', ns, '-o', 'wide'])).stdout);
      throw err;
    });
    const loc = new URL(res.headers.location!);
    expect((await call('GET', loc.pathname + loc.search)).status).to.equal(204);
    return status;
  }

  before(async () => {
    await sharedOperator();
    serve = await startServe();
    credential = new ClientSecretCredential(serve.principal.tenantId, serve.principal.clientId, serve.principal.clientSecret, {
      authorityHost: serve.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: serve.ca },
    });
  });

  after(async () => {
    await kubectl('delete', 'namespace', ns, '--ignore-not-found', '--wait=false').catch(() => undefined);
    await serve?.stop();
  });

  let earlier: Pod[] = [];

  it('creates an NGroup of 4 CGs over two zones, on an image tagged latest', async () => {
    const rgRes = await call('PUT', `/subscriptions/${SUB}/resourcegroups/${rg}?api-version=2021-04-01`, { location: 'eastus' });
    expect(rgRes.status).to.be.oneOf([200, 201]);
    await registry('v1');
    const profile = await call('PUT', `${base}/containerGroupProfiles/cgp?${API}`, {
      location: 'eastus',
      properties: {
        osType: 'Linux',
        containers: [
          {
            name: 'web',
            properties: { image: `${REPO}:latest`, ports: [{ port: 80 }], resources: { requests: { cpu: 1, memoryInGB: 1.5 } } },
          },
        ],
      },
    });
    expect(profile.status).to.equal(201);
    const put = await call('PUT', `${ngUrl}?${API}`, {
      location: 'eastus',
      zones: ['1', '2'],
      properties: {
        elasticProfile: { desiredCount: 4, maintainDesiredCount: true },
        containerGroupProfiles: [{ resource: { id: `${base}/containerGroupProfiles/cgp` } }],
      },
    });
    expect(put.status).to.equal(201);
    expect(await finished(put)).to.equal('Succeeded');
    earlier = (await pods()).filter((p) => p.status.phase === 'Running');
    expect(earlier).to.have.length(4);
    // kwok gives each CG an IP once it runs: aksim counts a CG started only then.
    expect(earlier.every((p) => /^10\.0\./.test(p.status.podIP ?? ''))).to.equal(true);
    expect(earlier.every((p) => p.spec.containers[0]!.image === `${REPO}:v1`)).to.equal(true);
  });

  it('GET on the actions is 405; POST stop answers 204, every CG goes, desiredCount is kept; a second stop is 204 too', async () => {
    for (const action of ['stop', 'start', 'restart']) {
      const get = await call('GET', `${ngUrl}/${action}?${API}`);
      expect(get.status, action).to.equal(405);
      expect(get.body.error.code).to.equal('MethodNotAllowed');
    }
    const res = await call('POST', `${ngUrl}/stop?${API}`);
    expect(res.status).to.equal(204);
    expect(res.body).to.equal(undefined);
    await waitFor('every CG gone', async () => (await pods()).length === 0, 60_000, 300);
    const ng = await waitFor(
      'status Stopped',
      async () => {
        const o = await kubectlJson('get', 'ngroup', '-n', ns, 'ngpower');
        return o.status?.powerState === 'Stopped' && o;
      },
      60_000,
      300,
    );
    expect(ng.spec.elasticProfile.desiredCount).to.equal(4);
    expect(ng.status.stoppedContainerGroups.map((e: { name: string }) => e.name).sort()).to.deep.equal(
      earlier.map((p) => p.metadata.name).sort(),
    );
    const shown = await call('GET', `${ngUrl}?${API}`);
    expect(shown.body.properties.elasticProfile.desiredCount).to.equal(4);
    expect(shown.body.properties.provisioningState).to.equal('Succeeded');
    expect((await call('POST', `${ngUrl}/stop?${API}`)).status).to.equal(204);
    const restart = await call('POST', `${ngUrl}/restart?${API}`);
    expect(restart.status).to.equal(409);
    expect(restart.body.error.code).to.equal('OperationNotAllowed');
    // Nothing comes back while stopped (maintainDesiredCount is true).
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pods()).to.have.length(0);
  });

  it('POST start answers 202 with the LRO headers; the operation ends once the same CGs run again', async () => {
    const res = await call('POST', `${ngUrl}/start?${API}`);
    expect(res.status).to.equal(202);
    expect(res.headers['azure-asyncoperation']).to.match(/\/providers\/Microsoft\.ContainerInstance\/locations\/eastus\/operations\//);
    expect(res.headers.location).to.match(/\/operationresults\//);
    expect(Number(res.headers['retry-after'])).to.be.greaterThan(0);
    expect(await finished(res)).to.equal('Succeeded');
    const after = await pods();
    expect(after.map((p) => p.status.phase)).to.deep.equal(['Running', 'Running', 'Running', 'Running']);
    const slot = (p: Pod): string => `${p.metadata.name}@${p.metadata.labels['aksim.io/cg-zone']}`;
    expect(after.map(slot).sort()).to.deep.equal(earlier.map(slot).sort());
    const ng = await kubectlJson('get', 'ngroup', '-n', ns, 'ngpower');
    expect(ng.status.powerState).to.equal('Running');
    expect(ng.status.stoppedContainerGroups).to.equal(undefined);
    // A start of a running NGroup is accepted and ends at once.
    expect(await finished(await call('POST', `${ngUrl}/start?${API}`))).to.equal('Succeeded');
    earlier = after;
  });

  it('POST restart answers 202; every CG is made again in place (same name, new Pod, latest resolved anew), count kept', async () => {
    await registry('v2');
    const res = await call('POST', `${ngUrl}/restart?${API}`);
    expect(res.status).to.equal(202);
    expect(await finished(res)).to.equal('Succeeded');
    const after = await pods();
    expect(after).to.have.length(4);
    expect(after.map((p) => p.status.phase)).to.deep.equal(['Running', 'Running', 'Running', 'Running']);
    expect(after.map((p) => p.metadata.name).sort()).to.deep.equal(earlier.map((p) => p.metadata.name).sort());
    const oldUids = new Set(earlier.map((p) => p.metadata.uid));
    expect(after.filter((p) => oldUids.has(p.metadata.uid))).to.deep.equal([]);
    expect(after.map((p) => p.spec.containers[0]!.image)).to.deep.equal(Array(4).fill(`${REPO}:v2`));
    const ng = await kubectlJson('get', 'ngroup', '-n', ns, 'ngpower');
    expect(ng.status.restart).to.deep.equal({ request: 1, pending: [] });
    expect(ng.spec.elasticProfile.desiredCount).to.equal(4);
  });

  it('a stop or restart during a rolling update is refused with 409', async () => {
    await call('PUT', `${base}/containerGroupProfiles/cgp2?${API}`, {
      location: 'eastus',
      properties: {
        osType: 'Linux',
        containers: [{ name: 'web', properties: { image: `${REPO}:v1`, resources: { requests: { cpu: 1, memoryInGB: 1.5 } } } }],
      },
    });
    const patch = await call('PATCH', `${ngUrl}?${API}`, {
      properties: {
        updateProfile: { updateMode: 'Rolling', rollingUpdateProfile: { maxBatchPercent: 25, pauseTimeBetweenBatches: 'PT10M' } },
        containerGroupProfiles: [{ resource: { id: `${base}/containerGroupProfiles/cgp2` } }],
      },
    });
    expect(patch.status).to.equal(200);
    await waitFor(
      'the rolling update running',
      async () => (await call('GET', `${ngUrl}/latestRollingUpdate?${API}`)).body?.state === 'InProgress',
      60_000,
      300,
    );
    const stop = await call('POST', `${ngUrl}/stop?${API}`);
    expect(stop.status).to.equal(409);
    expect(stop.body.error).to.include({ code: 'OperationNotAllowed' });
    expect(stop.body.error.message).to.include('rolling update in progress');
    expect((await call('POST', `${ngUrl}/restart?${API}`)).status).to.equal(409);
    expect((await call('POST', `${ngUrl}/cancelRollingUpdate?${API}`)).status).to.equal(202);
  });

  it('every body received validates against the published REST specs', () => {
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
