import { expect } from 'chai';
import type { SimCluster, SimMachine, SimNodePool } from '../../src/api/generated.js';
import { checkClusterPower, checkClusterPut, poolPowerPut, powerField } from '../../src/arm/power.js';
import { ArmError } from '../../src/arm/errors.js';
import { profilesMoveNodes } from '../../src/model/power.js';
import { planPool, toPlanMachine } from '../../controllers/nodepool/plan.js';

const cluster = (power?: 'Running' | 'Stopped', shown = power, o: Partial<SimCluster['status']> = {}): SimCluster =>
  ({
    metadata: { name: 'startstop', namespace: 'rg', annotations: { 'aksim.io/name': 'StartStop' } },
    spec: { kubernetesVersion: '1.34.4', ...(power ? { powerState: { code: power } } : {}) },
    status: { provisioningState: 'Succeeded', currentKubernetesVersion: '1.34.4', ...(shown ? { powerState: { code: shown } } : {}), ...o },
  }) as SimCluster;
const pool = (name: string, o: { mode?: 'System' | 'User'; count?: number; power?: 'Running' | 'Stopped' } = {}): SimNodePool =>
  ({
    metadata: { name: `startstop-${name}`, namespace: 'rg' },
    spec: {
      clusterName: 'startstop',
      name,
      mode: o.mode ?? 'User',
      count: o.count ?? 2,
      orchestratorVersion: '1.34.4',
      ...(o.power ? { powerState: { code: o.power } } : {}),
    },
    status: { currentOrchestratorVersion: '1.34.4', ...(o.power ? { powerState: { code: o.power } } : {}) },
  }) as SimNodePool;

function refusal(fn: () => void): ArmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArmError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('start and stop at the ARM layer', () => {
  it("refuses a second stop and a start of a running cluster with AKS's words; a change of power passes", () => {
    expect(() => checkClusterPower(cluster(), 'Stopped')).to.not.throw();
    expect(() => checkClusterPower(cluster('Stopped'), 'Running')).to.not.throw();
    const again = refusal(() => checkClusterPower(cluster('Stopped'), 'Stopped'));
    expect(again).to.include({ status: 409, code: 'OperationNotAllowed' });
    expect(again.message).to.equal(
      'Managed cluster StartStop is in Provisioning State(Succeeded) and Power State(Stopped), stopping cannot be performed.',
    );
    expect(refusal(() => checkClusterPower(cluster(), 'Running')).message).to.include('Power State(Running), starting cannot be performed');
  });

  it('refuses a stop while an operation runs, and one asked for but not yet shown', () => {
    const busy = cluster(undefined, undefined, { currentOperation: { operationId: 'x', state: 'Scaling', type: 'Scale' } as never });
    expect(refusal(() => checkClusterPower(busy, 'Stopped')).message).to.include('Another operation (Scaling) is in progress');
    expect(refusal(() => checkClusterPower(cluster('Stopped', 'Running'), 'Stopped')).message).to.include('Another operation (Stopping)');
  });

  it('a stopped cluster refuses a PUT that scales, adds a pool or upgrades; the same body back (tags) passes', () => {
    const pools = [pool('nodepool1', { mode: 'System', count: 1 }), pool('userpool')];
    const same = {
      agentPoolProfiles: [
        { name: 'nodepool1', count: 1, orchestratorVersion: '1.34' },
        { name: 'userpool', count: 2 },
      ],
      kubernetesVersion: '1.34.4',
      tags: { a: 'b' },
    };
    expect(() => checkClusterPut(cluster('Stopped'), pools, same)).to.not.throw();
    const scaled = refusal(() => checkClusterPut(cluster('Stopped'), pools, { agentPoolProfiles: [{ name: 'nodepool1', count: 3 }] }));
    expect(scaled).to.include({ status: 409, code: 'OperationNotAllowed' });
    expect(scaled.message).to.include('cannot be performed on a stopped cluster. Start the cluster first (az aks start).');
    expect(() => checkClusterPut(cluster('Stopped'), pools, { agentPoolProfiles: [{ name: 'new', count: 1 }] })).to.throw(
      /stopped cluster/,
    );
    expect(() => checkClusterPut(cluster('Stopped'), pools, { kubernetesVersion: '1.35' })).to.throw(/upgrading/);
    expect(() => checkClusterPut(cluster(), pools, { agentPoolProfiles: [{ name: 'nodepool1', count: 3 }] })).to.not.throw();
    expect(profilesMoveNodes([{ name: 'userpool', count: 2, orchestratorVersion: '1.34.4' }], pools)).to.equal(false);
  });

  it('an agent pool PUT: powerState sets the spec; a System pool, a stopped pool scaled and a mixed change are refused', () => {
    const spec: Record<string, unknown> = { count: 2 };
    poolPowerPut(cluster(), pool('userpool'), 'userpool', { powerState: { code: 'Stopped' }, count: 2 }, spec, false);
    expect(spec.powerState).to.deep.equal({ code: 'Stopped' });
    const system = refusal(() =>
      poolPowerPut(cluster(), pool('nodepool1', { mode: 'System' }), 'nodepool1', { powerState: { code: 'Stopped' } }, {}, false),
    );
    expect(system).to.include({ status: 400, code: 'OperationNotAllowed' });
    const scaled = refusal(() =>
      poolPowerPut(cluster(), pool('userpool', { power: 'Stopped' }), 'userpool', { count: 3 }, { count: 3 }, false),
    );
    expect(scaled).to.include({ status: 409, code: 'OperationNotAllowed' });
    expect(scaled.message).to.include('Agent pool userpool is in Power State(Stopped): scaling cannot be performed');
    const mixed = refusal(() =>
      poolPowerPut(
        cluster(),
        pool('userpool', { power: 'Stopped' }),
        'userpool',
        { powerState: { code: 'Running' }, count: 3 },
        { count: 3 },
        false,
      ),
    );
    expect(mixed).to.include({ status: 400, code: 'InvalidParameter' });
    expect(() => poolPowerPut(cluster('Stopped'), undefined, 'late', {}, {}, false)).to.throw(/adding an agent pool/);
    expect(() =>
      poolPowerPut(cluster('Stopped'), pool('userpool', { power: 'Stopped' }), 'userpool', { powerState: { code: 'Running' } }, {}, false),
    ).to.throw(/starting an agent pool/);
  });

  it('properties.powerState.code must be Running or Stopped', () => {
    expect(powerField({})).to.equal(undefined);
    expect(powerField({ powerState: { code: 'Stopped' } })).to.equal('Stopped');
    expect(refusal(() => powerField({ powerState: { code: 'Paused' } }))).to.include({
      status: 400,
      code: 'InvalidParameter',
      target: 'properties.powerState.code',
    });
  });
});

describe('a stopped VM in the pool plan', () => {
  it('counts as where it should be, so a settings update of a stopped pool finishes', () => {
    const m = {
      metadata: { name: 'aks-userpool-1-vmss000000', namespace: 'rg' },
      spec: { clusterName: 'startstop', poolName: 'userpool', index: 0, orchestratorVersion: '1.34.4', nodeImageVersion: 'img' },
      status: {
        phase: 'Running',
        powerState: 'Stopped',
        orchestratorVersion: '1.34.4',
        nodeImageVersion: 'img',
        conditions: [{ type: 'NodeReady', status: 'False' }],
      },
    } as unknown as SimMachine;
    expect(toPlanMachine(m).ready).to.equal(true);
    expect(planPool({ machines: [toPlanMachine(m)], target: { count: 1, version: '1.34.4', image: 'img' }, zones: [] }).done).to.equal(
      true,
    );
    const running = { ...m, status: { ...m.status, powerState: 'Running' } } as SimMachine;
    expect(toPlanMachine(running).ready).to.equal(false);
  });
});
