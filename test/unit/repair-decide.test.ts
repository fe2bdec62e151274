// Unit: the auto-repair decisions (controllers/remediation/decide.ts), pure over (state, now).
import { expect } from 'chai';
import { decide, QUEUE_LISTED, repairSettings, type NodeView, type RepairState } from '../../controllers/remediation/decide.js';

const zero = { Reboot: 0, Reimage: 0, Redeploy: 0 };
const nodeOf = (name: string, o: Partial<NodeView> = {}): NodeView => ({
  name,
  ready: 'True',
  windows: false,
  requests: { ...zero },
  done: { ...zero },
  ...o,
});
const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const state = (nodes: NodeView[], prev?: RepairState['prev'], spec?: Parameters<typeof repairSettings>[0]): RepairState => ({
  settings: repairSettings(spec),
  nodes,
  prev,
  toReal: (ms) => ms / 60,
});

describe('repair: decide', () => {
  it('uses the seed defaults, and the CurrentAKS profile when asked', () => {
    expect(repairSettings(undefined)).to.include({
      windowMs: 10 * MIN,
      delayMs: 0,
      minNodes: 2,
      maxConcurrent: 1,
      retries: 1,
      redeployOnWindows: true,
    });
    expect(repairSettings({ profile: 'CurrentAKS' })).to.include({ delayMs: 5 * MIN, retries: 3, redeployOnWindows: false });
    expect(repairSettings({ profile: 'CurrentAKS', retries: 2 }).retries).to.equal(2);
  });

  it('waits for the window, then reboots the node unhealthy the longest, one at a time', () => {
    const since = T0;
    const nodes = [
      nodeOf('a', { ready: 'False', unhealthySince: since + 1000 }),
      nodeOf('b', { ready: 'Unknown', unhealthySince: since }),
      nodeOf('c'),
    ];
    const early = decide(state(nodes), since + 5_000);
    expect(early.requests).to.deep.equal([]);
    expect(early.wakeAt).to.equal(since + 10_000); // 10 simulated minutes at timeScale 60
    const d = decide(state(nodes), since + 10_000);
    expect(d.requests).to.deep.equal([{ node: 'b', action: 'Reboot', target: 1 }]);
    expect(d.events.map((e) => e.reason)).to.deep.equal(['NodeRebootStart']);
    expect(d.status.repairs).to.have.length(1);
    expect(d.status.queue!.find((q) => q.node === 'a')!.reason).to.match(/less than 10m/); // a is not due yet
    const later = decide(state(nodes, d.status), since + 11_500);
    expect(later.status.repairs!.map((r) => r.node)).to.deep.equal(['b']);
    expect(later.status.queue!.find((q) => q.node === 'a')!.reason).to.match(/one node is repaired at a time/);
  });

  it('lists the longest unhealthy nodes first, at most QUEUE_LISTED, and counts them all', () => {
    const nodes = Array.from({ length: 300 }, (_, i) =>
      nodeOf(`n${String(i).padStart(3, '0')}`, { ready: 'Unknown', unhealthySince: T0 + (300 - i) * 10 }),
    );
    const d = decide(state(nodes), T0 + 5_000);
    expect(d.status.unhealthyNodes).to.equal(300);
    expect(d.status.queue).to.have.length(QUEUE_LISTED);
    expect(d.status.queue![0]!.node).to.equal('n299');
    expect(d.status.queue!.at(-1)!.node).to.equal(`n${300 - QUEUE_LISTED}`);
  });

  it('moves reboot -> wait -> reimage -> wait -> redeploy, then gives up with a Warning', () => {
    let nodes = [nodeOf('a', { ready: 'Unknown', unhealthySince: T0 }), nodeOf('b')];
    let now = T0 + 10_000;
    let d = decide(state(nodes), now);
    const seen: string[] = d.events.map((e) => e.reason);
    for (const step of ['Reboot', 'Reimage', 'Redeploy'] as const) {
      nodes = nodes.map((n) => (n.name === 'a' ? { ...n, requests: { ...n.requests, [step]: 1 }, done: { ...n.done, [step]: 1 } } : n));
      now += 1000;
      d = decide(state(nodes, d.status), now); // action done: End, then wait for Ready
      seen.push(...d.events.map((e) => e.reason));
      expect(d.status.repairs![0]!.phase).to.equal('WaitingReady');
      now = Date.parse(d.status.repairs![0]!.deadline!);
      d = decide(state(nodes, d.status), now);
      seen.push(...d.events.map((e) => e.reason));
    }
    expect(seen).to.deep.equal([
      'NodeRebootStart',
      'NodeRebootEnd',
      'NodeReimageStart',
      'NodeReimageEnd',
      'NodeRedeployStart',
      'NodeRedeployEnd',
      'NodeAutoRepairFailed',
    ]);
    expect(d.status.failed!.map((f) => f.node)).to.deep.equal(['a']);
    expect(d.status.lastRepair).to.include({ node: 'a', result: 'Failed' });
    // Not tried again while it stays unhealthy.
    expect(decide(state(nodes, d.status), now + 60_000).requests).to.deep.equal([]);
  });

  it('stops after the step that makes the node Ready', () => {
    const nodes = [nodeOf('a', { ready: 'False', unhealthySince: T0 }), nodeOf('b')];
    const d1 = decide(state(nodes), T0 + 10_000);
    const acted = nodes.map((n) => (n.name === 'a' ? { ...n, requests: { ...zero, Reboot: 1 }, done: { ...zero, Reboot: 1 } } : n));
    const d2 = decide(state(acted, d1.status), T0 + 11_000);
    const healthy = acted.map((n) => (n.name === 'a' ? { ...n, ready: 'True' as const, unhealthySince: undefined } : n));
    const d3 = decide(state(healthy, d2.status), T0 + 12_000);
    expect(d3.status.repairs).to.deep.equal([]);
    expect(d3.status.lastRepair).to.include({ node: 'a', result: 'Succeeded' });
    expect(d3.status.lastRepair!.steps).to.deep.equal(['Reboot']);
  });

  it('never repairs below the minimum node count, skipped nodes, or when disabled, and says why', () => {
    const solo = decide(state([nodeOf('a', { ready: 'False', unhealthySince: T0 })]), T0 + 60_000);
    expect(solo.requests).to.deep.equal([]);
    expect(solo.status.message).to.equal('cluster has 1 node(s); auto-repair needs at least 2');
    const skipped = decide(
      state([nodeOf('a', { ready: 'Unknown', unhealthySince: T0, skip: 'it never registered as healthy' }), nodeOf('b')]),
      T0 + 60_000,
    );
    expect(skipped.requests).to.deep.equal([]);
    expect(skipped.status.queue![0]!.reason).to.equal('not repaired: it never registered as healthy');
    const off = decide(
      state([nodeOf('a', { ready: 'False', unhealthySince: T0 }), nodeOf('b')], undefined, { enabled: false }),
      T0 + 60_000,
    );
    expect(off.requests).to.deep.equal([]);
    expect(off.status.message).to.match(/disabled/);
  });

  it('does not count or list booting VMs until they have been down for the window', () => {
    const boot = (name: string): NodeView =>
      nodeOf(name, { ready: 'Unknown', unhealthySince: T0, skip: 'it never registered as healthy', neverHealthy: true });
    const early = decide(state([boot('a'), boot('b'), nodeOf('c')]), T0 + 5_000);
    expect(early.status.unhealthyNodes).to.equal(0);
    expect(early.status.queue).to.deep.equal([]);
    expect(early.wakeAt).to.equal(T0 + 10_000); // 10 simulated minutes at 60x
    const late = decide(state([boot('a'), nodeOf('c')]), T0 + 10_000);
    expect(late.status.unhealthyNodes).to.equal(1);
    expect(late.status.queue![0]).to.include({ node: 'a', reason: 'not repaired: it never registered as healthy' });
    expect(late.requests).to.deep.equal([]);
  });

  it('counts a node that starts its repair once, and the same before and after', () => {
    const nodes = [nodeOf('a', { ready: 'False', unhealthySince: T0 }), nodeOf('b')];
    const d1 = decide(state(nodes), T0 + 10_000);
    expect(d1.status.repairs).to.have.length(1);
    expect(d1.status.unhealthyNodes).to.equal(1);
    expect(decide(state(nodes, d1.status), T0 + 10_500).status.unhealthyNodes).to.equal(1);
  });

  it('re-asserts the request of a step recorded before a restart, without a second Start event', () => {
    const nodes = [nodeOf('a', { ready: 'False', unhealthySince: T0 }), nodeOf('b')];
    const d1 = decide(state(nodes), T0 + 10_000);
    // The operator died after the status write: the machine never got the request.
    const d2 = decide(state(nodes, d1.status), T0 + 10_500);
    expect(d2.requests).to.deep.equal([{ node: 'a', action: 'Reboot', target: 1 }]);
    expect(d2.events).to.deep.equal([]);
  });

  it('skips Redeploy on Windows nodes when redeployOnWindows is false', () => {
    const nodes = [
      nodeOf('w', {
        ready: 'False',
        unhealthySince: T0,
        windows: true,
        requests: { ...zero, Reboot: 1, Reimage: 1 },
        done: { ...zero, Reboot: 1, Reimage: 1 },
      }),
      nodeOf('b'),
    ];
    const prev = {
      repairs: [
        {
          node: 'w',
          attempt: 1,
          step: 'Reimage',
          phase: 'WaitingReady',
          requested: 1,
          deadline: new Date(T0).toISOString(),
          done: ['Reboot'],
        },
      ],
    };
    const d = decide(state(nodes, prev, { redeployOnWindows: false }), T0 + 1);
    expect(d.events.map((e) => e.reason)).to.deep.equal(['NodeAutoRepairFailed']);
  });
});
