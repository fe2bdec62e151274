// Pure: a VM follows its agent pool's power state (az aks stop|start, az aks nodepool
// stop|start). Stopping it stops its Node's heartbeat (label aksim.io/kubelet=stopped, as the
// KubeletStopped fault does), so the controller manager marks the Node Unknown after its grace
// period; starting it gives the Node back to kwok, which makes it Ready again: the VM is Starting
// until then (record() in decide.ts says Running once the Node is Ready). The pool's
// status.powerState is what its VMs do; the pool's operation waits for them.
import type { SimMachine, SimMachineStatus } from '../../src/api/generated.js';
import { shownPower } from '../../src/model/power.js';
import type { Plan } from '../shared/plan.js';
import { labelWrites, setNodeReady, statusWrite, type MachineView } from './view.js';

/** The step a power change asks of the VM, or undefined when its power state is what its pool wants. */
export function powerStep(v: MachineView): Plan | undefined {
  const { m } = v;
  const name = m.metadata.name!;
  const where = { machine: `${m.metadata.namespace}/${name}` };
  const want = shownPower(v.pool!.status);
  const have = m.status?.powerState;
  if (want === 'Stopped') {
    // Stopped: nothing else happens to the VM (boots, reimages and actions wait for a start).
    if (have === 'Stopped') return { writes: v.node ? labelWrites(m, v) : [], events: [] };
    const stopped = {
      status: 'False' as const,
      reason: 'VMStopped',
      message: 'the VM is stopped (deallocated); its node does not report',
    };
    const status: SimMachineStatus = {
      powerState: 'Stopped',
      conditions: setNodeReady(m.status?.conditions, stopped, v.nowIso),
    };
    const next = { ...m, status: { ...m.status, ...status } } as SimMachine;
    return {
      writes: [statusWrite(m, status), ...(v.node ? labelWrites(next, v) : [])],
      events: [],
      logs: [{ fields: where, msg: `VM ${name} stopped` }],
    };
  }
  if (have !== 'Stopped') return undefined;
  // Start: a fresh boot of the same VM; its Node reports again.
  const status: SimMachineStatus = { powerState: 'Starting', bootStartTime: v.nowIso };
  const next = { ...m, status: { ...m.status, ...status } } as SimMachine;
  return {
    writes: [statusWrite(m, status), ...(v.node ? labelWrites(next, v) : [])],
    events: [],
    logs: [{ fields: where, msg: `VM ${name} starting` }],
  };
}
