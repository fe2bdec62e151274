// Scenarios on ACI NGroups: rolling updates (replace and in place, with unhealthy container
// groups first) and scaling with canceled updates, driven by kubectl and the REST service.
import { wallNow } from '../../runtime/clock.js';
import { inNs, type Ctx, type Scenario } from '../scenario.js';
import { isDeleting, label } from '../world.js';

const API = 'api-version=2026-06-01-preview';

/** Two profiles (v1, v2 of one app) and the simulated registry of the resource group. */
const PROFILES = ['cgprofile1', 'cgprofile2']
  .map(
    (name, i) => `apiVersion: aksim.io/v1alpha1
kind: ContainerGroupProfile
metadata: {name: ${name}}
spec:
  location: westeurope
  osType: Linux
  restartPolicy: Always
  containers:
    - name: web
      image: mcr.microsoft.com/azuredocs/aci-helloworld:v${i + 1}
      ports: [{port: 80, protocol: TCP}]
      resources: {requests: {cpu: 1, memoryInGB: 1.5}}
`,
  )
  .join('---\n');

function ngroupYaml(name: string, desired: number, pause: string): string {
  return `apiVersion: aksim.io/v1alpha1
kind: NGroup
metadata: {name: ${name}}
spec:
  location: westeurope
  zones: ["1", "2", "3"]
  placementProfile: {faultDomainCount: 2}
  elasticProfile: {desiredCount: ${desired}, maintainDesiredCount: true, containerGroupNamingPolicy: {guidNamingPolicy: {prefix: ${name}-}}}
  containerGroupProfiles: [{resource: {id: cgprofile1}}]
  updateProfile:
    updateMode: Rolling
    rollingUpdateProfile: {maxBatchPercent: 20, maxUnhealthyPercent: 20, maxUnhealthyUpdatedPercent: 20, pauseTimeBetweenBatches: ${pause}, inPlaceUpdate: false}
`;
}

const cgs = (c: Ctx, ng: string) => inNs(c.world, 'Pod', c.ns).filter((p) => label(p, 'aksim.io/ngroup') === ng);

/** What a round last asked of an NGroup (the record may trail the write). */
const asked = new Map<string, { profile?: string; desired?: number }>();

/** The NGroup has taken in its spec, runs no rolling update, and runs desiredCount started CGs. */
function ngroupSettled(c: Ctx, name: string): string | undefined {
  const ng = c.world.get('NGroup', `${c.ns}/${name}`);
  if (!ng) return `NGroup ${name} not there yet`;
  const wish = asked.get(`${c.ns}/${name}`) ?? {};
  const profile = String(ng.spec?.containerGroupProfiles?.[0]?.resource?.id ?? '');
  if (wish.profile && !profile.endsWith(wish.profile)) return `NGroup ${name}: profile ${wish.profile} not in the record yet`;
  if (wish.desired !== undefined && ng.spec?.elasticProfile?.desiredCount !== wish.desired)
    return `NGroup ${name}: desiredCount ${wish.desired} not in the record yet`;
  if ((ng.status?.observedGeneration ?? 0) < (ng.metadata.generation ?? 0))
    return `NGroup ${name}: generation ${ng.metadata.generation} not taken in yet`;
  if (ng.status?.latestRollingUpdate?.state === 'InProgress')
    return `NGroup ${name}: rolling update ${ng.status.latestRollingUpdate.id} in progress`;
  const all = cgs(c, name);
  if (all.some(isDeleting)) return `NGroup ${name}: container groups still being deleted`;
  const want = ng.spec?.elasticProfile?.desiredCount ?? 0;
  if (all.length !== want) return `NGroup ${name}: ${all.length} container groups, want ${want}`;
  const starting = all.filter((p) => p.status?.phase !== 'Running');
  if (starting.length) return `NGroup ${name}: ${starting.length} container groups not running`;
  return undefined;
}

async function setupGroup(c: Ctx, name: string, desired: number, pause: string): Promise<void> {
  await c.s.aksim(['group', 'create', '-n', c.ns, '-o', 'none']);
  await c.s.kubectl(['apply', '-n', c.ns, '-f', '-'], PROFILES);
  await c.s.kubectl(['apply', '-n', c.ns, '-f', '-'], ngroupYaml(name, desired, pause));
  await c.waitFor(`NGroup ${name}`, () => ngroupSettled(c, name), 120_000);
}

const profileIdOf = (c: Ctx, p: string): string =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerInstance/containerGroupProfiles/${p}`;
const ngPath = (c: Ctx, ng: string, action = ''): string =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${c.ns}/providers/Microsoft.ContainerInstance/ngroups/${ng}${action}?${API}`;

/** Starts a rolling update to the other profile, by kubectl or a REST PATCH. */
async function flipProfile(c: Ctx, ng: string, inPlace: boolean, viaRest: boolean): Promise<string> {
  const cur = c.world.get('NGroup', `${c.ns}/${ng}`)?.spec?.containerGroupProfiles?.[0]?.resource?.id as string | undefined;
  const next = cur?.endsWith('cgprofile1') ? 'cgprofile2' : 'cgprofile1';
  asked.set(`${c.ns}/${ng}`, { ...asked.get(`${c.ns}/${ng}`), profile: next });
  if (viaRest) {
    const r = await c.s.rest('PATCH', ngPath(c, ng), {
      properties: {
        containerGroupProfiles: [{ resource: { id: profileIdOf(c, next) } }],
        updateProfile: { updateMode: 'Rolling', rollingUpdateProfile: { inPlaceUpdate: inPlace } },
      },
    });
    if (r.status >= 300) throw new Error(`REST PATCH ngroup: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  } else {
    await c.s.kubectl([
      'patch',
      'ngroup',
      ng,
      '-n',
      c.ns,
      '--type',
      'merge',
      '-p',
      JSON.stringify({
        spec: {
          containerGroupProfiles: [{ resource: { id: next } }],
          updateProfile: { updateMode: 'Rolling', rollingUpdateProfile: { inPlaceUpdate: inPlace } },
        },
      }),
    ]);
  }
  return `${viaRest ? 'REST PATCH' : 'kubectl patch'}: ${inPlace ? 'in-place' : 'replace'} update to ${next}`;
}

export function ngroupUpdateScenario(): Scenario {
  const NG = 'ng1';
  return {
    name: 'ngroup-update',
    what: 'NGroup rolling updates, replace and in place, some with unhealthy container groups first (kubectl, REST)',
    windowMs: 4000,
    setup: (c) => setupGroup(c, NG, 12, 'PT15S'),
    async action(c: Ctx, round: number) {
      const notes: string[] = [];
      const faulty = cgs(c, NG).filter((p) => p.metadata.annotations?.['aksim.io/fault']);
      for (const p of faulty) await c.s.kubectlRaw(['annotate', 'pod', p.metadata.name, '-n', c.ns, 'aksim.io/fault-']);
      if (c.rng.chance(0.4)) {
        const victims = c.rng
          .shuffle(
            cgs(c, NG)
              .filter((p) => !isDeleting(p))
              .map((p) => p.metadata.name)
              .sort(),
          )
          .slice(0, 2);
        for (const v of victims) await c.s.kubectl(['annotate', 'pod', v, '-n', c.ns, '--overwrite', 'aksim.io/fault=Unhealthy']);
        // The NGroup must see them unhealthy before the update plans its first batch.
        await c.sleep(1500);
        notes.push(`${victims.length} container groups made unhealthy`);
      }
      notes.push(await flipProfile(c, NG, c.rng.chance(0.5), round % 2 === 1));
      return notes.join('; ');
    },
    settled: (c) => ngroupSettled(c, NG),
  };
}

export function ngroupScaleScenario(): Scenario {
  const NG = 'ng2';
  return {
    name: 'ngroup-scale',
    what: 'NGroup scale out/in, and rolling updates canceled at a random moment (kubectl, REST)',
    windowMs: 3000,
    setup: (c) => setupGroup(c, NG, 6, 'PT30S'),
    async action(c: Ctx, round: number) {
      if (round % 3 === 2) {
        const started = await flipProfile(c, NG, c.rng.chance(0.5), c.rng.chance(0.5));
        const wait = c.rng.int(300, 2500);
        await c.sleep(wait);
        if (c.rng.chance(0.5)) {
          const r = await c.s.rest('POST', ngPath(c, NG, '/cancelRollingUpdate'));
          return `${started}; REST cancelRollingUpdate after ${wait} ms: HTTP ${r.status}`;
        }
        await c.s.kubectl([
          'annotate',
          'ngroup',
          NG,
          '-n',
          c.ns,
          '--overwrite',
          `aksim.io/cancel-rolling-update=${new Date(wallNow()).toISOString()}`,
        ]);
        return `${started}; kubectl cancel annotation after ${wait} ms`;
      }
      const desired = c.rng.int(3, 12);
      asked.set(`${c.ns}/${NG}`, { ...asked.get(`${c.ns}/${NG}`), desired });
      if (round % 2 === 0) {
        const r = await c.s.rest('PATCH', ngPath(c, NG), { properties: { elasticProfile: { desiredCount: desired } } });
        if (r.status >= 300) throw new Error(`REST PATCH ngroup: HTTP ${r.status} ${JSON.stringify(r.body)}`);
        return `REST PATCH: desiredCount ${desired}`;
      }
      await c.s.kubectl([
        'patch',
        'ngroup',
        NG,
        '-n',
        c.ns,
        '--type',
        'merge',
        '-p',
        JSON.stringify({ spec: { elasticProfile: { desiredCount: desired } } }),
      ]);
      return `kubectl patch: desiredCount ${desired}`;
    },
    settled: (c) => ngroupSettled(c, NG),
  };
}
