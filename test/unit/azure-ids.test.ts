// Unit tests for ARM resource id building and parsing.
import { expect } from 'chai';
import { agentPoolId, clusterId, operationId, parseAgentPoolId, parseArmId, parseClusterId, snapshotId } from '../../src/azure/ids.js';

const SUB = '11111111-2222-3333-4444-555555555555';

describe('azure/ids', () => {
  it('builds cluster, agent pool, operation and snapshot ids', () => {
    const c = clusterId(SUB, 'rg1', 'cluster1');
    expect(c).to.equal(`/subscriptions/${SUB}/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/cluster1`);
    expect(agentPoolId(SUB, 'rg1', 'cluster1', 'nodepool1')).to.equal(`${c}/agentPools/nodepool1`);
    expect(operationId(c, 'op-1')).to.equal(`${c}/operations/op-1`);
    expect(snapshotId(SUB, 'rg1', 'snap1')).to.equal(
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/snapshots/snap1`,
    );
  });

  it('parses a generic id with nested types', () => {
    expect(parseArmId(agentPoolId(SUB, 'rg1', 'c1', 'np1'))).to.deep.equal({
      subscription: SUB,
      resourceGroup: 'rg1',
      provider: 'Microsoft.ContainerService',
      types: [
        { type: 'managedClusters', name: 'c1' },
        { type: 'agentPools', name: 'np1' },
      ],
    });
  });

  const accepted: [string, string][] = [
    ['az CLI form', `/subscriptions/${SUB}/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`],
    ['resourceGroups', `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`],
    ['upper-case fixed segments', `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/rg1/PROVIDERS/microsoft.containerservice/MANAGEDCLUSTERS/c1`],
    [
      'management host prefix',
      `https://management.azure.com/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`,
    ],
    [
      'query string',
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1?api-version=2025-01-01`,
    ],
    ['trailing slash', `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1/`],
  ];
  for (const [label, id] of accepted) {
    it(`parseClusterId accepts ${label}`, () => {
      expect(parseClusterId(id)).to.deep.equal({ subscription: SUB, resourceGroup: 'rg1', cluster: 'c1' });
    });
  }

  const rejected: [string, string][] = [
    ['empty', ''],
    ['no leading slash', `subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`],
    ['missing providers', `/subscriptions/${SUB}/resourceGroups/rg1/Microsoft.ContainerService/managedClusters/c1`],
    ['empty segment', `/subscriptions//resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`],
    ['type without name', `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters`],
    ['resource group only', `/subscriptions/${SUB}/resourceGroups/rg1`],
    ['wrong host', `https://example.com/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1`],
  ];
  for (const [label, id] of rejected) {
    it(`parseArmId rejects ${label}`, () => {
      expect(parseArmId(id)).to.equal(undefined);
    });
  }

  it('parseClusterId rejects other providers, types and agent pool ids', () => {
    expect(parseClusterId(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Compute/managedClusters/c1`)).to.equal(undefined);
    expect(parseClusterId(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/snapshots/s1`)).to.equal(
      undefined,
    );
    expect(parseClusterId(agentPoolId(SUB, 'rg1', 'c1', 'np1'))).to.equal(undefined);
  });

  it('parseAgentPoolId round-trips and is case-insensitive', () => {
    const want = { subscription: SUB, resourceGroup: 'rg1', cluster: 'c1', pool: 'np1' };
    expect(parseAgentPoolId(agentPoolId(SUB, 'rg1', 'c1', 'np1'))).to.deep.equal(want);
    expect(
      parseAgentPoolId(`/subscriptions/${SUB}/resourceGroups/rg1/providers/MICROSOFT.CONTAINERSERVICE/managedclusters/c1/AGENTPOOLS/np1`),
    ).to.deep.equal(want);
    expect(parseAgentPoolId(clusterId(SUB, 'rg1', 'c1'))).to.equal(undefined);
    expect(parseAgentPoolId(`${clusterId(SUB, 'rg1', 'c1')}/nodePools/np1`)).to.equal(undefined);
  });
});
