// The NGroup pass for stop, start and restart (controllers/ngroup/power.ts through decideNGroup):
// table-like steps over a hand-made view, each pass fed the status the previous one wrote.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerGroupProfile, NGroup, NGroupStatus } from '../../src/api/generated.js';
import { decideNGroup, type NgPlan } from '../../controllers/ngroup/decide.js';
import type { NgView } from '../../controllers/ngroup/view.js';
import { ArmError, powerPatch } from '../../src/aci/arm.js';
import { putOverCurrent } from '../../src/aci/routes.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const spec = { osType: 'Linux', containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: 1, memoryInGB: 1 } } }] };
const profile = {
  metadata: { name: 'cgp1', namespace: 'rg' },
  spec,
  status: { revision: 1, revisions: [{ revision: 1, hash: 'h', createdAt: 't', spec }] },
} as unknown as ContainerGroupProfile;

function ngroup(o: { powerState?: 'Running' | 'Stopped'; restarts?: number; status?: NGroupStatus; gen?: number } = {}): NGroup {
  return {
    apiVersion: 'aksim.io/v1alpha1',
    kind: 'NGroup',
    metadata: { name: 'ng1', namespace: 'rg', generation: o.gen ?? 1, uid: 'u' },
    spec: {
      location: 'westeurope',
      zones: ['1', '2'],
      powerState: o.powerState,
      restartRequests: o.restarts,
      elasticProfile: { desiredCount: 2, maintainDesiredCount: true },
      containerGroupProfiles: [{ resource: { id: 'cgp1' } }],
      updateProfile: { updateMode: 'Rolling' },
    },
    status: o.status,
  } as NGroup;
}

function pod(name: string, zone: string, o: { uid?: string; running?: boolean; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'rg',
      uid: o.uid ?? `${name}-uid1`,
      deletionTimestamp: o.deleting ? new Date(NOW) : undefined,
      labels: {
        'aksim.io/ngroup': 'ng1',
        'aksim.io/cg-profile': 'cgp1',
        'aksim.io/cg-profile-revision': '1',
        'aksim.io/cg-zone': zone,
        'aksim.io/cg-fault-domain': '0',
      },
      annotations: { 'aksim.io/image-health': 'healthy' },
    },
    status:
      o.running === false ? { phase: 'Pending' } : { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function view(ng: NGroup, pods: V1Pod[]): NgView {
  let n = 0;
  return {
    ng,
    pods,
    profile: (ns, name) => (ns === 'rg' && name === 'cgp1' ? profile : undefined),
    subscriptionId: 'sub',
    nowMs: NOW,
    nowIso: new Date(NOW).toISOString(),
    timeScale: 60,
    creating: new Map(),
    deleting: new Set(),
    unchecked: [],
    newName: (prefix) => `${prefix}new${++n}`,
  };
}

/** The status after the plan's merge patch (nulls remove keys). */
function apply(prev: NGroupStatus | undefined, plan: NgPlan): NGroupStatus {
  const merge = (a: any, b: any): any => {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return b;
    const out = { ...(a && typeof a === 'object' && !Array.isArray(a) ? a : {}) };
    for (const [k, v] of Object.entries(b)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  return merge(prev ?? {}, plan.status ?? {});
}

const writes = (plan: NgPlan): string[] => plan.writes.map((w) => `${w.do} ${'name' in w ? w.name : w.pod.metadata!.name}`).sort();
const running = [pod('a', '1'), pod('b', '2')];

/** A settled, running NGroup's status. */
function settledStatus(): NGroupStatus {
  let st: NGroupStatus | undefined;
  for (let i = 0; i < 3; i++) st = apply(st, decideNGroup(view(ngroup({ status: st }), running), new Set()));
  expect(st).to.include({ provisioningState: 'Succeeded', powerState: 'Running', containerGroupCount: 2 });
  return st!;
}

describe('ngroup/power: stop, start and restart', () => {
  it('stop: records the CGs first, deletes them on the next pass, keeps desiredCount, ends Stopped with no scale-out', () => {
    let st = settledStatus();
    const p1 = decideNGroup(view(ngroup({ powerState: 'Stopped', status: st, gen: 2 }), running), new Set());
    expect(p1.writes).to.deep.equal([]); // recorded, not acted on yet
    st = apply(st, p1);
    expect(st.powerState).to.equal('Stopping');
    expect(st.stoppedContainerGroups).to.deep.equal([
      { name: 'a', zone: '1', faultDomain: 0 },
      { name: 'b', zone: '2', faultDomain: 0 },
    ]);
    expect(p1.events.map((e) => e.reason)).to.include('Stopping');

    const p2 = decideNGroup(view(ngroup({ powerState: 'Stopped', status: st, gen: 2 }), running), new Set());
    expect(writes(p2)).to.deep.equal(['delete a', 'delete b']);
    st = apply(st, p2);

    // Gone: Stopped, no CG made again although desiredCount is 2 and maintainDesiredCount is true.
    const p3 = decideNGroup(view(ngroup({ powerState: 'Stopped', status: st, gen: 2 }), []), new Set());
    expect(p3.writes).to.deep.equal([]);
    st = apply(st, p3);
    expect(st).to.include({ powerState: 'Stopped', provisioningState: 'Succeeded', containerGroupCount: 0, appliedDesiredCount: 2 });
    expect(p3.events.map((e) => e.reason)).to.include('Stopped');
    const ready = (st.conditions as { type: string; message: string }[]).find((c) => c.type === 'Ready')!;
    expect(ready.message).to.match(/^stopped \(desiredCount 2 kept\)/);
  });

  it('start: the stopped CGs are made again with their names and slots; Updating until they run', () => {
    const stopped: NGroupStatus = {
      ...settledStatus(),
      powerState: 'Stopped',
      containerGroupCount: 0,
      stoppedContainerGroups: [
        { name: 'a', zone: '1', faultDomain: 0 },
        { name: 'b', zone: '2', faultDomain: 0 },
      ],
    };
    const p1 = decideNGroup(view(ngroup({ status: stopped, gen: 3 }), []), new Set());
    expect(writes(p1)).to.deep.equal(['create a', 'create b']);
    const created = p1.writes.filter((w) => w.do === 'create');
    expect(created.map((w) => w.slot)).to.deep.equal([
      { zone: '1', faultDomain: 0 },
      { zone: '2', faultDomain: 0 },
    ]);
    let st = apply(stopped, p1);
    expect(st).to.include({ powerState: 'Starting', provisioningState: 'Updating', observedGeneration: 3 });

    // One is up, one still Pending: nothing sent again, still Updating.
    const p2 = decideNGroup(view(ngroup({ status: st, gen: 3 }), [pod('a', '1'), pod('b', '2', { running: false })]), new Set());
    expect(p2.writes).to.deep.equal([]);
    st = apply(st, p2);
    expect(st.stoppedContainerGroups).to.deep.equal([{ name: 'b', zone: '2', faultDomain: 0 }]);
    expect(st.provisioningState).to.equal('Updating');

    const p3 = decideNGroup(view(ngroup({ status: st, gen: 3 }), running), new Set());
    st = apply(st, p3);
    expect(st).to.include({ powerState: 'Running', provisioningState: 'Succeeded', containerGroupCount: 2 });
    expect(st.stoppedContainerGroups).to.equal(undefined);
  });

  it('restart: records every CG with its uid, deletes each, makes it again with its name once the name is free, done when all run', () => {
    let st = settledStatus();
    const ng = (s: NGroupStatus): NGroup => ngroup({ restarts: 1, status: s, gen: 2 });
    const p1 = decideNGroup(view(ng(st), running), new Set());
    expect(p1.writes).to.deep.equal([]);
    st = apply(st, p1);
    expect(st.restart).to.deep.equal({
      request: 1,
      pending: [
        { name: 'a', uid: 'a-uid1', zone: '1', faultDomain: 0 },
        { name: 'b', uid: 'b-uid1', zone: '2', faultDomain: 0 },
      ],
    });
    expect(st.provisioningState).to.equal('Updating');

    const p2 = decideNGroup(view(ng(st), running), new Set());
    expect(writes(p2)).to.deep.equal(['delete a', 'delete b']);
    st = apply(st, p2);

    // a is still going, b is gone: only b is made again; scale does not fill the gap with new names.
    const p3 = decideNGroup(view(ng(st), [pod('a', '1', { deleting: true })]), new Set());
    expect(writes(p3)).to.deep.equal(['create b']);
    st = apply(st, p3);

    // a gone, the new b (another uid) runs: a is made again, b leaves the list.
    const p4 = decideNGroup(view(ng(st), [pod('b', '2', { uid: 'b-uid2' })]), new Set());
    expect(writes(p4)).to.deep.equal(['create a']);
    st = apply(st, p4);
    expect(st.restart!.pending!.map((e) => e.name)).to.deep.equal(['a']);

    const p5 = decideNGroup(view(ng(st), [pod('a', '1', { uid: 'a-uid2' }), pod('b', '2', { uid: 'b-uid2' })]), new Set());
    expect(p5.writes).to.deep.equal([]);
    st = apply(st, p5);
    expect(st.restart).to.deep.equal({ request: 1, pending: [] });
    expect(st).to.include({ provisioningState: 'Succeeded', containerGroupCount: 2 });
    expect(p5.events.map((e) => e.reason)).to.include('Restarted');

    // The same request again changes nothing.
    const p6 = decideNGroup(view(ng(st), [pod('a', '1', { uid: 'a-uid2' }), pod('b', '2', { uid: 'b-uid2' })]), new Set());
    expect(p6.writes).to.deep.equal([]);
  });

  it('a stop during a restart keeps the CGs the restart had deleted', () => {
    const st: NGroupStatus = {
      ...settledStatus(),
      restart: { request: 1, pending: [{ name: 'a', uid: 'a-uid1', zone: '1', faultDomain: 0 }] },
    };
    const plan = decideNGroup(view(ngroup({ powerState: 'Stopped', restarts: 1, status: st, gen: 3 }), [pod('b', '2')]), new Set());
    const next = apply(st, plan);
    expect(next.stoppedContainerGroups!.map((e) => e.name).sort()).to.deep.equal(['a', 'b']);
    expect(next.restart!.pending).to.deep.equal([]);
  });

  it('stopped: a new profile revision is only recorded, no rolling update starts', () => {
    const st = settledStatus();
    const cgp2 = { ...profile, metadata: { name: 'cgp2', namespace: 'rg' } } as ContainerGroupProfile;
    const ng = ngroup({ powerState: 'Stopped', status: st, gen: 2 });
    ng.spec.containerGroupProfiles = [{ resource: { id: 'cgp2' } }];
    const v = view(ng, running);
    v.profile = (_ns, name) => (name === 'cgp1' ? profile : name === 'cgp2' ? cgp2 : undefined);
    const next = apply(st, decideNGroup(v, new Set()));
    expect(next.profile).to.include({ name: 'cgp2', revision: 1 });
    expect(next.latestRollingUpdate).to.equal(undefined);
  });
});

describe('aci/arm powerPatch: what POST stop|start|restart writes', () => {
  const withRu = (state: string): NGroup => ngroup({ status: { latestRollingUpdate: { id: 1, state } } as NGroupStatus });
  it('stop and start set spec.powerState, and nothing when it is already so (idempotent)', () => {
    expect(powerPatch(ngroup(), 'stop')).to.deep.equal({ spec: { powerState: 'Stopped' } });
    expect(powerPatch(ngroup({ powerState: 'Stopped' }), 'stop')).to.equal(undefined);
    expect(powerPatch(ngroup({ powerState: 'Stopped' }), 'start')).to.deep.equal({ spec: { powerState: 'Running' } });
    expect(powerPatch(ngroup(), 'start')).to.equal(undefined);
  });
  it('restart adds one request; a restart of a stopped NGroup, a stop or restart during a rolling update are refused with 409', () => {
    expect(powerPatch(ngroup({ restarts: 2 }), 'restart')).to.deep.equal({ spec: { restartRequests: 3 } });
    expect(() => powerPatch(ngroup({ powerState: 'Stopped' }), 'restart'))
      .to.throw(ArmError)
      .with.property('status', 409);
    expect(() => powerPatch(withRu('InProgress'), 'stop')).to.throw(/rolling update in progress; .* before stopping/);
    expect(() => powerPatch(withRu('InProgress'), 'restart')).to.throw(/rolling update in progress; .* before restarting/);
    expect(powerPatch(withRu('Succeeded'), 'stop')).to.deep.equal({ spec: { powerState: 'Stopped' } });
  });
  it('a PUT keeps powerState and restartRequests (they are not ARM properties)', () => {
    const cur = ngroup({ powerState: 'Stopped', restarts: 4 }).spec;
    const next = putOverCurrent(
      cur,
      { location: 'westeurope', elasticProfile: { desiredCount: 3 } },
      { properties: { elasticProfile: { desiredCount: 3 } } },
    );
    expect(next).to.include({ powerState: 'Stopped', restartRequests: 4 });
    expect(next.elasticProfile).to.deep.equal({ desiredCount: 3 });
  });
});
