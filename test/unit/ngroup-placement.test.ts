// Unit tests for CG placement over zones and fault domains, scale-in choice, images and pods.
import { expect } from 'chai';
import { pickScaleIn, placeNew, slotKey, slotsFor, virtualNodeName } from '../../controllers/ngroup/placement.js';
import { isUnhealthyImage, parseRegistry, resolveImage, splitImage } from '../../controllers/ngroup/images.js';
import { buildPod } from '../../controllers/ngroup/pod.js';
import { NG } from '../../src/model/names.js';
import type { NGroup } from '../../src/api/generated.js';

describe('ngroup/placement', () => {
  it('30 new CGs over 3 zones x 2 fault domains: 5 per slot', () => {
    const slots = slotsFor(['3', '1', '2'], 2);
    expect(slots.map(slotKey)).to.deep.equal(['1/0', '1/1', '2/0', '2/1', '3/0', '3/1']);
    const placed = placeNew([], 30, slots);
    const count = new Map<string, number>();
    for (const s of placed) count.set(slotKey(s), (count.get(slotKey(s)) ?? 0) + 1);
    expect([...count.values()]).to.deep.equal([5, 5, 5, 5, 5, 5]);
  });
  it('new CGs fill the emptiest slots first (zones added later rebalance)', () => {
    const existing = [...Array(4)].map(() => ({ zone: '1', faultDomain: 0 }));
    expect(placeNew(existing, 3, slotsFor(['1', '2'], 1)).map(slotKey)).to.deep.equal(['2/0', '2/0', '2/0']);
  });
  it('no zones: one zone-less slot per fault domain', () => {
    expect(slotsFor(undefined, undefined)).to.deep.equal([{ zone: '', faultDomain: 0 }]);
    expect(virtualNodeName('West Europe', { zone: '', faultDomain: 0 })).to.equal('aci-vk-westeurope-nozone-fd0');
    expect(virtualNodeName('eastus', { zone: '2', faultDomain: 1 })).to.equal('aci-vk-eastus-2-fd1');
  });
  it('scale-in empties the fullest slot, unhealthy then outdated first', () => {
    const cgs = [
      { name: 'a', zone: '1', faultDomain: 0, healthy: true, updated: true },
      { name: 'b', zone: '1', faultDomain: 0, healthy: false, updated: true },
      { name: 'c', zone: '1', faultDomain: 0, healthy: true, updated: false },
      { name: 'd', zone: '2', faultDomain: 0, healthy: true, updated: true },
    ];
    expect(pickScaleIn(cgs, 2)).to.deep.equal(['b', 'c']);
    expect(pickScaleIn(cgs, 10)).to.have.length(4);
  });
});

describe('ngroup/images (simulated registry)', () => {
  const reg = parseRegistry({
    unhealthy: 'app:v3-broken, other:1\n# comment',
    latest: 'nginx=nginx:1.27.3\nmyacr.io/team/app=myacr.io/team/app:v9',
  });
  it('splits references with registry ports and digests', () => {
    expect(splitImage('myacr.io:5000/team/app:v1')).to.deep.equal({ repository: 'myacr.io:5000/team/app', tag: 'v1', digest: undefined });
    expect(splitImage('nginx')).to.deep.equal({ repository: 'nginx', tag: undefined, digest: undefined });
    expect(splitImage('nginx@sha256:abc').digest).to.equal('sha256:abc');
  });
  it('resolves latest and untagged images; leaves pinned ones', () => {
    expect(resolveImage('nginx', reg)).to.equal('nginx:1.27.3');
    expect(resolveImage('nginx:latest', reg)).to.equal('nginx:1.27.3');
    expect(resolveImage('myacr.io/team/app:latest', reg)).to.equal('myacr.io/team/app:v9');
    expect(resolveImage('nginx:1.25', reg)).to.equal('nginx:1.25');
    expect(resolveImage('busybox:latest', reg)).to.equal('busybox:latest');
  });
  it('marks listed images unhealthy, as written or as resolved', () => {
    expect(isUnhealthyImage('app:v3-broken', 'app:v3-broken', reg)).to.equal(true);
    expect(isUnhealthyImage('app:latest', 'other:1', reg)).to.equal(true);
    expect(isUnhealthyImage('app:v2', 'app:v2', reg)).to.equal(false);
  });
});

describe('ngroup/pod', () => {
  const ng = { metadata: { name: 'ng1', namespace: 'rg1', uid: 'u1' }, spec: {} } as NGroup;
  it('builds a CG Pod on its virtual node with the ACI fields mapped', () => {
    const pod = buildPod({
      ngroup: ng,
      name: 'cg-1',
      profileName: 'p1',
      revision: 3,
      spec: {
        restartPolicy: 'OnFailure',
        containers: [
          {
            name: 'web',
            image: 'app:v3-broken',
            command: ['/bin/app'],
            environmentVariables: [
              { name: 'A', value: '1' },
              { name: 'S', secureValue: 's' },
            ],
            ports: [{ port: 80 }],
            resources: { requests: { cpu: 0.5, memoryInGB: 1.5 } },
            livenessProbe: { httpGet: { path: '/', port: 80, scheme: 'http' } },
          },
        ],
      },
      slot: { zone: '2', faultDomain: 1 },
      nodeName: 'aci-vk-eastus-2-fd1',
      registry: parseRegistry({ unhealthy: 'app:v3-broken' }),
      cgId: '/x/containerGroups/cg-1',
      ngroupId: '/x/ngroups/ng1',
    });
    expect(pod.spec!.nodeName).to.equal('aci-vk-eastus-2-fd1');
    expect(pod.spec!.restartPolicy).to.equal('OnFailure');
    expect(pod.spec!.tolerations).to.deep.include({ key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' });
    const c = pod.spec!.containers[0]!;
    expect(c.resources!.requests).to.deep.equal({ cpu: '0.5', memory: '1.5Gi' });
    expect(c.env).to.deep.equal([
      { name: 'A', value: '1' },
      { name: 'S', value: 's' },
    ]);
    expect(c.livenessProbe!.httpGet).to.deep.equal({ path: '/', port: 80, scheme: 'HTTP' });
    expect(pod.metadata!.labels).to.include({
      [NG.ngroup]: 'ng1',
      [NG.revision]: '3',
      [NG.zone]: '2',
      [NG.faultDomain]: '1',
      [NG.unhealthy]: 'true',
    });
    expect(pod.metadata!.annotations![NG.cgId]).to.equal('/x/containerGroups/cg-1');
    expect(pod.metadata!.ownerReferences![0]).to.include({ kind: 'NGroup', name: 'ng1', controller: true });
  });
});
