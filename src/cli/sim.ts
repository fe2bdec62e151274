// `aksim sim ...`: the simulator's own levers, outside the az surface: inject and clear faults,
// run machine actions, schedule VM maintenance events, evict spot VMs, and see what runs now.
//   aksim sim fault inject|clear --node N --type T [-g RG]
//   aksim sim reboot|reimage|redeploy --node N [-g RG]
//   aksim sim event schedule|approve|cancel|list ...   aksim sim spot-evict --node N
//   aksim sim status [-g RG]
import { wallNow } from '../runtime/clock.js';
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import type { NGroup, ScheduledEvent, SimMachine, SimOperation } from '../api/generated.js';
import { envSettings, LEADER_LEASE, parseSettings } from '../config.js';
import { ArmError } from '../arm/errors.js';
import { isConflict, type Kind, type KubeApi } from '../runtime/kube-api.js';
import { cliKube } from '../runtime/lite-client.js';
import { durationMs } from '../runtime/duration.js';
import { FAULT_TYPES, requestField, requestsOf, type ActionType } from '../model/faults.js';
import { action, print, withGlobals, type GlobalOpts } from './context.js';
import { eventOut, simStatus, statusText, type SimStatus } from './sim-status.js';

type Opts = GlobalOpts & Record<string, unknown>;

const kubeOf = (o: Opts): KubeApi => cliKube(o.kubeconfig);

/** The SimMachine behind a node: in -g's namespace, or found by the node's aksim.io/namespace label. */
export async function findMachine(kube: KubeApi, node: string, rg?: string): Promise<SimMachine> {
  let ns = rg;
  if (!ns) {
    try {
      const n = await kube.readNode(node);
      ns = n.metadata?.labels?.['aksim.io/namespace'];
    } catch {
      // no Node (yet): fall through to a search
    }
  }
  if (!ns) {
    const all = await kube.listAll<SimMachine>('SimMachine');
    ns = all.find((m) => m.metadata.name === node)?.metadata.namespace;
  }
  const m = ns ? await kube.get<SimMachine>('SimMachine', ns, node) : undefined;
  if (!m) throw new ArmError(404, 'NotFound', `no simulated VM for node ${node}${rg ? ` in resource group ${rg}` : ''}`);
  return m;
}

const machineOut = (m: SimMachine): Record<string, unknown> => ({
  name: m.metadata.name,
  resourceGroup: m.metadata.namespace,
  faults: (m.spec.faults ?? []).map((f) => f.type),
  rebootRequests: m.spec.rebootRequests ?? 0,
  reimageRequests: m.spec.reimageRequests ?? 0,
  redeployRequests: m.spec.redeployRequests ?? 0,
  reboots: m.status?.reboots ?? 0,
  reimages: m.status?.reimages ?? 0,
  redeploys: m.status?.redeploys ?? 0,
  action: m.status?.action?.type ?? null,
});

type Faults = NonNullable<SimMachine['spec']['faults']>;

/**
 * Reads the node's VM and writes its faults as `change` makes them, at the version read; when the
 * operator wrote the VM in between (409), reads it again and retries (a few times), like
 * client-go's RetryOnConflict, instead of failing the user's command.
 */
export async function changeFaults(
  kube: KubeApi,
  node: string,
  rg: string | undefined,
  change: (old: Faults) => Faults,
): Promise<SimMachine> {
  for (let attempt = 1; ; attempt++) {
    const m = await findMachine(kube, node, rg);
    try {
      return await kube.patch<SimMachine>('SimMachine', m.metadata.namespace!, m.metadata.name!, {
        metadata: { resourceVersion: m.metadata.resourceVersion },
        spec: { faults: change(m.spec.faults ?? []) },
      });
    } catch (err: unknown) {
      if (!isConflict(err) || attempt >= 5) throw err;
    }
  }
}

/** Injects (or renews) a fault on a node's VM: `aksim sim fault inject` and the web console. */
export async function injectFault(kube: KubeApi, node: string, type: string, rg?: string, message?: string): Promise<SimMachine> {
  if (!FAULT_TYPES.includes(type as never))
    throw new ArmError(
      400,
      'InvalidArgumentValue',
      `unknown fault type ${type}; one of ${FAULT_TYPES.filter((t) => t !== 'Frozen').join(', ')}`,
    );
  return changeFaults(kube, node, rg, (old) => [
    ...old.filter((x) => x.type !== type),
    { type: type as never, since: new Date(wallNow()).toISOString(), ...(message ? { message: String(message) } : {}) },
  ]);
}

/** Clears one fault type (or all) from a node's VM: `aksim sim fault clear` and the web console. */
export async function clearFault(kube: KubeApi, node: string, type: string, rg?: string): Promise<SimMachine> {
  return changeFaults(kube, node, rg, (old) => (type === 'all' ? [] : old.filter((x) => x.type !== type)));
}

function faultCommand(): Command {
  const f = new Command('fault').description('inject or clear a fault on a simulated VM');
  const types = FAULT_TYPES.filter((t) => t !== 'Frozen').join(', ');
  withGlobals(f.command('inject').description(`inject a fault (${types})`))
    .requiredOption('--node <name>', 'node (VM) name')
    .requiredOption('--type <type>', types)
    .option('-g, --resource-group <rg>', 'resource group of the cluster (default: from the node)')
    .option('--message <text>', 'free text kept with the fault')
    .action(
      action(async (o: Opts) => {
        print(
          machineOut(
            await injectFault(
              kubeOf(o),
              String(o.node),
              String(o.type),
              o.resourceGroup as string | undefined,
              o.message as string | undefined,
            ),
          ),
          o,
        );
      }),
    );
  withGlobals(f.command('clear').description('clear a fault (or all with --type all)'))
    .requiredOption('--node <name>', 'node (VM) name')
    .requiredOption('--type <type>', `${types} or all`)
    .option('-g, --resource-group <rg>', 'resource group of the cluster (default: from the node)')
    .action(
      action(async (o: Opts) => {
        print(machineOut(await clearFault(kubeOf(o), String(o.node), String(o.type), o.resourceGroup as string | undefined)), o);
      }),
    );
  return f;
}

function actionCommand(type: ActionType, what: string): Command {
  return withGlobals(new Command(type.toLowerCase()).description(what))
    .requiredOption('--node <name>', 'node (VM) name')
    .option('-g, --resource-group <rg>', 'resource group of the cluster (default: from the node)')
    .option('--as <user>', 'who asks (recorded on the SimMachine)', process.env.USER ?? 'user')
    .action(
      action(async (o: Opts) => {
        const kube = kubeOf(o);
        const m = await findMachine(kube, String(o.node), o.resourceGroup as string | undefined);
        const next = await kube.patch<SimMachine>('SimMachine', m.metadata.namespace!, m.metadata.name!, {
          metadata: { resourceVersion: m.metadata.resourceVersion },
          spec: { [requestField(type)]: requestsOf(m, type) + 1, lastRequestedBy: String(o.as) },
        });
        print(machineOut(next), o);
      }),
    );
}

export const EVENT_TYPES = ['Freeze', 'Reboot', 'Redeploy', 'Preempt', 'Terminate'] as const;

/** Azure preempts Spot VMs only. */
function notSpotRefused(m: SimMachine): void {
  if (m.spec.priority !== 'Spot')
    throw new ArmError(400, 'InvalidArgumentValue', `node ${m.metadata.name} is not a spot VM (priority ${m.spec.priority ?? 'Regular'})`);
}

/** Parses --not-before: an ISO time, or a duration from now in simulated time is not possible here, so real: +PT5M. */
function notBeforeOf(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (s.startsWith('+')) return new Date(wallNow() + durationMs(s.slice(1))).toISOString();
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw new ArmError(400, 'InvalidArgumentValue', `--not-before must be an ISO time or +<ISO duration> (real time from now), got ${s}`);
  return new Date(t).toISOString();
}

async function scheduleEvent(kube: KubeApi, m: SimMachine, o: Opts, type: string, source: string): Promise<ScheduledEvent> {
  const id = randomUUID().toUpperCase();
  const spec: ScheduledEvent['spec'] = { eventType: type as never, nodes: [m.metadata.name!], eventSource: source as never, eventId: id };
  const nb = notBeforeOf(o.notBefore);
  if (nb) spec.notBefore = nb;
  if (o.duration !== undefined) spec.durationInSeconds = Number(o.duration);
  if (o.description) spec.description = String(o.description);
  if (o.terminateNotice) spec.terminateNotice = String(o.terminateNotice);
  return kube.create<ScheduledEvent>('ScheduledEvent', m.metadata.namespace!, {
    metadata: { name: `${type.toLowerCase()}-${id.slice(0, 8).toLowerCase()}`, namespace: m.metadata.namespace },
    spec,
  } as ScheduledEvent);
}

async function findEvent(kube: KubeApi, o: Opts): Promise<ScheduledEvent> {
  const id = String(o.id);
  const ns = o.resourceGroup as string | undefined;
  const items = ns ? await kube.list<ScheduledEvent>('ScheduledEvent', ns) : await kube.listAll<ScheduledEvent>('ScheduledEvent');
  const e = items.find((x) => x.metadata.name === id || (x.status?.eventId ?? x.spec.eventId)?.toUpperCase() === id.toUpperCase());
  if (!e) throw new ArmError(404, 'NotFound', `no scheduled event ${id}`);
  return e;
}

/**
 * Schedules a maintenance event on a node's VM: `aksim sim event schedule` and the web console.
 * o: resourceGroup, notBefore, duration, terminateNotice, description, source (as the CLI options).
 */
export async function scheduleEventOn(kube: KubeApi, node: string, type: string, o: Opts): Promise<ScheduledEvent> {
  if (!EVENT_TYPES.includes(type as never))
    throw new ArmError(400, 'InvalidArgumentValue', `unknown event type ${type}; one of ${EVENT_TYPES.join(', ')}`);
  const m = await findMachine(kube, node, o.resourceGroup as string | undefined);
  if (type === 'Preempt') notSpotRefused(m);
  return scheduleEvent(kube, m, o, type, String(o.source ?? 'Platform'));
}

/** Approves an event (IMDS StartRequests) by EventId or name (o.id, o.resourceGroup): the CLI and the web console. */
export async function approveEvent(kube: KubeApi, o: Opts): Promise<ScheduledEvent> {
  const e = await findEvent(kube, o);
  return kube.patch<ScheduledEvent>('ScheduledEvent', e.metadata.namespace!, e.metadata.name!, { spec: { approved: true } });
}

/** Reads what `aksim sim status` shows: one GET of the leader Lease, one list per kind. */
async function readStatus(kube: KubeApi, rg: string | undefined): Promise<SimStatus> {
  const list = <T>(kind: Kind): Promise<T[]> => (rg ? kube.list<T>(kind, rg) : kube.listAll<T>(kind));
  const { systemNamespace } = parseSettings([envSettings()]);
  const [lease, machines, events, operations, ngroups] = await Promise.all([
    kube.readLease(systemNamespace, LEADER_LEASE).catch(() => undefined),
    list<SimMachine>('SimMachine'),
    list<ScheduledEvent>('ScheduledEvent'),
    list<SimOperation>('SimOperation'),
    list<NGroup>('NGroup'),
  ]);
  return simStatus({ lease, machines, events, operations, ngroups, nowMs: wallNow() });
}

function eventCommand(): Command {
  const ev = new Command('event').description('VM scheduled events (IMDS /metadata/scheduledevents)');
  withGlobals(ev.command('schedule').description('schedule a VM maintenance event on a node'))
    .requiredOption('--node <name>', 'node (VM) name')
    .requiredOption('--type <type>', EVENT_TYPES.join(', '))
    .option('-g, --resource-group <rg>', 'resource group of the cluster (default: from the node)')
    .option('--not-before <time>', 'earliest start: ISO time or +<duration> of real time from now (never earlier than the minimum notice)')
    .option('--duration <seconds>', 'DurationInSeconds (Freeze: how long the VM pauses)')
    .option('--terminate-notice <duration>', 'Terminate: minimum notice, PT5M..PT15M')
    .option('--source <source>', 'EventSource: Platform or User', 'Platform')
    .option('--description <text>')
    .action(
      action(async (o: Opts) => {
        print(eventOut(await scheduleEventOn(kubeOf(o), String(o.node), String(o.type), o)), o);
      }),
    );
  withGlobals(ev.command('approve').description('approve an event (IMDS StartRequests): it starts now'))
    .requiredOption('--id <id>', 'EventId or object name')
    .option('-g, --resource-group <rg>')
    .action(
      action(async (o: Opts) => {
        print(eventOut(await approveEvent(kubeOf(o), o)), o);
      }),
    );
  withGlobals(ev.command('cancel').description('cancel an event that has not started (what autodrain cordoned is uncordoned)'))
    .requiredOption('--id <id>', 'EventId or object name')
    .option('-g, --resource-group <rg>')
    .action(
      action(async (o: Opts) => {
        const kube = kubeOf(o);
        const e = await findEvent(kube, o);
        if (e.status?.eventStatus === 'Started') throw new ArmError(409, 'Conflict', `event ${e.status.eventId} has already started`);
        await kube.delete('ScheduledEvent', e.metadata.namespace!, e.metadata.name!);
        print({ ...eventOut(e), EventStatus: 'Canceled' }, o);
      }),
    );
  withGlobals(ev.command('list').description('list scheduled events'))
    .option('-g, --resource-group <rg>')
    .action(
      action(async (o: Opts) => {
        const kube = kubeOf(o);
        const ns = o.resourceGroup as string | undefined;
        const items = ns ? await kube.list<ScheduledEvent>('ScheduledEvent', ns) : await kube.listAll<ScheduledEvent>('ScheduledEvent');
        print(items.map(eventOut), o);
      }),
    );
  return ev;
}

export function simCommand(): Command {
  const sim = new Command('sim').description('simulator controls: faults, VM actions, scheduled events, spot evictions');
  sim.addCommand(faultCommand());
  sim.addCommand(actionCommand('Reboot', 'reboot a VM (down for the simulated boot time)'));
  sim.addCommand(actionCommand('Reimage', "reimage a VM (OS disk reset to the pool's node image)"));
  sim.addCommand(actionCommand('Redeploy', 'redeploy a VM to another host (ephemeral disk lost)'));
  sim.addCommand(eventCommand());
  withGlobals(sim.command('spot-evict').description('evict a spot VM: a Preempt scheduled event with 30 s notice'))
    .requiredOption('--node <name>', 'node (VM) name of a spot pool')
    .option('-g, --resource-group <rg>')
    .option('--not-before <time>', 'later start than the 30 s minimum: ISO time or +<duration> of real time')
    .action(
      action(async (o: Opts) => {
        const kube = kubeOf(o);
        const m = await findMachine(kube, String(o.node), o.resourceGroup as string | undefined);
        notSpotRefused(m);
        print(eventOut(await scheduleEvent(kube, m, o, 'Preempt', 'Platform')), o);
      }),
    );
  withGlobals(sim.command('status').description('what the simulator is doing: operator, VMs, faults, scheduled events, operations'))
    .option('-g, --resource-group <rg>', 'only this resource group')
    .action(
      action(async (o: Opts) => {
        const s = await readStatus(kubeOf(o), o.resourceGroup as string | undefined);
        if (o.output === 'table' && !o.query) process.stdout.write(statusText(s, wallNow()) + '\n');
        else print(s, o);
      }),
    );
  for (const c of [sim, ...sim.commands, ...sim.commands.flatMap((c) => c.commands)])
    c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  return sim;
}
