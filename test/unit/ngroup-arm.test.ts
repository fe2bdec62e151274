// ARM conversion (src/aci/arm.ts) checked against the ACI 2026-06-01-preview REST examples, and
// profile revisions / in-place rules (src/aci/profile.ts).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { ContainerGroupProfile, NGroup } from '../../src/api/generated.js';
import * as arm from '../../src/aci/arm.js';
import { parseAciId, profileRefOf } from '../../src/aci/ids.js';
import { recordRevision, recreateProperties, specAtRevision } from '../../src/aci/profile.js';

const SPECS = new URL(
  '../fixtures/azure-rest-specs/specification/containerinstance/resource-manager/Microsoft.ContainerInstance/ContainerInstance/',
  import.meta.url,
).pathname;
const example = (path: string): any => JSON.parse(readFileSync(SPECS + path, 'utf8'));
const SUB = '00000000-0000-0000-0000-000000000000';

function ngroupFrom(body: unknown, name: string, ns: string, state = 'Succeeded'): NGroup {
  return { metadata: { name, namespace: ns }, spec: arm.ngroupSpecFromArm(body), status: { provisioningState: state } } as NGroup;
}

describe('aci/arm NGroups', () => {
  it('NGroupsCreateOrUpdate: request -> spec -> response body as in the example', () => {
    const ex = example('examples/2026-06-01-preview/NGroupsCreateOrUpdate.json');
    const ng = ngroupFrom(ex.parameters.NGroup, ex.parameters.ngroupsName, ex.parameters.resourceGroupName);
    expect(arm.ngroupToArm(ng, SUB)).to.deep.equal(ex.responses['201'].body);
  });

  it('NGroupsGet / NGroupsList bodies are what ngroupToArm gives', () => {
    const get = example('examples/2026-06-01-preview/NGroupsGet.json').responses['200'].body;
    const ng = ngroupFrom(get, 'demo-ngroup', 'demo');
    expect(arm.ngroupToArm(ng, SUB)).to.deep.equal(get);
    const list = example('preview/2026-06-01-preview/examples/NGroupsList.json').responses['200'].body;
    expect(arm.listToArm([arm.ngroupToArm(ng, SUB)])).to.deep.equal(list);
  });

  it('NGroupsUpdate (PATCH tags) merges into the current spec', () => {
    const ex = example('preview/2026-06-01-preview/examples/NGroupsUpdate.json');
    const current = arm.ngroupSpecFromArm(
      example('examples/2026-06-01-preview/NGroupsCreateOrUpdate.json').parameters.NGroup,
    ) as NGroup['spec'];
    const next = arm.mergeNGroupPatch(current, ex.parameters.NGroup);
    expect(next.tags).to.deep.equal({ env: 'test' });
    expect(next.elasticProfile).to.deep.equal({ maintainDesiredCount: true, desiredCount: 1 });
    const out = arm.ngroupToArm(
      { metadata: { name: 'demo-ngroup', namespace: 'demo' }, spec: next, status: { provisioningState: 'Succeeded' } } as NGroup,
      SUB,
    );
    expect(out.properties).to.deep.equal(ex.responses['200'].body.properties);
  });

  it("accepts the seed document's body: percents as strings, null inPlaceUpdate, profile ids", () => {
    const body = {
      location: 'westeurope',
      tags: { 'rollingupdate.replace.enabled': true },
      properties: {
        updateProfile: {
          updateMode: 'Rolling',
          rollingUpdateProfile: {
            maxBatchPercent: '10',
            maxUnhealthyPercent: '10%',
            maxUnhealthyUpdatedPercent: 10,
            pauseTimeBetweenBatches: 'PT2M',
            inPlaceUpdate: null,
          },
        },
        containerGroupProfiles: [
          {
            resource: { id: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerInstance/containerGroupProfiles/cgp1` },
          },
        ],
      },
    };
    const spec = arm.ngroupSpecFromArm(body);
    expect(spec.updateProfile).to.deep.equal({
      updateMode: 'Rolling',
      rollingUpdateProfile: {
        maxBatchPercent: 10,
        maxUnhealthyPercent: 10,
        maxUnhealthyUpdatedPercent: 10,
        pauseTimeBetweenBatches: 'PT2M',
        inPlaceUpdate: null,
      },
    });
    expect(spec.tags).to.deep.equal({ 'rollingupdate.replace.enabled': 'true' });
    expect(profileRefOf(spec.containerGroupProfiles![0]!.resource.id, 'other')).to.deep.equal({ namespace: 'rg1', name: 'cgp1' });
  });

  it('refuses bad input with ARM error bodies', () => {
    const cases: [unknown, string][] = [
      [{ properties: { updateProfile: { rollingUpdateProfile: { maxBatchPercent: '0' } } } }, 'maxBatchPercent'],
      [{ properties: { updateProfile: { rollingUpdateProfile: { maxBatchPercent: '120%' } } } }, 'maxBatchPercent'],
      [{ properties: { updateProfile: { rollingUpdateProfile: { maxUnhealthyPercent: 'ten' } } } }, 'maxUnhealthyPercent'],
      [{ properties: { updateProfile: { rollingUpdateProfile: { pauseTimeBetweenBatches: '2 minutes' } } } }, 'pauseTimeBetweenBatches'],
      [{ properties: { updateProfile: { updateMode: 'Auto' } } }, 'updateMode'],
      [
        {
          properties: {
            containerGroupProfiles: [
              { resource: { id: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z' } },
            ],
          },
        },
        'containerGroupProfiles',
      ],
      [{ properties: { elasticProfile: { desiredCount: -1 } } }, 'desiredCount'],
      ['nope', 'JSON object'],
    ];
    for (const [body, what] of cases) {
      let err: unknown;
      try {
        arm.ngroupSpecFromArm(body);
      } catch (e) {
        err = e;
      }
      expect(err, what).to.be.instanceOf(arm.ArmError);
      const e = err as arm.ArmError;
      expect(e.status).to.equal(400);
      expect(e.body.error.code).to.equal('InvalidRequestContent');
      expect(e.body.error.message).to.contain(what);
    }
  });

  it('checkNGroupUpdate refuses fault domain changes and zone removal', () => {
    const base = { zones: ['1', '2'], placementProfile: { faultDomainCount: 2 } } as NGroup['spec'];
    expect(arm.checkNGroupUpdate(base, { ...base, zones: ['1', '2', '3'] })).to.equal(undefined);
    expect(arm.checkNGroupUpdate(base, { ...base, zones: ['1'] })!.code).to.equal('ZonesCannotBeRemoved');
    expect(arm.checkNGroupUpdate(base, { zones: base.zones, placementProfile: { faultDomainCount: 3 } })!.code).to.equal(
      'FaultDomainCountImmutable',
    );
  });

  it('latestRollingUpdate and cancelRollingUpdate', () => {
    const ng = {
      metadata: { name: 'ng1', namespace: 'rg' },
      spec: {},
      status: {
        latestRollingUpdate: {
          id: 2,
          profile: { id: '/p', revision: 3 },
          state: 'InProgress',
          batchesCompleted: 2,
          totalBatches: 6,
          succeededCount: 10,
          failedCount: 0,
          pendingCount: 20,
          startTime: 't0',
          lastAction: 'Start',
          lastActionTime: 't0',
          currentBatch: { index: 2, phase: 'Pausing', members: ['a', 'b'], faultDomain: '2/0' },
        },
      },
    } as NGroup;
    expect(arm.latestRollingUpdateToArm(ng)).to.deep.equal({
      id: 2,
      containerGroupProfile: { resource: { id: '/p' }, revision: 3 },
      updateType: 'Replace',
      state: 'InProgress',
      batchesCompleted: 2,
      totalBatches: 6,
      currentBatch: { index: 2, phase: 'Pausing', containerGroupCount: 2, faultDomain: '2/0' },
      succeededCount: 10,
      failedCount: 0,
      pendingCount: 20,
      startTime: 't0',
      lastAction: 'Start',
      lastActionTime: 't0',
    });
    expect(arm.cancelRollingUpdatePatch(ng, 'now')).to.deep.equal({
      metadata: { annotations: { 'aksim.io/cancel-rolling-update': 'now' } },
    });
    const done = { ...ng, status: { latestRollingUpdate: { state: 'Succeeded' as const } } };
    expect(() => arm.cancelRollingUpdatePatch(done, 'now'))
      .to.throw(arm.ArmError)
      .with.property('status', 409);
    expect(arm.latestRollingUpdateToArm({ ...ng, status: {} })).to.equal(undefined);
  });
});

describe('aci/arm container group profiles', () => {
  /** What ACI adds or drops in answers that aksim does not simulate: the assigned IP. */
  const noIp = (b: any): any => {
    const c = structuredClone(b);
    delete c.properties.ipAddress?.ip;
    return c;
  };

  it('ContainerGroupProfilesCreateOrUpdate: request -> spec -> 201 body (secrets redacted)', () => {
    const ex = example('preview/2026-06-01-preview/examples/ContainerGroupProfilesCreateOrUpdate.json');
    const spec = arm.profileSpecFromArm(ex.parameters.ContainerGroupProfile);
    const rec = recordRevision(undefined, spec, 't')!;
    const cgp = {
      metadata: { name: 'demo1', namespace: 'demo' },
      spec,
      status: { revision: rec.revision, revisions: rec.revisions },
    } as ContainerGroupProfile;
    const out = arm.profileToArm(cgp, 'subid')!;
    const want = noIp(ex.responses['201'].body);
    want.properties.sku = undefined;
    delete want.properties.sku; // ACI fills in sku Standard; aksim's CRD defaults it in the API server
    expect({ ...out, location: want.location }).to.deep.equal(want);
    expect(out.location).to.equal('west us');
  });

  it('Get / GetByRevisionNumber / ListAllRevisions bodies round-trip', () => {
    const get = example('preview/2026-06-01-preview/examples/ContainerGroupProfilesGet.json').responses['200'].body;
    const spec = arm.profileSpecFromArm(get);
    const rec = recordRevision(undefined, spec, 't')!;
    const cgp = {
      metadata: { name: 'demo1', namespace: 'demo' },
      spec,
      status: { revision: 1, revisions: rec.revisions },
    } as ContainerGroupProfile;
    expect(arm.profileToArm(cgp, 'subid')).to.deep.equal(noIp(get));
    const byRev = example('preview/2026-06-01-preview/examples/ContainerGroupProfileGetByRevisionNumber.json').responses['200'].body;
    expect(arm.profileToArm(cgp, 'subid', 1)).to.deep.equal(noIp(byRev));
    expect(arm.profileToArm(cgp, 'subid', 7)).to.equal(undefined);
    const all = example('preview/2026-06-01-preview/examples/ContainerGroupProfileListAllRevisions.json').responses['200'].body;
    expect(arm.profileRevisionsToArm(cgp, 'subid')).to.deep.equal({ value: all.value.map(noIp) });
  });

  it('refuses a profile without containers or requests', () => {
    expect(() => arm.profileSpecFromArm({ properties: { containers: [] } })).to.throw(arm.ArmError);
    expect(() => arm.profileSpecFromArm({ properties: { containers: [{ name: 'a', properties: { image: 'x' } }] } })).to.throw(
      /cpu and memoryInGB/,
    );
  });

  it('refuses a profile without osType (ARM requires it)', () => {
    const containers = [{ name: 'a', properties: { image: 'x', resources: { requests: { cpu: 1, memoryInGB: 1 } } } }];
    expect(() => arm.profileSpecFromArm({ properties: { containers } })).to.throw(/properties\.osType' is required/);
    expect(arm.profileSpecFromArm({ properties: { osType: 'Linux', containers } }).osType).to.equal('Linux');
  });
});

describe('aci/profile revisions and in-place rules', () => {
  const base = {
    osType: 'Linux' as const,
    containers: [{ name: 'web', image: 'app:v1', resources: { requests: { cpu: 1, memoryInGB: 1 } } }],
  };
  it('records revision 1, then a new one per real change (tags excluded)', () => {
    const r1 = recordRevision(undefined, base, 't1')!;
    expect(r1.revision).to.equal(1);
    const st = { revision: 1, revisions: r1.revisions };
    expect(recordRevision(st, { ...base, tags: { a: 'b' } }, 't2')).to.equal(undefined);
    const r2 = recordRevision(st, { ...base, containers: [{ ...base.containers[0]!, image: 'app:v2' }] }, 't2')!;
    expect(r2.revision).to.equal(2);
    expect(r2.revisions.map((r) => r.revision)).to.deep.equal([1, 2]);
    const cgp = { metadata: {}, spec: base, status: { revision: 2, revisions: r2.revisions } } as ContainerGroupProfile;
    expect(specAtRevision(cgp, 1)!.spec.containers[0]!.image).to.equal('app:v1');
    expect(specAtRevision(cgp)!.revision).to.equal(2);
  });
  it('names the properties that need delete and recreate', () => {
    const img = {
      ...base,
      containers: [{ ...base.containers[0]!, image: 'app:v2', environmentVariables: [{ name: 'A', value: '1' }], command: ['x'] }],
    };
    expect(recreateProperties(base, img)).to.deep.equal([]);
    const cpu = { ...base, containers: [{ ...base.containers[0]!, resources: { requests: { cpu: 2, memoryInGB: 1 } } }] };
    expect(recreateProperties(base, cpu)).to.deep.equal(['containers[web].resources.requests.cpu']);
    expect(recreateProperties(base, { ...base, osType: 'Windows', restartPolicy: 'Never' })).to.deep.equal(['osType', 'restartPolicy']);
    expect(recreateProperties(base, { ...base, containers: [...base.containers, { name: 'side', image: 'x' }] })).to.deep.equal([
      'containers[side]',
    ]);
  });
  it('parses ACI ids case-insensitively', () => {
    expect(parseAciId('/subscriptions/s/resourcegroups/rg/providers/microsoft.containerinstance/NGroups/n1', 'ngroups')).to.deep.equal({
      subscription: 's',
      resourceGroup: 'rg',
      name: 'n1',
    });
    expect(parseAciId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/n1', 'ngroups')).to.equal(
      undefined,
    );
  });
});
