// Pure parts of the ARM layer for real clients: api-versions per resource type, long-running
// operation URLs and tokens, Retry-After scaling, and the NGroup PUT that keeps create-only fields.
import { expect } from 'chai';
import { checkApiVersion, familyOf } from '../../src/arm/apiversions.js';
import { decodeToken, encodeToken, lroHeaders, retryAfterSeconds } from '../../src/arm/lro.js';
import { putOverCurrent } from '../../src/aci/routes.js';
import type { NGroupSpec } from '../../src/api/generated.js';

describe('arm/apiversions', () => {
  const seg = (p: string): string[] => p.split('/').filter(Boolean);
  it('knows the provider of a path', () => {
    expect(familyOf(seg('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c'))).to.equal(
      'containerservice',
    );
    expect(familyOf(seg('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerInstance/ngroups/n'))).to.equal(
      'containerinstance',
    );
    expect(familyOf(seg('/subscriptions/s/resourceGroups/rg'))).to.equal('resources');
    expect(familyOf(seg('/subscriptions/s/providers/Microsoft.ContainerService'))).to.equal('resources');
    expect(familyOf(seg('/subscriptions/s/providers/Microsoft.ContainerService/register'))).to.equal('resources');
    expect(familyOf(seg('/metadata/endpoints'))).to.equal('metadata');
    expect(familyOf(seg('/subscriptions/s/providers/Microsoft.Nope/things'))).to.equal(undefined);
  });
  it('accepts the versions real clients send and refuses others in ARM words', () => {
    for (const v of ['2026-06-01', '2022-11-01', '2024-01-02-preview', '2023-01-01'])
      expect(checkApiVersion('containerservice', v)).to.equal(undefined);
    expect(checkApiVersion('resources', '2019-11-01')).to.equal(undefined);
    expect(checkApiVersion('resources', '2021-04-01')).to.equal(undefined);
    expect(checkApiVersion('containerinstance', '2026-06-01-preview')).to.equal(undefined);
    const msg = checkApiVersion('containerservice', '2019-01-01');
    expect(msg).to.match(/^The api-version '2019-01-01' is invalid\. The supported versions are '2026-06-02-preview,.*2017-08-31'\.$/);
  });
});

describe('arm/lro', () => {
  it('round-trips a token and refuses garbage', () => {
    const t = { target: { kind: 'SimNodePool' as const, rg: 'rg', cluster: 'c', pool: 'np' }, op: 'abc', gen: 3, at: 1 };
    expect(decodeToken(encodeToken(t))).to.deep.equal(t);
    expect(decodeToken('not base64 json')).to.equal(undefined);
    expect(decodeToken(Buffer.from('{"target":{"kind":"Other"}}').toString('base64url'))).to.equal(undefined);
    expect(decodeToken(null)).to.equal(undefined);
  });
  it('points status URLs at the location routes of the endpoint the client called', () => {
    const h = lroHeaders({
      base: 'https://127.0.0.1:8443/',
      sub: 's',
      location: 'eastus',
      apiVersion: '2026-06-01',
      token: { target: { kind: 'SimCluster', rg: 'rg', cluster: 'c' }, op: 'guid-1', at: 5 },
      retryAfterSeconds: 1,
    });
    expect(h['Azure-AsyncOperation']).to.match(
      /^https:\/\/127\.0\.0\.1:8443\/subscriptions\/s\/providers\/Microsoft\.ContainerService\/locations\/eastus\/operations\/guid-1\?api-version=2026-06-01&t=/,
    );
    expect(h.Location).to.include('/locations/eastus/operationresults/guid-1?');
    expect(h['Retry-After']).to.equal('1');
    const g = lroHeaders({
      base: 'https://x',
      sub: 's',
      location: 'eastus',
      apiVersion: 'v',
      token: { target: { kind: 'ResourceGroup', rg: 'rg' }, del: true, at: 5 },
      retryAfterSeconds: 2,
    });
    expect(g.Location).to.match(/^https:\/\/x\/subscriptions\/s\/operationresults\//);
    expect(g).to.not.have.property('Azure-AsyncOperation');
  });
  it('scales Retry-After with timeScale, never under one second', () => {
    expect(retryAfterSeconds(1)).to.equal(10);
    expect(retryAfterSeconds(5)).to.equal(2);
    expect(retryAfterSeconds(60)).to.equal(1);
  });
});

describe('aci NGroup PUT over an existing NGroup', () => {
  const current: NGroupSpec = {
    location: 'eastus',
    zones: ['1', '2', '3'],
    placementProfile: { faultDomainCount: 2 },
    elasticProfile: { desiredCount: 12 },
    tags: { a: 'b' },
    containerGroupProfiles: [{ resource: { id: 'cgp1' } }],
    updateProfile: { updateMode: 'Rolling' },
  };
  it("keeps zones, fault domains, the count and tags that seed 002's body leaves out", () => {
    const body = {
      location: 'eastus',
      properties: { updateProfile: { updateMode: 'Rolling' }, containerGroupProfiles: [{ resource: { id: 'cgp2' } }] },
    };
    const next: NGroupSpec = {
      location: 'eastus',
      elasticProfile: {},
      updateProfile: { updateMode: 'Rolling' },
      containerGroupProfiles: [{ resource: { id: 'cgp2' } }],
    };
    const out = putOverCurrent(current, next, body);
    expect(out).to.deep.include({
      zones: ['1', '2', '3'],
      placementProfile: { faultDomainCount: 2 },
      elasticProfile: { desiredCount: 12 },
      tags: { a: 'b' },
    });
    expect(out.containerGroupProfiles).to.deep.equal([{ resource: { id: 'cgp2' } }]);
  });
  it('takes what the body does say', () => {
    const body = { zones: ['1', '2', '3'], tags: {}, properties: { elasticProfile: { desiredCount: 3 } } };
    const out = putOverCurrent(
      current,
      { location: 'eastus', zones: ['1', '2', '3'], elasticProfile: { desiredCount: 3 }, tags: {} },
      body,
    );
    expect(out.elasticProfile).to.deep.equal({ desiredCount: 3 });
    expect(out.tags).to.deep.equal({});
    const keepCount = putOverCurrent(
      current,
      { location: 'eastus', elasticProfile: { maintainDesiredCount: true } },
      { properties: { elasticProfile: { maintainDesiredCount: true } } },
    );
    expect(keepCount.elasticProfile).to.deep.equal({ maintainDesiredCount: true, desiredCount: 12 });
  });
});
