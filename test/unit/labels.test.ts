// Unit tests for the Node labels, taints, nodeInfo and providerID of simulated AKS nodes.
import { expect } from 'chai';
import { type NodeShape, nodeInfo, nodeLabels, nodeTaints, parseTaint, providerId } from '../../src/model/node-labels.js';

function shape(extra: Partial<NodeShape> = {}): NodeShape {
  return {
    nodeName: 'aks-nodepool1-12345678-vmss000000',
    cluster: 'cluster1',
    resourceGroup: 'myRG',
    pool: 'nodepool1',
    mode: 'System',
    osType: 'Linux',
    osSku: 'Ubuntu',
    vmSize: 'Standard_D2s_v3',
    region: 'eastus',
    zone: '1',
    priority: 'Regular',
    kubernetesVersion: '1.34.4',
    nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202410.27.0',
    ...extra,
  };
}

describe('machine/labels', () => {
  it('sets the AKS labels for a zonal system node', () => {
    expect(nodeLabels(shape())).to.deep.equal({
      'kubernetes.azure.com/agentpool': 'nodepool1',
      agentpool: 'nodepool1',
      'kubernetes.azure.com/mode': 'system',
      'kubernetes.azure.com/node-image-version': 'AKSUbuntu-2204gen2containerd-202410.27.0',
      'kubernetes.azure.com/os-sku': 'Ubuntu',
      'kubernetes.azure.com/role': 'agent',
      'kubernetes.azure.com/cluster': 'MC_myRG_cluster1_eastus',
      'kubernetes.azure.com/managedby': 'aks',
      'node.kubernetes.io/instance-type': 'Standard_D2s_v3',
      'beta.kubernetes.io/instance-type': 'Standard_D2s_v3',
      'topology.kubernetes.io/region': 'eastus',
      'topology.kubernetes.io/zone': 'eastus-1',
      'failure-domain.beta.kubernetes.io/zone': 'eastus-1',
      'kubernetes.io/os': 'linux',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'aks-nodepool1-12345678-vmss000000',
    });
  });

  it('uses zone 0 (or the fault domain) when not zonal', () => {
    expect(nodeLabels(shape({ zone: '' }))['topology.kubernetes.io/zone']).to.equal('0');
    expect(nodeLabels(shape({ zone: '', faultDomain: 2 }))).to.include({
      'topology.kubernetes.io/zone': '2',
      'failure-domain.beta.kubernetes.io/zone': '2',
    });
  });

  it('adds spot labels and lowercases mode and os', () => {
    const l = nodeLabels(shape({ priority: 'Spot', mode: 'User', osType: 'Windows', osSku: 'Windows2022' }));
    expect(l).to.include({
      'kubernetes.azure.com/scalesetpriority': 'spot',
      'kubernetes.azure.com/priority': 'spot',
      'kubernetes.azure.com/mode': 'user',
      'kubernetes.io/os': 'windows',
    });
    expect(nodeLabels(shape())).to.not.have.property('kubernetes.azure.com/scalesetpriority');
  });

  it('merges user labels but never over kubernetes.azure.com/* keys', () => {
    const l = nodeLabels(
      shape({ nodeLabels: { team: 'a', 'kubernetes.azure.com/mode': 'user', 'kubernetes.azure.com/extra': 'x', agentpool: 'other' } }),
    );
    expect(l).to.include({ team: 'a', 'kubernetes.azure.com/mode': 'system', agentpool: 'other' });
    expect(l).to.not.have.property('kubernetes.azure.com/extra');
  });

  it('keeps the cluster label a valid label value', () => {
    const v = nodeLabels(shape({ resourceGroup: 'rg(test).' + 'x'.repeat(70) }))['kubernetes.azure.com/cluster'] ?? '';
    expect(v.length).to.be.at.most(63);
    expect(v).to.match(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    expect(v.startsWith('MC_rg_test_.')).to.equal(true);
  });

  const taints: [string, ReturnType<typeof parseTaint>][] = [
    ['sku=gpu:NoSchedule', { key: 'sku', value: 'gpu', effect: 'NoSchedule' }],
    ['dedicated:NoExecute', { key: 'dedicated', effect: 'NoExecute' }],
    ['example.com/team=a:PreferNoSchedule', { key: 'example.com/team', value: 'a', effect: 'PreferNoSchedule' }],
    [' k=v:NoSchedule ', { key: 'k', value: 'v', effect: 'NoSchedule' }],
    ['k=:NoSchedule', { key: 'k', value: '', effect: 'NoSchedule' }],
    ['k=v', undefined],
    ['k=v:Sometimes', undefined],
    ['k=v:noschedule', undefined],
    [':NoSchedule', undefined],
    ['bad key=v:NoSchedule', undefined],
    ['k=bad value:NoSchedule', undefined],
  ];
  for (const [text, want] of taints) {
    it(`parseTaint(${JSON.stringify(text)})`, () => expect(parseTaint(text)).to.deep.equal(want));
  }

  it('nodeTaints parses user taints, adds the spot taint and dedupes by key+effect', () => {
    expect(nodeTaints(shape())).to.deep.equal([]);
    expect(
      nodeTaints(
        shape({
          priority: 'Spot',
          nodeTaints: [
            'sku=gpu:NoSchedule',
            'sku=cpu:NoSchedule',
            'sku=gpu:NoExecute',
            'junk',
            'kubernetes.azure.com/scalesetpriority=spot:NoSchedule',
          ],
        }),
      ),
    ).to.deep.equal([
      { key: 'sku', value: 'gpu', effect: 'NoSchedule' },
      { key: 'sku', value: 'gpu', effect: 'NoExecute' },
      { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
    ]);
    expect(nodeTaints(shape({ priority: 'Spot' }))).to.deep.equal([
      { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
    ]);
  });

  const images: [Partial<NodeShape>, string, string, string][] = [
    [{}, 'Ubuntu 22.04.5 LTS', 'linux', '5.15.0-1079-azure'],
    [{ osSku: 'AzureLinux' }, 'CBL-Mariner/Linux', 'linux', '5.15.0-1079-azure'],
    [{ osType: 'Windows', osSku: 'Windows2022' }, 'Windows Server 2022 Datacenter', 'windows', '10.0.20348.3207'],
    [{ osType: 'Windows', osSku: 'Windows2019' }, 'Windows Server 2019 Datacenter', 'windows', '10.0.17763.6893'],
  ];
  for (const [extra, osImage, os, kernel] of images) {
    it(`nodeInfo for ${extra.osSku ?? 'Ubuntu'}`, () => {
      expect(nodeInfo(shape(extra))).to.deep.equal({
        kubeletVersion: 'v1.34.4',
        kubeProxyVersion: 'v1.34.4',
        osImage,
        operatingSystem: os,
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.27-1',
        kernelVersion: kernel,
        machineID: '',
        systemUUID: '',
        bootID: '',
      });
    });
  }

  it('builds the AKS providerID with a lowercase node resource group', () => {
    expect(providerId('sub1', 'myRG', 'Cluster1', 'eastus', 'aks-nodepool1-12345678-vmss', 3)).to.equal(
      'azure:///subscriptions/sub1/resourceGroups/mc_myrg_cluster1_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss/virtualMachines/3',
    );
  });
});
