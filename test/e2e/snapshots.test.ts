// e2e: node images and node pool snapshots. Runs every ```sh block of docs/snapshots.md in order
// (one shell session: variables carry over; `aksim` is bin/aksim.js) and checks the real objects
// between blocks; then the refusals through the CLI and kubectl.
import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { NodePoolSnapshot, SimNodePool } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { aksimOnPath, docBlocks, runBlock } from '../support/docs.js';
import { apply, KUBECONFIG, kubectl, kubectlJson, run, sharedOperator, waitFor } from '../support/env.js';

const kube = Kube.fromFile(KUBECONFIG);
const aksim = (...args: string[]) => run(process.execPath, ['bin/aksim.js', ...args]);
const RG = 'myresourcegroup';
const UBUNTU = 'AKSUbuntu-2204gen2containerd-';
const I1 = `${UBUNTU}202502.23.0`; // latest on 2025-03-01
const I2 = `${UBUNTU}202503.02.0`; // latest on 2025-03-08
const I3 = `${UBUNTU}202503.09.0`; // latest on 2025-03-15

async function nodesOf(cluster: string, pool: string): Promise<V1Node[]> {
  return (
    await kubectlJson<{ items: V1Node[] }>(
      'get',
      'nodes',
      '-l',
      `aksim.io/namespace=${RG},aksim.io/cluster=${cluster},aksim.io/pool=${pool}`,
    )
  ).items;
}
const imageOf = (n: V1Node): string | undefined => n.metadata?.labels?.['kubernetes.azure.com/node-image-version'];
async function pool(cluster: string, name: string): Promise<SimNodePool> {
  return (await kube.get<SimNodePool>('SimNodePool', RG, `${cluster}-${name}`))!;
}
/** Waits until every node of the pool runs image and kubelet version, with `count` nodes. */
async function nodesAt(cluster: string, p: string, image: string, version: string, count?: number): Promise<V1Node[]> {
  return waitFor(
    `${cluster}/${p} nodes on ${version} ${image}`,
    async () => {
      const ns = await nodesOf(cluster, p);
      const ok =
        ns.length > 0 &&
        (count === undefined || ns.length === count) &&
        ns.every((n) => imageOf(n) === image && n.status?.nodeInfo?.kubeletVersion === `v${version}`);
      return ok ? ns : (false as const);
    },
    30_000,
  );
}

async function setEpoch(iso: string): Promise<void> {
  await kubectl(
    '-n',
    'aksim-system',
    'patch',
    'configmap',
    'aksim-node-images',
    '--type',
    'merge',
    '-p',
    JSON.stringify({ data: { simulatedEpoch: iso, realEpoch: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } }),
  );
}

describe('e2e: node images and node pool snapshots (docs/snapshots.md)', function () {
  this.timeout(300_000);
  let vars: Record<string, string> = {};

  before(async () => {
    await kubectl('apply', '-f', 'manifests/catalog/node-images.yaml');
    await sharedOperator();
    if ((await run('kubectl', ['get', 'namespace', RG])).code === 0) {
      await run('kubectl', ['delete', 'simclusters,simnodepools,nodepoolsnapshots', '--all', '-n', RG, '--wait=true', '--timeout=60s']);
      await run('kubectl', ['delete', 'namespace', RG, '--wait=true', '--timeout=60s']);
    }
  });
  after(async () => {
    await run('kubectl', ['delete', 'simclusters,simnodepools,nodepoolsnapshots', '--all', '-n', RG, '--wait=true', '--timeout=60s']);
    await run('kubectl', ['delete', 'namespace', RG, '--wait=false']);
    await setEpoch('2025-03-01T00:00:00Z');
  });

  it('runs the walkthrough as written: snapshot, pool and cluster from it, upgrade to it, pinned image through scaling', async () => {
    const bin = aksimOnPath();
    const checks: [RegExp, (stdout: string) => Promise<void>][] = [
      [
        /aksim aks nodepool add --name oldpool/,
        async () => {
          await nodesAt('myakscluster', 'nodepool1', I1, '1.33.5', 1);
          await nodesAt('myakscluster', 'oldpool', I1, '1.32.9', 1);
        },
      ],
      [
        /--name nodepool1 .*--node-image-only/,
        async (stdout) => {
          expect(stdout.trim().split('\n').at(-1)).to.equal(I2); // get-upgrades shows the new image before the upgrade
          const p = await pool('myakscluster', 'nodepool1');
          expect(p.status).to.include({ nodeImageVersion: I2, latestNodeImageVersion: I2, currentOrchestratorVersion: '1.33.5' });
          await nodesAt('myakscluster', 'nodepool1', I2, '1.33.5', 1);
          await nodesAt('myakscluster', 'oldpool', I1, '1.32.9', 1); // untouched: keeps its image
        },
      ],
      [
        /nodepool snapshot create/,
        async (stdout) => {
          const shown = JSON.parse(stdout) as Record<string, unknown>;
          expect(shown).to.include({
            type: 'Microsoft.ContainerService/Snapshots',
            snapshotType: 'NodePool',
            kubernetesVersion: '1.33.5',
            nodeImageVersion: I2,
            osType: 'Linux',
            osSku: 'Ubuntu',
            vmSize: 'Standard_DS2_v2',
            enableFIPS: false,
            location: 'eastus',
          });
          expect(vars.NODEPOOL_ID).to.match(/\/managedClusters\/myAKSCluster\/agentPools\/nodepool1$/); // names keep the case the user gave
          const snap = (await kube.get<NodePoolSnapshot>('NodePoolSnapshot', RG, 'mysnapshot'))!;
          expect(snap.status).to.include({
            provisioningState: 'Succeeded',
            kubernetesVersion: '1.33.5',
            nodeImageVersion: I2,
            vmSize: 'Standard_DS2_v2',
            location: 'eastus',
          });
          // Immutable: the API server refuses a change of what was captured.
          const r = await run('kubectl', [
            'patch',
            'nodepoolsnapshot',
            'mysnapshot',
            '-n',
            RG,
            '--subresource=status',
            '--type=merge',
            '-p',
            '{"status":{"nodeImageVersion":"AKSUbuntu-2204gen2containerd-202601.01.0"}}',
          ]);
          expect(r.code).to.not.equal(0);
          expect(r.stderr).to.match(/a snapshot is immutable/);
        },
      ],
      [
        /nodepool add --name np2/,
        async () => {
          expect(vars.SNAPSHOT_ID).to.match(/\/providers\/Microsoft\.ContainerService\/snapshots\/MySnapshot$/);
          await nodesAt('myakscluster', 'np2', I2, '1.33.5', 3);
        },
      ],
      [
        /nodepool upgrade --name oldpool/,
        async () => {
          await nodesAt('myakscluster', 'oldpool', I2, '1.33.5', 1);
        },
      ],
      [
        /--node-count 4/,
        async () => {
          const p = await pool('myakscluster', 'np2');
          expect(p.status).to.include({ latestNodeImageVersion: I3, nodeImageVersion: I2 });
          await nodesAt('myakscluster', 'np2', I2, '1.33.5', 4); // the new node too: pinned
        },
      ],
      [
        /--name np2 .*--node-image-only/,
        async () => {
          await nodesAt('myakscluster', 'np2', I3, '1.33.5', 4);
          const p = await pool('myakscluster', 'np2');
          expect(p.spec.creationData).to.equal(undefined);
          expect(p.status?.nodeImageVersion).to.equal(I3);
        },
      ],
      [
        /--name myAKSCluster2/,
        async () => {
          const p = await pool('myakscluster2', 'nodepool1');
          expect(p.spec).to.include({ vmSize: 'Standard_DS2_v2', osSKU: 'Ubuntu' });
          await nodesAt('myakscluster2', 'nodepool1', I2, '1.33.5', 3);
        },
      ],
    ];
    const blocks = docBlocks('docs/snapshots.md');
    expect(blocks.length).to.be.at.least(10);
    let checked = 0;
    for (const block of blocks) {
      const r = await runBlock(block, vars, bin);
      vars = r.vars;
      for (const [re, check] of checks) {
        if (re.test(block)) {
          await check(r.stdout);
          checked++;
        }
      }
    }
    expect(checked).to.equal(checks.length);
  });

  it('refuses an N-series pool from a D-series snapshot (CLI and kubectl)', async () => {
    const r = await aksim(
      'aks',
      'nodepool',
      'add',
      '--name',
      'gpu',
      '--cluster-name',
      'myAKSCluster',
      '-g',
      RG,
      '--snapshot-id',
      vars.SNAPSHOT_ID!,
      '--node-vm-size',
      'Standard_NC6s_v3',
    );
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/\(InvalidVMSizeForSnapshot\) .*same VM family/);
    expect(await kube.get('SimNodePool', RG, 'myakscluster-gpu')).to.equal(undefined);
    const a = await apply(`
apiVersion: aksim.io/v1alpha1
kind: SimNodePool
metadata: {name: myakscluster-gpu2, namespace: ${RG}}
spec: {clusterName: myakscluster, name: gpu2, count: 1, vmSize: Standard_NC6s_v3, orchestratorVersion: "1.33.5", creationData: {sourceResourceId: "${vars.SNAPSHOT_ID}"}}
`);
    expect(a.code, a.stderr).to.equal(0);
    const ready = await waitFor(
      'Ready=False InvalidVMSizeForSnapshot',
      async () =>
        (await pool('myakscluster', 'gpu2')).status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'InvalidVMSizeForSnapshot'),
      20_000,
    );
    expect(ready.status).to.equal('False');
    const events = await kubectl(
      'get',
      'events',
      '-n',
      RG,
      '--field-selector',
      'involvedObject.name=myakscluster-gpu2,type=Warning',
      '-o',
      'jsonpath={.items[*].reason}',
    );
    expect(events).to.contain('InvalidVMSizeForSnapshot');
    expect((await kube.list('SimMachine', RG, 'aksim.io/pool=gpu2')).length).to.equal(0);
    expect((await pool('myakscluster', 'gpu2')).status?.currentOperation).to.equal(undefined);
    await kubectl('delete', 'simnodepool', '-n', RG, 'myakscluster-gpu2', '--wait=true');
  });

  it('refuses an upgrade to an older snapshot and to the same version without --node-image-only; --node-image-only takes a newer image', async () => {
    // An older snapshot: a 1.32 pool (np2 runs 1.33.5).
    expect(
      (
        await aksim(
          'aks',
          'nodepool',
          'add',
          '--name',
          'legacy',
          '--cluster-name',
          'myAKSCluster',
          '-g',
          RG,
          '-k',
          '1.32',
          '-c',
          '1',
          '-o',
          'none',
        )
      ).code,
    ).to.equal(0);
    const legacyId = (
      await aksim('aks', 'nodepool', 'show', '--name', 'legacy', '--cluster-name', 'myAKSCluster', '-g', RG, '--query', 'id', '-o', 'tsv')
    ).stdout.trim();
    const mk = await aksim(
      'aks',
      'nodepool',
      'snapshot',
      'create',
      '--name',
      'legacysnap',
      '-g',
      RG,
      '--nodepool-id',
      legacyId,
      '--query',
      'id',
      '-o',
      'tsv',
    );
    expect(mk.code, mk.stderr).to.equal(0);
    const older = await aksim(
      'aks',
      'nodepool',
      'upgrade',
      '--name',
      'np2',
      '--cluster-name',
      'myAKSCluster',
      '-g',
      RG,
      '--snapshot-id',
      mk.stdout.trim(),
    );
    expect(older.code).to.equal(1);
    expect(older.stderr).to.match(/\(SnapshotVersionNotNewer\) .*1\.32\.9 is older than the pool's 1\.33\.5/);
    // Same Kubernetes version (1.33.5), newer image: np2 runs I3, myAKSCluster2's nodepool1 runs I2.
    const np2Id = (
      await aksim('aks', 'nodepool', 'show', '--name', 'np2', '--cluster-name', 'myAKSCluster', '-g', RG, '--query', 'id', '-o', 'tsv')
    ).stdout.trim();
    const newSnap = (
      await aksim(
        'aks',
        'nodepool',
        'snapshot',
        'create',
        '--name',
        'np2snap',
        '-g',
        RG,
        '--nodepool-id',
        np2Id,
        '--query',
        'id',
        '-o',
        'tsv',
      )
    ).stdout.trim();
    const same = await aksim(
      'aks',
      'nodepool',
      'upgrade',
      '--name',
      'nodepool1',
      '--cluster-name',
      'myAKSCluster2',
      '-g',
      RG,
      '--snapshot-id',
      newSnap,
    );
    expect(same.code).to.equal(1);
    expect(same.stderr).to.match(/\(SnapshotSameKubernetesVersion\) .*use --node-image-only/);
    expect((await pool('myakscluster2', 'nodepool1')).status?.nodeImageVersion).to.equal(I2);
    const ok = await aksim(
      'aks',
      'nodepool',
      'upgrade',
      '--name',
      'nodepool1',
      '--cluster-name',
      'myAKSCluster2',
      '-g',
      RG,
      '--snapshot-id',
      newSnap,
      '--node-image-only',
      '-o',
      'none',
    );
    expect(ok.code, ok.stderr).to.equal(0);
    await nodesAt('myakscluster2', 'nodepool1', I3, '1.33.5', 3);
    // And back down is refused: images never go down.
    const down = await aksim(
      'aks',
      'nodepool',
      'upgrade',
      '--name',
      'nodepool1',
      '--cluster-name',
      'myAKSCluster2',
      '-g',
      RG,
      '--snapshot-id',
      vars.SNAPSHOT_ID!,
      '--node-image-only',
    );
    expect(down.code).to.equal(1);
    expect(down.stderr).to.match(/\(SnapshotNodeImageNotNewer\)/);
  });

  it('refuses a snapshot of a pool that never finished an operation (CLI and kubectl)', async () => {
    // A cluster whose nodes take 30 simulated minutes to boot: its pool stays in its Create operation.
    const a = await apply(`
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: slow, namespace: ${RG}}
spec:
  kubernetesVersion: "1.33"
  simulation: {nodeBootTime: PT30M}
  agentPoolProfiles: [{name: nodepool1, mode: System, count: 1}]
`);
    expect(a.code, a.stderr).to.equal(0);
    const p = await waitFor(
      'slow pool creating',
      async () => {
        const x = await kube.get<SimNodePool>('SimNodePool', RG, 'slow-nodepool1');
        return x?.status?.currentOperation?.type === 'Create' && x;
      },
      20_000,
    );
    const r = await aksim('aks', 'nodepool', 'snapshot', 'create', '--name', 'toosoon', '-g', RG, '--nodepool-id', p.status!.id!);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/\(SnapshotSourceNotReady\) Agent pool nodepool1 has not finished an operation/);
    expect(await kube.get('NodePoolSnapshot', RG, 'toosoon')).to.equal(undefined);
    const k = await apply(`
apiVersion: aksim.io/v1alpha1
kind: NodePoolSnapshot
metadata: {name: toosoon2, namespace: ${RG}}
spec: {creationData: {sourceResourceId: "${p.status!.id}"}}
`);
    expect(k.code, k.stderr).to.equal(0);
    const s = await waitFor(
      'snapshot Failed',
      async () => {
        const x = await kube.get<NodePoolSnapshot>('NodePoolSnapshot', RG, 'toosoon2');
        return x?.status?.provisioningState === 'Failed' && x;
      },
      20_000,
    );
    expect(s.status?.conditions?.find((c) => c.type === 'Ready')).to.include({ status: 'False', reason: 'SnapshotSourceNotReady' });
    expect(s.status?.nodeImageVersion).to.equal(undefined);
    await kubectl('delete', 'simcluster', '-n', RG, 'slow', '--wait=false');
  });

  it('kubectl and REST: a NodePoolSnapshot captures; a SimNodePool with creationData runs the snapshot image', async () => {
    const poolId = (await pool('myakscluster', 'oldpool')).status!.id!; // 1.33.5 / I2 since its upgrade
    const put = await aksim(
      'rest',
      '-m',
      'put',
      '-u',
      `/subscriptions/${poolId.split('/')[2]}/resourceGroups/${RG}/providers/Microsoft.ContainerService/snapshots/restsnap?api-version=2024-01-02-preview`,
      '-b',
      JSON.stringify({ location: 'eastus', properties: { creationData: { sourceResourceId: poolId } } }),
    );
    expect(put.code, put.stderr).to.equal(0);
    const body = JSON.parse(put.stdout);
    expect(body).to.deep.include({ name: 'restsnap', type: 'Microsoft.ContainerService/Snapshots', location: 'eastus' });
    expect(body.properties).to.deep.equal({
      creationData: { sourceResourceId: poolId },
      snapshotType: 'NodePool',
      nodeImageVersion: I2,
      kubernetesVersion: '1.33.5',
      osType: 'Linux',
      osSku: 'Ubuntu',
      vmSize: 'Standard_DS2_v2',
      enableFIPS: false,
    });
    const k = await apply(`
apiVersion: aksim.io/v1alpha1
kind: NodePoolSnapshot
metadata: {name: kubesnap, namespace: ${RG}}
spec: {creationData: {sourceResourceId: "${poolId}"}}
`);
    expect(k.code, k.stderr).to.equal(0);
    const s = await waitFor(
      'kubesnap captured',
      async () => {
        const x = await kube.get<NodePoolSnapshot>('NodePoolSnapshot', RG, 'kubesnap');
        return x?.status?.provisioningState === 'Succeeded' && x;
      },
      20_000,
    );
    expect(s.status).to.include({ kubernetesVersion: '1.33.5', nodeImageVersion: I2, osSku: 'Ubuntu', location: 'eastus' });
    const snapId = body.id.replace('restsnap', 'kubesnap');
    const a = await apply(`
apiVersion: aksim.io/v1alpha1
kind: SimNodePool
metadata: {name: myakscluster-kpool, namespace: ${RG}}
spec: {clusterName: myakscluster, name: kpool, count: 2, vmSize: Standard_D4s_v3, orchestratorVersion: "1.33.5", creationData: {sourceResourceId: "${snapId}"}}
`);
    expect(a.code, a.stderr).to.equal(0);
    await nodesAt('myakscluster', 'kpool', I2, '1.33.5', 2); // pinned to the snapshot, though I3 is the latest
    const list = JSON.parse((await aksim('aks', 'nodepool', 'snapshot', 'list', '-g', RG)).stdout) as { name: string }[];
    expect(list.map((x) => x.name).sort()).to.include.members(['kubesnap', 'MySnapshot', 'restsnap']);
    expect((await aksim('aks', 'nodepool', 'snapshot', 'delete', '--name', 'RestSnap', '-g', RG, '--yes')).code).to.equal(0);
    expect(await kube.get('NodePoolSnapshot', RG, 'restsnap')).to.equal(undefined);
  });
});
