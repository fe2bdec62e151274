// e2e: ACI NGroups on the embedded cluster — container groups as Pods on virtual nodes spread over
// zones and fault domains, and rolling updates (replace, in place, unhealthy-first, failure,
// cancel, Manual mode, operator restart) checked on the real Pods and status.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { apply, freshNamespace, kubectl, kubectlJson, ROOT, run, startOperator, waitFor, type OperatorProcess } from '../support/env.js';
import { signedIn, startServe } from '../support/serve.js';

const TIME_SCALE = 600; // PT1M pauses take 100 ms
const sample = (f: string): string => readFileSync(`${ROOT}manifests/samples/${f}`, 'utf8');

interface Pod {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName: string; containers: { name: string; image: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}
const ready = (p: Pod): boolean => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const rev = (p: Pod): string => `${p.metadata.labels['aksim.io/cg-profile']}@${p.metadata.labels['aksim.io/cg-profile-revision']}`;
const pair = (p: Pod): string => `${p.metadata.labels['aksim.io/cg-zone']}/${p.metadata.labels['aksim.io/cg-fault-domain']}`;

async function pods(ns: string, ng: string): Promise<Pod[]> {
  return (await kubectlJson<{ items: Pod[] }>('get', 'pods', '-n', ns, '-l', `aksim.io/ngroup=${ng}`)).items;
}
const live = async (ns: string, ng: string): Promise<Pod[]> => (await pods(ns, ng)).filter((p) => !p.metadata.deletionTimestamp);
const ngroup = (ns: string, ng: string): Promise<any> => kubectlJson('get', 'ngroup', '-n', ns, ng);

async function applyIn(ns: string, yaml: string): Promise<void> {
  const r = await run('kubectl', ['apply', '-n', ns, '-f', '-'], { input: yaml });
  expect(r.code, r.stderr).to.equal(0);
}

/** An NGroup like the sample, with overrides. */
function ngYaml(
  name: string,
  o: { count?: number; profile?: string; mode?: string; pause?: string; inPlace?: boolean; zones?: string; fds?: number } = {},
): string {
  return `
apiVersion: aksim.io/v1alpha1
kind: NGroup
metadata: {name: ${name}}
spec:
  location: westeurope
  zones: ${o.zones ?? '["1", "2", "3"]'}
  placementProfile: {faultDomainCount: ${o.fds ?? 2}}
  elasticProfile: {desiredCount: ${o.count ?? 30}, maintainDesiredCount: true, containerGroupNamingPolicy: {guidNamingPolicy: {prefix: ${name}-}}}
  containerGroupProfiles: [{resource: {id: ${o.profile ?? 'cgprofile1'}}}]
  updateProfile:
    updateMode: ${o.mode ?? 'Rolling'}
    rollingUpdateProfile: {maxBatchPercent: 20, maxUnhealthyPercent: 20, maxUnhealthyUpdatedPercent: 20, pauseTimeBetweenBatches: ${o.pause ?? 'PT1M'}, inPlaceUpdate: ${o.inPlace ?? false}}
`;
}

async function settled(ns: string, ng: string, count: number, healthy = count): Promise<Pod[]> {
  await waitFor(
    `${ng} Succeeded with ${count} CGs`,
    async () => {
      const s = (await ngroup(ns, ng)).status ?? {};
      return s.provisioningState === 'Succeeded' && s.containerGroupCount === count && s.healthyCount === healthy;
    },
    90_000,
  );
  return live(ns, ng);
}

async function setProfile(ns: string, ng: string, profile: string): Promise<void> {
  await kubectl(
    'patch',
    'ngroup',
    '-n',
    ns,
    ng,
    '--type',
    'merge',
    '-p',
    JSON.stringify({ spec: { containerGroupProfiles: [{ resource: { id: profile } }] } }),
  );
}

async function ruDone(ns: string, ng: string, state: string, id?: number): Promise<any> {
  return waitFor(
    `${ng} rolling update ${state}`,
    async () => {
      const ru = (await ngroup(ns, ng)).status?.latestRollingUpdate;
      return ru?.state === state && (id === undefined || ru.id === id) && ru;
    },
    120_000,
  );
}

/** Polls the CGs while an update runs and keeps the extremes. */
function watchUpdate(
  ns: string,
  ng: string,
  target: string,
): { stop(): Promise<{ minLive: number; maxLive: number; maxBatchesInFlight: number }> } {
  let on = true;
  let minLive = Infinity;
  let maxLive = 0;
  let maxBatchesInFlight = 0;
  const loop = (async () => {
    while (on) {
      const ps = await pods(ns, ng).catch(() => undefined);
      if (ps) {
        const l = ps.filter((p) => !p.metadata.deletionTimestamp);
        minLive = Math.min(minLive, l.length);
        maxLive = Math.max(maxLive, l.length);
        const inFlight = new Set(
          l.filter((p) => rev(p) === target && !ready(p)).map((p) => p.metadata.labels['aksim.io/rolling-update-batch']),
        );
        maxBatchesInFlight = Math.max(maxBatchesInFlight, inFlight.size);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return { minLive, maxLive, maxBatchesInFlight };
    },
  };
}

/** The CGs an update made or changed, by batch label. */
function batches(ps: Pod[], ruId: number): Map<number, Pod[]> {
  const m = new Map<number, Pod[]>();
  for (const p of ps) {
    const b = p.metadata.labels['aksim.io/rolling-update-batch'];
    if (!b?.startsWith(`${ruId}.`)) continue;
    const i = Number(b.split('.')[1]);
    m.set(i, [...(m.get(i) ?? []), p]);
  }
  return m;
}

describe('e2e: ACI NGroups and rolling updates', function () {
  let op: OperatorProcess;
  const namespaces: string[] = [];
  async function rg(): Promise<string> {
    const ns = await freshNamespace('ng');
    namespaces.push(ns);
    await applyIn(
      ns,
      sample('ngroup-profiles.yaml') + '\n---\n' + sample('ngroup-registry.yaml') + '\n---\n' + sample('ngroup-profile-broken.yaml'),
    );
    return ns;
  }
  before(async () => {
    op = await startOperator({ timeScale: TIME_SCALE });
  });
  after(async () => {
    for (const ns of namespaces) await run('kubectl', ['delete', 'ngroups', '--all', '-n', ns, '--wait=true', '--timeout=60s']);
    for (const ns of namespaces) await run('kubectl', ['delete', 'namespace', ns, '--wait=false']);
    await op?.stop();
  });

  it('replace update of 30 CGs over 3 zones x 2 fault domains: batches of one pair, at most 6, new names, count held', async () => {
    const ns = await rg();
    await applyIn(ns, sample('ngroup.yaml'));
    const before = await settled(ns, 'ngroup1', 30);
    // spread evenly: 5 per zone/fault-domain pair, each on its virtual node
    const perPair = new Map<string, number>();
    for (const p of before) perPair.set(pair(p), (perPair.get(pair(p)) ?? 0) + 1);
    expect([...perPair.values()]).to.deep.equal([5, 5, 5, 5, 5, 5]);
    for (const p of before) {
      expect(p.metadata.name).to.match(/^cg-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(p.spec.nodeName).to.equal(
        `aci-vk-westeurope-${p.metadata.labels['aksim.io/cg-zone']}-fd${p.metadata.labels['aksim.io/cg-fault-domain']}`,
      );
      expect(p.metadata.annotations['aksim.io/container-group-id']).to.match(
        new RegExp(`/resourceGroups/${ns}/providers/Microsoft.ContainerInstance/containerGroups/${p.metadata.name}$`),
      );
      expect(p.metadata.annotations['aksim.io/ngroup-id']).to.match(
        new RegExp(`/resourceGroups/${ns}/providers/Microsoft.ContainerInstance/ngroups/ngroup1$`),
      );
    }
    const node = await kubectlJson('get', 'node', 'aci-vk-westeurope-2-fd1');
    expect(node.metadata.labels).to.include({
      type: 'virtual-kubelet',
      'kubernetes.io/role': 'agent',
      'topology.kubernetes.io/zone': 'westeurope-2',
    });
    expect(node.spec.taints).to.deep.include({ key: 'virtual-kubelet.io/provider', value: 'azure', effect: 'NoSchedule' });

    const w = watchUpdate(ns, 'ngroup1', 'cgprofile2@1');
    await setProfile(ns, 'ngroup1', 'cgprofile2');
    const ru = await ruDone(ns, 'ngroup1', 'Succeeded');
    const seen = await w.stop();
    expect(ru).to.include({
      batchesCompleted: 6,
      totalBatches: 6,
      succeededCount: 30,
      failedCount: 0,
      pendingCount: 0,
      lastAction: 'Start',
      inPlace: false,
    });
    const after = await live(ns, 'ngroup1');
    expect(after).to.have.length(30);
    expect(after.every((p) => rev(p) === 'cgprofile2@1' && ready(p))).to.equal(true);
    const oldNames = new Set(before.map((p) => p.metadata.name));
    expect(after.filter((p) => oldNames.has(p.metadata.name))).to.deep.equal([]);
    expect(after.map((p) => p.metadata.annotations['aksim.io/replaces']).sort()).to.deep.equal([...oldNames].sort()); // 1:1
    const bs = batches(after, ru.id);
    expect([...bs.keys()].sort()).to.deep.equal([0, 1, 2, 3, 4, 5]);
    for (const [i, members] of bs) {
      expect(members.length, `batch ${i}`).to.be.at.most(6);
      expect(new Set(members.map(pair)).size, `batch ${i} crosses a zone/fault-domain pair`).to.equal(1);
    }
    expect(seen.minLive, 'live CGs during the update').to.be.at.least(24);
    expect(seen.maxLive).to.be.at.most(36);
    expect((await ngroup(ns, 'ngroup1')).status.provisioningState).to.equal('Succeeded');
  });

  it('the first batch takes exactly the 3 unhealthy CGs', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng2'));
    const before = await settled(ns, 'ng2', 30);
    const sick = [before[0]!, before[10]!, before[20]!].map((p) => p.metadata.name);
    for (const n of sick) await kubectl('annotate', 'pod', '-n', ns, n, 'aksim.io/fault=Unhealthy');
    await waitFor(
      '3 unhealthy',
      async () => (await ngroup(ns, 'ng2')).status?.unhealthyCount === 3 && (await live(ns, 'ng2')).filter((p) => !ready(p)).length === 3,
    );
    await setProfile(ns, 'ng2', 'cgprofile2');
    const ru = await ruDone(ns, 'ng2', 'Succeeded');
    const first = batches(await live(ns, 'ng2'), ru.id).get(0) ?? [];
    expect(first.map((p) => p.metadata.annotations['aksim.io/replaces']).sort()).to.deep.equal([...sick].sort());
    expect(ru.totalBatches).to.equal(7);
  });

  it('an update to an image the registry marks unhealthy fails after the first batch and stops', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng3'));
    const before = await settled(ns, 'ng3', 30);
    await setProfile(ns, 'ng3', 'cgprofile3');
    const ru = await ruDone(ns, 'ng3', 'Failed');
    expect(ru.error.code).to.equal('MaxUnhealthyUpdatedPercentExceeded');
    expect(ru.batchesCompleted).to.equal(0);
    expect(ru.failedCount).to.equal(5); // the first batch: one zone/fault-domain pair of 5 (under the 6 of 20%)
    const s = await ngroup(ns, 'ng3');
    expect(s.status.provisioningState).to.equal('Failed');
    expect(s.status.conditions.find((c: { type: string }) => c.type === 'Ready')).to.include({
      status: 'False',
      reason: 'MaxUnhealthyUpdatedPercentExceeded',
    });
    const after = await live(ns, 'ng3');
    const untouched = after.filter((p) => rev(p) === 'cgprofile1@1');
    expect(untouched).to.have.length(25);
    const oldNames = new Set(before.map((p) => p.metadata.name));
    expect(untouched.every((p) => oldNames.has(p.metadata.name))).to.equal(true);
    const broken = after.filter((p) => rev(p) === 'cgprofile3@1');
    expect(broken).to.have.length(5);
    expect(broken.every((p) => !ready(p) && p.status.phase === 'Running' && p.metadata.labels['aksim.io/unhealthy'] === 'true')).to.equal(
      true,
    );
  });

  it('cancel mid-update stops for good; a new update starts from the current state', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng4', { pause: 'PT20M' })); // 2 s per pause
    await settled(ns, 'ng4', 30);
    await setProfile(ns, 'ng4', 'cgprofile2');
    const mid = await waitFor('2 batches done', async () => {
      const ru = (await ngroup(ns, 'ng4')).status?.latestRollingUpdate;
      return ru?.batchesCompleted >= 2 && ru.currentBatch?.phase === 'Pausing' && ru;
    });
    await kubectl('annotate', 'ngroup', '-n', ns, 'ng4', `aksim.io/cancel-rolling-update=${new Date().toISOString()}`);
    const ru = await ruDone(ns, 'ng4', 'Canceled');
    expect(ru.lastAction).to.equal('Cancel');
    expect(ru.currentBatch).to.equal(undefined);
    const s = await ngroup(ns, 'ng4');
    expect(s.status.provisioningState).to.equal('Canceled');
    const mixed = await live(ns, 'ng4');
    const onNew = mixed.filter((p) => rev(p) === 'cgprofile2@1').length;
    expect(onNew).to.be.within(10, 15);
    expect(mixed.filter((p) => rev(p) === 'cgprofile1@1').length).to.equal(30 - onNew);
    // past the time the next batch would have started, a fresh reconcile must not resume it
    const resumeAt = Date.parse(mid.currentBatch.pauseUntil) + 500;
    await new Promise((r) => setTimeout(r, Math.max(0, resumeAt - Date.now())));
    // A CG the cancelled update did not reach: the next update (back to its revision) never
    // touches it, so its health cannot add a batch (an unhealthy CG gets a batch of its own first).
    const victim = mixed.find((p) => rev(p) === 'cgprofile1@1')!.metadata.name;
    await kubectl('annotate', 'pod', '-n', ns, victim, 'aksim.io/fault=Unhealthy');
    await waitFor('fault seen', async () => (await ngroup(ns, 'ng4')).status?.unhealthyCount === 1);
    const still = await live(ns, 'ng4');
    expect(still.filter((p) => rev(p) === 'cgprofile2@1').length).to.equal(onNew);
    expect((await ngroup(ns, 'ng4')).status.latestRollingUpdate).to.include({ state: 'Canceled', id: ru.id });
    await kubectl('annotate', 'pod', '-n', ns, victim, 'aksim.io/fault-');
    // A new update (back to cgprofile1) only has the CGs the cancelled one replaced to do.
    await kubectl(
      'patch',
      'ngroup',
      '-n',
      ns,
      'ng4',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { updateProfile: { rollingUpdateProfile: { pauseTimeBetweenBatches: 'PT1M' } } } }),
    );
    await setProfile(ns, 'ng4', 'cgprofile1');
    const again = await ruDone(ns, 'ng4', 'Succeeded', ru.id + 1);
    expect(again.lastAction).to.equal('Start');
    expect(again.totalBatches).to.equal(onNew / 5); // one batch per zone/fault-domain pair the cancelled update reached
    expect((await live(ns, 'ng4')).every((p) => rev(p) === 'cgprofile1@1')).to.equal(true);
  });

  it('in place: an image change keeps the CG names; a CPU change is refused naming the property', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng5', { count: 6, inPlace: true, fds: 1 }));
    const before = await settled(ns, 'ng5', 6);
    await kubectl(
      'patch',
      'cgp',
      '-n',
      ns,
      'cgprofile1',
      '--type',
      'json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/containers/0/image', value: 'mcr.microsoft.com/azuredocs/aci-helloworld:v2' }]),
    );
    const ru = await ruDone(ns, 'ng5', 'Succeeded');
    expect(ru).to.include({ inPlace: true, batchesCompleted: 6 }); // 20% of 6 is one CG per batch
    const after = await live(ns, 'ng5');
    expect(after.map((p) => p.metadata.name).sort()).to.deep.equal(before.map((p) => p.metadata.name).sort());
    expect(after.every((p) => rev(p) === 'cgprofile1@2' && p.spec.containers[0]!.image.endsWith(':v2') && ready(p))).to.equal(true);

    await kubectl(
      'patch',
      'cgp',
      '-n',
      ns,
      'cgprofile1',
      '--type',
      'json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/containers/0/resources/requests/cpu', value: 2 }]),
    );
    const refused = await waitFor('refusal', async () => {
      const s = (await ngroup(ns, 'ng5')).status;
      const c = s?.conditions?.find((x: { type: string }) => x.type === 'Ready');
      return c?.reason === 'InPlaceUpdateNotAllowed' && s;
    });
    expect(refused.provisioningState).to.equal('Failed');
    expect(refused.conditions.find((x: { type: string }) => x.type === 'Ready').message).to.contain(
      'containers[web].resources.requests.cpu',
    );
    expect(refused.profile.revision).to.equal(2);
    expect(refused.latestRollingUpdate).to.include({ id: ru.id, state: 'Succeeded' });
    const events = await kubectlJson<{ items: { reason: string; type: string; note?: string; message?: string }[] }>(
      'get',
      'events.events.k8s.io',
      '-n',
      ns,
      '--field-selector',
      'regarding.name=ng5',
    );
    expect(
      events.items.some((e) => e.type === 'Warning' && e.reason === 'InPlaceUpdateNotAllowed' && (e.note ?? '').includes('cpu')),
    ).to.equal(true);
    const same = await live(ns, 'ng5');
    expect(same.map((p) => `${p.metadata.name}:${rev(p)}`).sort()).to.deep.equal(after.map((p) => `${p.metadata.name}:${rev(p)}`).sort());

    // Over REST the refusal is the write's outcome: its Azure-AsyncOperation answers Failed with the error.
    const serve = await startServe();
    try {
      const { call } = await signedIn(serve);
      const sub = refused.id.split('/')[2];
      const path = `/subscriptions/${sub}/resourceGroups/${ns}/providers/Microsoft.ContainerInstance/ngroups/ng5?api-version=2026-06-01-preview`;
      const got = await call('GET', path);
      expect(got.status, JSON.stringify(got.body)).to.equal(200);
      const put = await call('PUT', path, { location: got.body.location, properties: got.body.properties, zones: got.body.zones });
      expect(put.status, JSON.stringify(put.body)).to.be.oneOf([200, 201]);
      const statusUrl = new URL(put.headers['azure-asyncoperation']!);
      const st = await waitFor('the write ended', async () => {
        const r = await call('GET', statusUrl.pathname + statusUrl.search);
        return r.body.status !== 'InProgress' && r.body;
      });
      expect(st.status).to.equal('Failed');
      expect(st.error.code).to.equal('InPlaceUpdateNotAllowed');
      expect(st.error.message).to.contain('containers[web].resources.requests.cpu');
    } finally {
      await serve.stop();
    }
  });

  it('Manual mode: existing CGs untouched, scale-out uses the new profile, named CGs update on request', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng6', { count: 4, mode: 'Manual' }));
    const before = await settled(ns, 'ng6', 4);
    await setProfile(ns, 'ng6', 'cgprofile2');
    await waitFor('profile recorded', async () => (await ngroup(ns, 'ng6')).status?.profile?.name === 'cgprofile2');
    const s = await ngroup(ns, 'ng6');
    expect(s.status.latestRollingUpdate).to.equal(undefined);
    expect((await live(ns, 'ng6')).map((p) => `${p.metadata.name}:${rev(p)}`).sort()).to.deep.equal(
      before.map((p) => `${p.metadata.name}:cgprofile1@1`).sort(),
    );
    await kubectl('scale', 'ngroup', '-n', ns, 'ng6', '--replicas=6');
    const six = await settled(ns, 'ng6', 6);
    const oldNames = new Set(before.map((p) => p.metadata.name));
    expect(six.filter((p) => !oldNames.has(p.metadata.name)).map(rev)).to.deep.equal(['cgprofile2@1', 'cgprofile2@1']);
    expect(six.filter((p) => oldNames.has(p.metadata.name)).every((p) => rev(p) === 'cgprofile1@1')).to.equal(true);
    const named = before[0]!.metadata.name;
    await kubectl('annotate', 'ngroup', '-n', ns, 'ng6', `aksim.io/update-container-groups=${named}`);
    await waitFor('named CG updated', async () => (await ngroup(ns, 'ng6')).status?.manualUpdate?.updated?.includes(named));
    const end = await waitFor('pod updated', async () => {
      const ps = await live(ns, 'ng6');
      return ps.find((p) => p.metadata.name === named && rev(p) === 'cgprofile2@1') && ps;
    });
    expect(end.filter((p) => rev(p) === 'cgprofile1@1')).to.have.length(3);
    // maintainDesiredCount: a CG deleted directly is replaced (with the NGroup's current profile)
    const gone = end.find((p) => rev(p) === 'cgprofile1@1')!.metadata.name;
    await kubectl('delete', 'pod', '-n', ns, gone, '--wait=false');
    const healed = await waitFor('replacement', async () => {
      const ps = await live(ns, 'ng6');
      return ps.length === 6 && !ps.some((p) => p.metadata.name === gone) && ps;
    });
    expect(healed.filter((p) => !end.some((e) => e.metadata.name === p.metadata.name)).map(rev)).to.deep.equal(['cgprofile2@1']);
  });

  it('an operator killed mid-update continues at the right batch, one batch in flight', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng7', { pause: 'PT20M' }));
    await settled(ns, 'ng7', 30);
    const w = watchUpdate(ns, 'ng7', 'cgprofile2@1');
    await setProfile(ns, 'ng7', 'cgprofile2');
    const mid = await waitFor('third batch pausing', async () => {
      const ru = (await ngroup(ns, 'ng7')).status?.latestRollingUpdate;
      return ru?.currentBatch?.index === 2 && ru.currentBatch.phase === 'Pausing' && ru;
    });
    await op.stop('SIGKILL');
    op = await startOperator({ timeScale: TIME_SCALE });
    const ru = await ruDone(ns, 'ng7', 'Succeeded');
    const seen = await w.stop();
    expect(ru.id).to.equal(mid.id);
    expect(ru).to.include({ batchesCompleted: 6, totalBatches: 6 });
    const after = await live(ns, 'ng7');
    expect(after.every((p) => rev(p) === 'cgprofile2@1')).to.equal(true);
    const bs = batches(after, ru.id);
    expect([...bs.keys()].sort()).to.deep.equal([0, 1, 2, 3, 4, 5]);
    for (const [i, members] of bs) {
      expect(members.length, `batch ${i}`).to.equal(5);
      expect(new Set(members.map(pair)).size).to.equal(1);
    }
    // the batch recorded before the kill is the one finished after it
    expect(
      bs
        .get(2)!
        .map((p) => p.metadata.name)
        .sort(),
    ).to.deep.equal([...mid.currentBatch.replacements].sort());
    expect(seen.maxBatchesInFlight).to.be.at.most(1);
    expect(seen.minLive).to.be.at.least(24);
    expect(seen.maxLive).to.be.at.most(36);
  });

  it('images tagged latest are resolved through the registry again during an update', async () => {
    const ns = await rg();
    await applyIn(
      ns,
      sample('ngroup-profiles.yaml')
        .replace(/cgprofile1/g, 'cgplatest')
        .replace(':v1', ':latest')
        .split('---')[0]!,
    );
    await applyIn(ns, ngYaml('ng9', { count: 3, profile: 'cgplatest', fds: 1 }));
    const first = await settled(ns, 'ng9', 3);
    expect(first.map((p) => p.spec.containers[0]!.image)).to.deep.equal(Array(3).fill('mcr.microsoft.com/azuredocs/aci-helloworld:v2'));
    await kubectl(
      'patch',
      'configmap',
      'aksim-registry',
      '-n',
      ns,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ data: { latest: 'mcr.microsoft.com/azuredocs/aci-helloworld=mcr.microsoft.com/azuredocs/aci-helloworld:v4' } }),
    );
    await kubectl(
      'patch',
      'cgp',
      '-n',
      ns,
      'cgplatest',
      '--type',
      'json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/containers/0/environmentVariables/0/value', value: 'hi' }]),
    );
    await ruDone(ns, 'ng9', 'Succeeded');
    const after = await live(ns, 'ng9');
    expect(after.map((p) => `${rev(p)} ${p.spec.containers[0]!.image}`)).to.deep.equal(
      Array(3).fill('cgplatest@2 mcr.microsoft.com/azuredocs/aci-helloworld:v4'),
    );
  });

  it('zones may be added but not removed; faultDomainCount is immutable', async () => {
    const ns = await rg();
    await applyIn(ns, ngYaml('ng8', { count: 1 }));
    const r1 = await apply(
      ngYaml('ng8', { count: 1, zones: '["1", "2"]' }).replace('metadata: {name: ng8}', `metadata: {name: ng8, namespace: ${ns}}`),
    );
    expect(r1.code).to.not.equal(0);
    expect(r1.stderr).to.contain('zones may be added but never removed');
    const r2 = await apply(ngYaml('ng8', { count: 1, fds: 3 }).replace('metadata: {name: ng8}', `metadata: {name: ng8, namespace: ${ns}}`));
    expect(r2.code).to.not.equal(0);
    expect(r2.stderr).to.contain('faultDomainCount can only be set when the NGroup is created');
  });
});
