// `aksim aks ...`: the az aks commands of the source documents, flag for flag.
import { Command } from 'commander';
import semver from 'semver';
import { SUPPORTED_PATCHES } from '../azure/versions.js';
import type { SimCluster, SimNodePool } from '../api/generated.js';
import { ArmError } from '../arm/errors.js';
import { azFlatten } from '../arm/shapes.js';
import type { Accepted, ArmService, Target } from '../arm/service.js';
import { action, print, service, withGlobals, type GlobalOpts } from './context.js';
import type { Column } from './output.js';
import { waitAccepted, waitGone, waitOperation } from './wait.js';
import { addClusterPowerCommands, addPoolPowerCommands } from './aks-power.js';

type Json = Record<string, unknown>;
type Opts = GlobalOpts & Record<string, unknown>;

/** az prints datetimes as Python's isoformat: microseconds and +00:00. */
export function azTime(iso: unknown): string | null {
  if (typeof iso !== 'string' || !iso) return null;
  const m = /^(.*T\d\d:\d\d:\d\d)(\.(\d+))?Z$/.exec(iso);
  if (!m) return iso;
  return m[3] ? `${m[1]}.${m[3].padEnd(6, '0').slice(0, 6)}+00:00` : `${m[1]}+00:00`;
}

/** An operation as `az aks operation show-latest` prints it. */
export function azOperation(op: Json, rg: string): Json {
  return {
    endTime: azTime(op.endTime),
    error: op.error ?? null,
    id: op.id,
    name: op.name,
    operations: null,
    percentComplete: op.percentComplete ?? 0,
    resourceGroup: rg,
    resourceId: null,
    startTime: azTime(op.startTime),
    status: op.status,
  };
}

const OP_COLUMNS: Column[] = [
  { header: 'Name', get: (o) => o.name },
  { header: 'Status', get: (o) => o.status },
  { header: 'StartTime', get: (o) => o.startTime },
  { header: 'EndTime', get: (o) => o.endTime },
  { header: 'PercentComplete', get: (o) => `${Math.round(Number(o.percentComplete ?? 0))}%` },
];
const CLUSTER_COLUMNS: Column[] = [
  { header: 'Name', get: (o) => o.name },
  { header: 'Location', get: (o) => o.location },
  { header: 'ResourceGroup', get: (o) => o.resourceGroup },
  { header: 'KubernetesVersion', get: (o) => o.kubernetesVersion },
  { header: 'CurrentKubernetesVersion', get: (o) => o.currentKubernetesVersion },
  { header: 'ProvisioningState', get: (o) => o.provisioningState },
  { header: 'Fqdn', get: (o) => o.fqdn },
];
const POOL_COLUMNS: Column[] = [
  { header: 'Name', get: (o) => o.name },
  { header: 'OsType', get: (o) => o.osType },
  { header: 'KubernetesVersion', get: (o) => o.orchestratorVersion },
  { header: 'VmSize', get: (o) => o.vmSize },
  { header: 'Count', get: (o) => o.count },
  { header: 'MaxPods', get: (o) => o.maxPods },
  { header: 'ProvisioningState', get: (o) => o.provisioningState },
  { header: 'Mode', get: (o) => o.mode },
];

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(/[,\s]+/).filter(Boolean)];
const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ArmError(400, 'InvalidArgumentValue', `expected an integer, got ${v}`);
  return n;
};

async function clusterOut(svc: ArmService, rg: string, name: string): Promise<Json> {
  return azFlatten(await svc.getCluster(rg, name), rg);
}
async function poolOut(svc: ArmService, rg: string, cluster: string, pool: string): Promise<Json> {
  return azFlatten(await svc.getPool(rg, cluster, pool), rg);
}

/** After a write: wait with progress (unless --no-wait), then print the resource. */
async function finish(
  svc: ArmService,
  o: Opts,
  t: Target,
  a: Pick<Accepted, 'operationId' | 'lro'>,
  show: () => Promise<Json>,
): Promise<void> {
  if (o.wait === false) return;
  await waitAccepted(svc, t, a);
  print(await show(), o);
}

function poolBody(o: Opts): Json {
  const props: Json = {};
  if (o.nodeCount !== undefined) props.count = int(String(o.nodeCount));
  if (o.nodeVmSize) props.vmSize = o.nodeVmSize;
  if (o.mode) props.mode = o.mode;
  if (o.osType) props.osType = o.osType;
  if (o.osSku) props.osSKU = o.osSku;
  if (o.priority) props.scaleSetPriority = o.priority;
  if (o.evictionPolicy) props.scaleSetEvictionPolicy = o.evictionPolicy;
  if (o.zones) props.availabilityZones = o.zones;
  if (o.kubernetesVersion) props.orchestratorVersion = o.kubernetesVersion;
  if (o.labels) props.nodeLabels = Object.fromEntries((o.labels as string[]).map((kv) => kv.split('=') as [string, string]));
  if (o.nodeTaints) props.nodeTaints = o.nodeTaints;
  if (o.maxSurge || o.drainTimeout)
    props.upgradeSettings = {
      ...(o.maxSurge ? { maxSurge: o.maxSurge } : {}),
      ...(o.drainTimeout ? { drainTimeoutInMinutes: int(String(o.drainTimeout)) } : {}),
    };
  return props;
}

export function aksCommand(): Command {
  const aks = new Command('aks').description('simulated Azure Kubernetes Service (az aks)');

  withGlobals(aks.command('create').description('create a managed cluster'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .option('-l, --location <location>', 'region', 'eastus')
    .option('-k, --kubernetes-version <version>')
    .option('-c, --node-count <n>', 'nodes in the first (system) pool', '3')
    .option('-s, --node-vm-size <size>', "VM size of the first pool (default Standard_DS2_v2, or the snapshot's)")
    .option('--nodepool-name <name>', 'name of the first pool', 'nodepool1')
    .option('-z, --zones <zones...>', 'availability zones of the first pool')
    .option('--dns-name-prefix <prefix>')
    .option('--snapshot-id <id>', 'node pool snapshot that shapes the first pool')
    .option('--generate-ssh-keys', 'accepted for az compatibility (simulated nodes need no SSH keys)')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const profile: Json = {
          name: o.nodepoolName,
          count: int(String(o.nodeCount)),
          vmSize: o.nodeVmSize ?? (o.snapshotId ? undefined : 'Standard_DS2_v2'),
          mode: 'System',
        };
        if (o.zones) profile.availabilityZones = o.zones;
        if (o.snapshotId) profile.creationData = { sourceResourceId: o.snapshotId };
        const props: Json = { agentPoolProfiles: [profile] };
        if (o.kubernetesVersion) props.kubernetesVersion = o.kubernetesVersion;
        if (o.dnsNamePrefix) props.dnsPrefix = o.dnsNamePrefix;
        const rg = o.resourceGroup as string;
        const name = o.name as string;
        if (await svc.kube.get<SimCluster>('SimCluster', rg.toLowerCase(), name.toLowerCase()))
          throw new ArmError(409, 'ResourceAlreadyExists', `A managed cluster named ${name} already exists in resource group ${rg}.`);
        const a = await svc.putCluster(rg, name, { location: o.location, properties: props });
        await finish(svc, o, { kind: 'SimCluster', rg, cluster: name }, a, () => clusterOut(svc, rg, name));
      }),
    );

  withGlobals(aks.command('show').description('show a managed cluster'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .action(
      action(async (o: Opts) => print(await clusterOut(service(o), o.resourceGroup as string, o.name as string), o, CLUSTER_COLUMNS)),
    );

  withGlobals(aks.command('list').description('list managed clusters'))
    .option('-g, --resource-group <rg>', 'resource group')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const all = await svc.listClusters(o.resourceGroup as string | undefined);
        print(
          all.map((c) => azFlatten(c, String(c.id).split('/')[4]!)),
          o,
          CLUSTER_COLUMNS,
        );
      }),
    );

  withGlobals(aks.command('delete').description('delete a managed cluster'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const rg = o.resourceGroup as string;
        await svc.deleteCluster(rg, o.name as string);
        if (o.wait !== false) await waitGone(() => svc.cluster(rg, o.name as string));
      }),
    );

  withGlobals(aks.command('scale').description('scale a node pool of a managed cluster'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .requiredOption('-c, --node-count <n>')
    .option('--nodepool-name <name>', 'pool to scale (default: the only pool)')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const rg = o.resourceGroup as string;
        const name = o.name as string;
        await svc.cluster(rg, name); // a missing cluster is a ResourceNotFound, as in az
        const pools = await svc.poolsOf(rg, name);
        const poolName = (o.nodepoolName as string | undefined) ?? (pools.length === 1 ? pools[0]!.spec.name : undefined);
        if (!poolName)
          throw new ArmError(
            400,
            'InvalidArgumentValue',
            'There are more than one node pool in the cluster. Please specify nodepool name or use az aks nodepool command to scale node pool',
          );
        const a = await svc.putPool(rg, name, poolName, { properties: { count: int(String(o.nodeCount)) } });
        await finish(svc, o, { kind: 'SimNodePool', rg, cluster: name, pool: poolName }, a, () => clusterOut(svc, rg, name));
      }),
    );

  withGlobals(aks.command('upgrade').description('upgrade the control plane and (unless --control-plane-only) every node pool'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .requiredOption('-k, --kubernetes-version <version>')
    .option('--control-plane-only', 'upgrade only the control plane')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const rg = o.resourceGroup as string;
        const name = o.name as string;
        const c = await svc.cluster(rg, name);
        const pools = await svc.poolsOf(rg, name);
        const cp = c.status?.currentKubernetesVersion ?? c.spec.kubernetesVersion ?? '';
        for (const p of pools) {
          if (p.status?.currentOperation)
            throw new ArmError(
              409,
              'OperationNotAllowed',
              `Another operation (${p.status.currentOperation.state}) is in progress, please wait for it to finish before starting a new operation.`,
            );
          // Pools that carry their own version are upgraded too; with --control-plane-only,
          // pools that follow the control plane are pinned where they are.
          if (o.controlPlaneOnly && !p.spec.orchestratorVersion)
            await svc.kube.patch<SimNodePool>('SimNodePool', p.metadata.namespace!, p.metadata.name!, {
              spec: { orchestratorVersion: cp },
            });
          // A version upgrade without a snapshot takes the latest node image: unpin the pools.
          if (!o.controlPlaneOnly && (p.spec.orchestratorVersion || p.spec.creationData || p.spec.nodeImageVersion)) {
            await svc.kube.patch<SimNodePool>('SimNodePool', p.metadata.namespace!, p.metadata.name!, {
              spec: { orchestratorVersion: null, creationData: null, nodeImageVersion: null },
            });
          }
        }
        const a = await svc.putCluster(rg, name, { properties: { kubernetesVersion: o.kubernetesVersion } });
        await finish(svc, o, { kind: 'SimCluster', rg, cluster: name }, a, () => clusterOut(svc, rg, name));
      }),
    );

  withGlobals(aks.command('operation-abort').description('abort the running operation of a managed cluster'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .option('--no-wait', 'do not wait for the operation to be canceled')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const t: Target = { kind: 'SimCluster', rg: o.resourceGroup as string, cluster: o.name as string };
        const a = await svc.abort(t);
        if (o.wait !== false) await waitCanceled(svc, t, a.operationId);
      }),
    );

  const op = aks.command('operation').description('long-running operations of a managed cluster');
  withGlobals(op.command('show-latest').description('show the latest operation'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .action(
      action(async (o: Opts) =>
        print(
          azOperation(
            await service(o).getOperation({ kind: 'SimCluster', rg: o.resourceGroup as string, cluster: o.name as string }, 'latest'),
            o.resourceGroup as string,
          ),
          o,
          OP_COLUMNS,
        ),
      ),
    );
  withGlobals(op.command('show').description('show an operation by id'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .requiredOption('--operation-id <id>')
    .action(
      action(async (o: Opts) =>
        print(
          azOperation(
            await service(o).getOperation(
              { kind: 'SimCluster', rg: o.resourceGroup as string, cluster: o.name as string },
              o.operationId as string,
            ),
            o.resourceGroup as string,
          ),
          o,
          OP_COLUMNS,
        ),
      ),
    );
  withGlobals(op.command('list').description('list the operations kept for a cluster (newest first, at most 50)'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'name')
    .option('--nodepool-name <pool>', 'list the operations of this node pool instead')
    .action(
      action(async (o: Opts) => {
        const rg = o.resourceGroup as string;
        const t: Target = o.nodepoolName
          ? { kind: 'SimNodePool', rg, cluster: o.name as string, pool: o.nodepoolName as string }
          : { kind: 'SimCluster', rg, cluster: o.name as string };
        print(
          (await service(o).listOperations(t)).map((x) => azOperation(x, rg)),
          o,
          OP_COLUMNS,
        );
      }),
    );

  addClusterPowerCommands(aks);
  aks.addCommand(nodepoolCommand());
  return aks;
}

async function waitCanceled(svc: ArmService, t: Target, opId: string | undefined): Promise<void> {
  try {
    await waitOperation(svc, t, opId, { quiet: true, intervalMs: 250 });
  } catch (err: unknown) {
    if (err instanceof ArmError && err.code === 'OperationCanceled') return;
    throw err;
  }
}

function nodepoolCommand(): Command {
  const np = new Command('nodepool').description('node pools of a managed cluster (az aks nodepool)');
  const poolArgs = (c: Command): Command =>
    c
      .requiredOption('-g, --resource-group <rg>', 'resource group')
      .requiredOption('--cluster-name <cluster>', 'cluster name')
      .requiredOption('-n, --name <pool>');
  const target = (o: Opts): Target => ({
    kind: 'SimNodePool',
    rg: o.resourceGroup as string,
    cluster: o.clusterName as string,
    pool: o.name as string,
  });

  poolArgs(withGlobals(np.command('add').description('add a node pool')))
    .option('-c, --node-count <n>', 'nodes', '3')
    .option('-s, --node-vm-size <size>', "VM size (default Standard_DS2_v2, or the snapshot's)")
    .option('--mode <mode>', 'System or User', 'User')
    .option('--os-type <type>', 'Linux or Windows')
    .option('--os-sku <sku>', 'Ubuntu, AzureLinux, Windows2019, Windows2022')
    .option('--priority <priority>', 'Regular or Spot')
    .option('--eviction-policy <policy>', 'Delete or Deallocate (Spot)')
    .option('-z, --zones <zones...>', 'availability zones')
    .option('-k, --kubernetes-version <version>')
    .option('--labels <labels...>', 'node labels key=value', list)
    .option('--node-taints <taints>', 'comma-separated taints key=value:Effect', (v: string) => v.split(',').filter(Boolean))
    .option('--max-surge <surge>', 'count or percent')
    .option('--drain-timeout <minutes>')
    .option('--snapshot-id <id>', 'node pool snapshot to create the pool from')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const t = target(o);
        if (t.kind !== 'SimNodePool') return;
        const body: Json = {
          properties: {
            ...poolBody(o),
            ...(o.snapshotId ? { creationData: { sourceResourceId: o.snapshotId } } : { vmSize: o.nodeVmSize ?? 'Standard_DS2_v2' }),
          },
        };
        if (await svc.kube.get('SimNodePool', t.rg.toLowerCase(), `${t.cluster}-${t.pool}`.toLowerCase()))
          throw new ArmError(409, 'ResourceAlreadyExists', `Node pool ${t.pool} already exists, please try a different name.`);
        const a = await svc.putPool(t.rg, t.cluster, t.pool, body);
        await finish(svc, o, t, a, () => poolOut(svc, t.rg, t.cluster, t.pool));
      }),
    );

  poolArgs(withGlobals(np.command('show').description('show a node pool'))).action(
    action(async (o: Opts) =>
      print(await poolOut(service(o), o.resourceGroup as string, o.clusterName as string, o.name as string), o, POOL_COLUMNS),
    ),
  );

  withGlobals(np.command('list').description('list node pools'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('--cluster-name <cluster>', 'cluster name')
    .action(
      action(async (o: Opts) =>
        print(
          (await service(o).listPools(o.resourceGroup as string, o.clusterName as string)).map((p) =>
            azFlatten(p, o.resourceGroup as string),
          ),
          o,
          POOL_COLUMNS,
        ),
      ),
    );

  poolArgs(withGlobals(np.command('scale').description('scale a node pool')))
    .requiredOption('-c, --node-count <n>')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const t = target(o) as Extract<Target, { kind: 'SimNodePool' }>;
        const a = await svc.putPool(t.rg, t.cluster, t.pool, { properties: { count: int(String(o.nodeCount)) } });
        await finish(svc, o, t, a, () => poolOut(svc, t.rg, t.cluster, t.pool));
      }),
    );

  poolArgs(withGlobals(np.command('upgrade').description('upgrade a node pool to a Kubernetes version or the latest node image')))
    .option('-k, --kubernetes-version <version>')
    .option('--node-image-only', 'upgrade only the node image')
    .option('--snapshot-id <id>', 'node pool snapshot to upgrade to')
    .option('--max-surge <surge>')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const t = target(o) as Extract<Target, { kind: 'SimNodePool' }>;
        const props: Json = {};
        if (o.kubernetesVersion) props.orchestratorVersion = o.kubernetesVersion;
        if (o.maxSurge) props.upgradeSettings = { maxSurge: o.maxSurge };
        if (o.nodeImageOnly) props.nodeImageOnly = true;
        if (o.snapshotId) props.creationData = { sourceResourceId: o.snapshotId };
        if (!o.kubernetesVersion && !o.nodeImageOnly && !o.snapshotId)
          throw new ArmError(400, 'InvalidArgumentValue', 'one of --kubernetes-version, --node-image-only or --snapshot-id is required');
        if (o.kubernetesVersion && o.nodeImageOnly)
          throw new ArmError(
            400,
            'MutuallyExclusiveArgumentError',
            'Conflicting flags. Upgrading the Kubernetes version will also upgrade the node image version. If you only want to upgrade the node version please use the "--node-image-only" option only.',
          );
        const a = await svc.putPool(t.rg, t.cluster, t.pool, { properties: props });
        await finish(svc, o, t, a, () => poolOut(svc, t.rg, t.cluster, t.pool));
      }),
    );

  poolArgs(withGlobals(np.command('delete').description('delete a node pool')))
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const t = target(o) as Extract<Target, { kind: 'SimNodePool' }>;
        await svc.deletePool(t.rg, t.cluster, t.pool);
        if (o.wait !== false) await waitGone(() => svc.pool(t.rg, t.cluster, t.pool));
      }),
    );

  poolArgs(withGlobals(np.command('operation-abort').description('abort the running operation of a node pool')))
    .option('--no-wait', 'do not wait for the operation to be canceled')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const t = target(o);
        const a = await svc.abort(t);
        if (o.wait !== false) await waitCanceled(svc, t, a.operationId);
      }),
    );

  withGlobals(np.command('get-upgrades').description('the Kubernetes versions and the latest node image a node pool can upgrade to'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('--cluster-name <cluster>', 'cluster name')
    .requiredOption('--nodepool-name <pool>')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const rg = o.resourceGroup as string;
        const c = await svc.cluster(rg, o.clusterName as string);
        const p = await svc.pool(rg, o.clusterName as string, o.nodepoolName as string);
        const cur = p.status?.currentOrchestratorVersion ?? '';
        const cp = c.status?.currentKubernetesVersion ?? c.spec.kubernetesVersion ?? '';
        const upgrades = Object.values(SUPPORTED_PATCHES)
          .filter((v) => semver.valid(v) && semver.valid(cur) && semver.gt(v, cur) && (!semver.valid(cp) || semver.lte(v, cp)))
          .sort(semver.compare)
          .map((v) => ({ isPreview: null, kubernetesVersion: v }));
        print(
          {
            id: `${p.status?.id ?? ''}/upgradeProfiles/default`,
            kubernetesVersion: cur,
            latestNodeImageVersion: p.status?.latestNodeImageVersion ?? null,
            name: 'default',
            osType: p.spec.osType ?? 'Linux',
            resourceGroup: rg,
            type: 'Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles',
            upgrades,
          },
          o,
        );
      }),
    );

  addPoolPowerCommands(np);
  np.addCommand(snapshotCommand());
  return np;
}

const SNAPSHOT_COLUMNS: Column[] = [
  { header: 'Name', get: (o) => o.name },
  { header: 'Location', get: (o) => o.location },
  { header: 'ResourceGroup', get: (o) => o.resourceGroup },
  { header: 'NodeImageVersion', get: (o) => o.nodeImageVersion },
  { header: 'KubernetesVersion', get: (o) => o.kubernetesVersion },
  { header: 'OsType', get: (o) => o.osType },
  { header: 'OsSku', get: (o) => o.osSku },
  { header: 'EnableFIPS', get: (o) => o.enableFIPS },
  { header: 'VmSize', get: (o) => o.vmSize },
];

/** `az aks nodepool snapshot create|show|list|delete`: node pool snapshots. */
function snapshotCommand(): Command {
  const sc = new Command('snapshot').description('node pool snapshots (az aks nodepool snapshot)');
  const rgOf = (o: Opts): string => o.resourceGroup as string;

  withGlobals(sc.command('create').description('take a snapshot of a node pool'))
    .requiredOption('-g, --resource-group <rg>', 'resource group of the snapshot')
    .requiredOption('-n, --name <name>', 'snapshot name')
    .requiredOption('--nodepool-id <id>', 'ARM id of the source node pool')
    .option('-l, --location <location>', "region (must be the source pool's; default: that region)")
    .option('--tags <tags...>', 'space-separated tags key=value', list)
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        const body: Json = { properties: { creationData: { sourceResourceId: o.nodepoolId }, snapshotType: 'NodePool' } };
        if (o.location) body.location = o.location;
        if (o.tags) body.tags = Object.fromEntries((o.tags as string[]).map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]));
        if (await svc.kube.get('NodePoolSnapshot', rgOf(o).toLowerCase(), String(o.name).toLowerCase()))
          throw new ArmError(
            409,
            'ResourceAlreadyExists',
            `A snapshot named ${String(o.name)} already exists in resource group ${rgOf(o)}.`,
          );
        const r = await svc.putSnapshot(rgOf(o), o.name as string, body);
        print(azFlatten(r.body, rgOf(o)), o, SNAPSHOT_COLUMNS);
      }),
    );

  withGlobals(sc.command('show').description('show a node pool snapshot'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'snapshot name')
    .action(
      action(async (o: Opts) => print(azFlatten(await service(o).getSnapshot(rgOf(o), o.name as string), rgOf(o)), o, SNAPSHOT_COLUMNS)),
    );

  withGlobals(sc.command('list').description('list node pool snapshots'))
    .option('-g, --resource-group <rg>', 'resource group')
    .action(
      action(async (o: Opts) => {
        const all = await service(o).listSnapshots(o.resourceGroup as string | undefined);
        print(
          all.map((x) => azFlatten(x, String(x.id).split('/')[4]!)),
          o,
          SNAPSHOT_COLUMNS,
        );
      }),
    );

  withGlobals(sc.command('delete').description('delete a node pool snapshot'))
    .requiredOption('-g, --resource-group <rg>', 'resource group')
    .requiredOption('-n, --name <name>', 'snapshot name')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait')
    .action(
      action(async (o: Opts) => {
        const svc = service(o);
        await svc.snapshot(rgOf(o), o.name as string);
        await svc.deleteSnapshot(rgOf(o), o.name as string);
      }),
    );
  return sc;
}
