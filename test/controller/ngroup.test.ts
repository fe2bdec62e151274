// Controller tests of the container group profile and NGroup reconcilers: a profile records its
// revision; an NGroup makes its virtual nodes and scales out to its desired count over its zones.
import { expect } from 'chai';
import type { ContainerGroupProfile, NGroup } from '../../src/api/generated.js';
import { ngroupController } from '../../controllers/ngroup/reconcile.js';
import { profileController } from '../../controllers/profile/reconcile.js';
import { controllerEnv, create, eventually, reconcileUntil, type ControllerEnv } from '../support/controller.js';

describe('controller: container group profile and NGroup reconcilers', function () {
  this.timeout(60_000);
  let env: ControllerEnv;

  before(async () => {
    env = await controllerEnv('ctl-ngroup');
  });
  after(async () => env?.stop());

  it('a profile records its first revision', async () => {
    const { ctx, ns, kube } = env;
    const spec = {
      location: 'westeurope',
      osType: 'Linux',
      containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: 1, memoryInGB: 1 } } }],
    };
    await create(kube, 'ContainerGroupProfile', ns, { metadata: { name: 'cgp1' }, spec } as ContainerGroupProfile);
    const key = `${ns}/cgp1`;
    await eventually('the profile in the cache', () => ctx.profiles.get(key));
    await reconcileUntil(env.reconciler(profileController), key, 'revision 1', () => ctx.profiles.get(key)?.status?.revision === 1);
    expect(ctx.profiles.get(key)!.status!.revisions).to.have.length(1);
  });

  it('an NGroup makes its virtual nodes and its container groups, one per zone', async () => {
    const { ctx, ns, kube } = env;
    const spec = {
      location: 'westeurope',
      zones: ['1', '2'],
      elasticProfile: { desiredCount: 2, containerGroupNamingPolicy: { guidNamingPolicy: { prefix: 'cg-' } } },
      containerGroupProfiles: [{ resource: { id: 'cgp1' } }],
    };
    await create(kube, 'NGroup', ns, { metadata: { name: 'ng1' }, spec } as NGroup);
    const key = `${ns}/ng1`;
    await eventually('the NGroup in the cache', () => ctx.ngroups.get(key));
    const r = env.reconciler(ngroupController);
    await reconcileUntil(r, key, 'two container groups', () => ctx.cgPods.byIndex('ngroup', key).length === 2);
    const pods = ctx.cgPods.byIndex('ngroup', key);
    expect(pods.map((p) => p.metadata!.name)).to.satisfy((n: string[]) => n.every((x) => x.startsWith('cg-')));
    expect(pods.map((p) => p.metadata!.labels!['aksim.io/cg-zone']).sort()).to.deep.equal(['1', '2']);
    expect(pods.map((p) => p.spec!.nodeName).sort()).to.deep.equal(['aci-vk-westeurope-1-fd0', 'aci-vk-westeurope-2-fd0']);
    expect(pods[0]!.metadata!.labels).to.include({ 'aksim.io/cg-profile': 'cgp1', 'aksim.io/cg-profile-revision': '1' });
    await eventually('the virtual nodes', () =>
      ['aci-vk-westeurope-1-fd0', 'aci-vk-westeurope-2-fd0'].every((n) => ctx.nodes.get(n) ?? true),
    );
    const vk = await kube.core.readNode({ name: 'aci-vk-westeurope-1-fd0' });
    expect(vk.metadata?.labels).to.include({ type: 'virtual-kubelet' });
    await reconcileUntil(r, key, 'the status', () => ctx.ngroups.get(key)?.status?.containerGroupCount === 2);
    expect(ctx.ngroups.get(key)!.status).to.include({ appliedDesiredCount: 2 });
    expect(ctx.ngroups.get(key)!.status!.profile).to.include({ name: 'cgp1', revision: 1 });
    // A pass over the same state makes nothing more.
    await r.reconcile(key);
    await new Promise((res) => setTimeout(res, 200));
    expect(ctx.cgPods.byIndex('ngroup', key)).to.have.length(2);
  });
});
