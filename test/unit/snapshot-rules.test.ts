// Unit: node pool snapshot rules (src/azure/images-snapshots.ts) and their ARM JSON shape.
import { expect } from 'chai';
import type { NodePoolSnapshot } from '../../src/api/generated.js';
import { snapshotJson } from '../../src/arm/shapes.js';
import {
  captureSnapshot,
  checkNodeImage,
  checkPoolFitsSnapshot,
  checkUpgradeToSnapshot,
  parseSnapshotId,
  snapshotKey,
  type SnapshotInfo,
} from '../../src/azure/images-snapshots.js';

const SUB = '00000000-0000-0000-0000-000000000000';
const snap: SnapshotInfo = {
  kubernetesVersion: '1.33.5',
  nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202503.02.0',
  osType: 'Linux',
  osSku: 'Ubuntu',
  vmSize: 'Standard_D2s_v3',
  enableFIPS: false,
  location: 'eastus',
};
const done = {
  spec: { name: 'nodepool1', vmSize: 'Standard_D2s_v3' },
  status: { provisioningState: 'Succeeded', currentOrchestratorVersion: '1.33.5', nodeImageVersion: snap.nodeImageVersion },
};

describe('node pool snapshot rules', () => {
  it('parses snapshot ids case-insensitively into namespace/name keys', () => {
    const id = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerService/snapshots/MySnapshot`;
    expect(parseSnapshotId(id)).to.deep.equal({ subscription: SUB, resourceGroup: 'myResourceGroup', name: 'MySnapshot' });
    expect(snapshotKey(id)).to.equal('myresourcegroup/mysnapshot');
    expect(parseSnapshotId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c`)).to.equal(
      undefined,
    );
  });

  it('captures a pool that finished an operation, in its region', () => {
    expect(captureSnapshot(done, 'East US').info).to.deep.equal(snap);
    expect(captureSnapshot(done, 'eastus', 'eastus').info?.location).to.equal('eastus');
    expect(captureSnapshot(done, 'eastus', 'westus').refusal?.code).to.equal('InvalidSnapshotLocation');
  });

  it('refuses a pool that never finished an operation', () => {
    const creating = {
      spec: { name: 'np' },
      status: {
        provisioningState: 'Creating',
        currentOperation: { type: 'Create' },
        currentOrchestratorVersion: '1.33.5',
        nodeImageVersion: snap.nodeImageVersion,
      },
    };
    const r = captureSnapshot(creating, 'eastus').refusal!;
    expect(r.code).to.equal('SnapshotSourceNotReady');
    expect(r.message).to.match(/has not finished an operation/);
    expect(captureSnapshot({ spec: { name: 'np' } }, 'eastus').refusal?.code).to.equal('SnapshotSourceNotReady');
    // Scaling after its creation: it has finished one.
    expect(
      captureSnapshot({ ...done, status: { ...done.status, provisioningState: 'Scaling', currentOperation: { type: 'Scale' } } }, 'eastus')
        .info,
    ).to.not.equal(undefined);
  });

  it('needs the same VM family and OS', () => {
    expect(checkPoolFitsSnapshot('s', snap, { name: 'np', vmSize: 'Standard_DS2_v2' })).to.equal(undefined);
    expect(checkPoolFitsSnapshot('s', snap, { name: 'np', vmSize: 'Standard_D8s_v5' })).to.equal(undefined);
    const r = checkPoolFitsSnapshot('s', snap, { name: 'gpu', vmSize: 'Standard_NC6s_v3' })!;
    expect(r.code).to.equal('InvalidVMSizeForSnapshot');
    expect(r.message).to.match(/same VM family/);
    expect(checkPoolFitsSnapshot('s', snap, { name: 'np', vmSize: 'Standard_D2s_v3', osSKU: 'AzureLinux' })?.code).to.equal(
      'InvalidOSSKUForSnapshot',
    );
  });

  it('upgrades only to a newer snapshot; the same Kubernetes version needs --node-image-only', () => {
    const older = { poolName: 'np', poolImage: 'AKSUbuntu-2204gen2containerd-202502.23.0', snapName: 's', snap };
    expect(checkUpgradeToSnapshot({ ...older, poolVersion: '1.32.9', nodeImageOnly: false })).to.equal(undefined);
    expect(checkUpgradeToSnapshot({ ...older, poolVersion: '1.33.5', nodeImageOnly: false })?.code).to.equal(
      'SnapshotSameKubernetesVersion',
    );
    expect(checkUpgradeToSnapshot({ ...older, poolVersion: '1.33.5', nodeImageOnly: true })).to.equal(undefined);
    expect(checkUpgradeToSnapshot({ ...older, poolVersion: '1.34.4', nodeImageOnly: false })?.code).to.equal('SnapshotVersionNotNewer');
    const newerImage = { ...older, poolImage: 'AKSUbuntu-2204gen2containerd-202503.09.0' };
    expect(checkUpgradeToSnapshot({ ...newerImage, poolVersion: '1.32.9', nodeImageOnly: false })?.code).to.equal(
      'SnapshotNodeImageNotNewer',
    );
    expect(
      checkUpgradeToSnapshot({ ...older, poolImage: snap.nodeImageVersion, poolVersion: '1.33.5', nodeImageOnly: true })?.code,
    ).to.equal('SnapshotNodeImageNotNewer');
  });

  it('node images never go down and stay in their family', () => {
    const cur = 'AKSUbuntu-2204gen2containerd-202503.02.0';
    expect(checkNodeImage({ poolName: 'np', want: 'AKSUbuntu-2204gen2containerd-202502.23.0', current: cur })?.code).to.equal(
      'NodeImageVersionDowngrade',
    );
    expect(checkNodeImage({ poolName: 'np', want: 'AKSUbuntu-2204gen2containerd-202503.09.0', current: cur })).to.equal(undefined);
    expect(
      checkNodeImage({
        poolName: 'np',
        want: 'AKSAzureLinux-V2gen2-202503.09.0',
        current: cur,
        expectedPrefix: 'AKSUbuntu-2204gen2containerd',
      })?.code,
    ).to.equal('InvalidNodeImageVersion');
  });

  it('renders the ARM snapshot shape of the REST spec example', () => {
    const obj: NodePoolSnapshot = {
      metadata: { name: 'snapshot1', namespace: 'rg1', creationTimestamp: '2025-03-01T00:00:00Z' as unknown as Date },
      spec: {
        creationData: {
          sourceResourceId: `/subscriptions/${SUB}/resourcegroups/rg1/providers/Microsoft.ContainerService/managedClusters/cluster1/agentPools/nodepool1`,
        },
        snapshotType: 'NodePool',
        location: 'eastus',
      },
      status: { provisioningState: 'Succeeded', ...snap, createdAt: '2025-03-01T00:00:00Z' },
    };
    const j = snapshotJson(obj, SUB);
    expect(j).to.deep.include({
      id: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/snapshots/snapshot1`,
      name: 'snapshot1',
      type: 'Microsoft.ContainerService/Snapshots',
      location: 'eastus',
    });
    expect(j.properties).to.deep.equal({
      creationData: obj.spec.creationData,
      snapshotType: 'NodePool',
      nodeImageVersion: snap.nodeImageVersion,
      kubernetesVersion: '1.33.5',
      osType: 'Linux',
      osSku: 'Ubuntu',
      vmSize: 'Standard_D2s_v3',
      enableFIPS: false,
    });
  });
});
