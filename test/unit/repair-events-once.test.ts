// Regression (chaos run, invariant repair-events-once): an operator killed between writing a
// repair step into status and posting the step's event lost the event for good (events were
// fire-and-forget, after the status). The step's events are now posted first, named by what
// happened, so deciding the same step again after a restart finds them there instead of
// posting them twice, and a later step or repair gets new names.
import { expect } from 'chai';
import { decide, repairSettings, type NodeView, type RepairState } from '../../controllers/remediation/decide.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { EventRecorder } from '../../src/runtime/events.js';
import type { Kube } from '../../src/runtime/client.js';
import { pino } from 'pino';

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
const state = (nodes: NodeView[], prev?: RepairState['prev']): RepairState => ({
  settings: repairSettings(undefined),
  nodes,
  prev,
  toReal: (ms) => ms / 60,
});

describe('auto-repair events: once per step of an attempt', () => {
  it('gives the same key to the same decision made again, and new keys, in order, to the next step and the next repair', () => {
    const sick = [nodeOf('a', { ready: 'False', unhealthySince: T0 }), nodeOf('b')];
    const first = decide(state(sick), T0 + 10_000);
    const again = decide(state(sick), T0 + 10_400); // restarted before the status write
    expect(first.events.map((e) => e.key)).to.deep.equal(['0001-a-reboot-start']);
    expect(again.events.map((e) => e.key)).to.deep.equal(first.events.map((e) => e.key));
    // The reboot ran: its End, then (still NotReady after the wait) the reimage.
    const rebooted = [
      nodeOf('a', { ready: 'False', unhealthySince: T0, requests: { ...zero, Reboot: 1 }, done: { ...zero, Reboot: 1 } }),
      nodeOf('b'),
    ];
    const ended = decide(state(rebooted, first.status), T0 + 11_000);
    expect(ended.events.map((e) => e.key)).to.deep.equal(['0001-b-reboot-end']);
    const next = decide(state(rebooted, ended.status), T0 + 20_000);
    expect(next.events.map((e) => e.key)).to.deep.equal(['0002-a-reimage-start']);
    // A repair of the same node later asks for its second reboot: a new name.
    const later = decide(
      state([
        nodeOf('a', { ready: 'False', unhealthySince: T0 + 100_000, requests: { ...zero, Reboot: 1 }, done: { ...zero, Reboot: 1 } }),
        nodeOf('b'),
      ]),
      T0 + 111_000,
    );
    expect(later.events.map((e) => e.key)).to.deep.equal(['0002-a-reboot-start']);
    const keys = [...first.events, ...ended.events, ...next.events].map((e) => e.key);
    expect([...keys].sort()).to.deep.equal(keys); // kubectl lists Events by name: in the order they happened
  });

  it('posts a named event once: the second post finds it and adds nothing', async () => {
    const made: string[] = [];
    const kube = {
      createEvent: async (_ns: string, body: { metadata: { name: string } }) => {
        if (made.includes(body.metadata.name)) throw Object.assign(new Error('exists'), { code: 409 });
        made.push(body.metadata.name);
        return {};
      },
    } as unknown as Kube;
    const rec = new EventRecorder(kube, new FakeClock(), pino({ level: 'silent' }));
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'aks-p-1-vmss000000' } };
    const e = { type: 'Normal' as const, reason: 'NodeRebootStart', note: 'Reboot of node ...', controller: 'aks-auto-repair' };
    await rec.recordOnce(node, e, 'aks-p-1-vmss000000.abcd1234.0001-a-reboot-start');
    await rec.recordOnce(node, e, 'aks-p-1-vmss000000.abcd1234.0001-a-reboot-start');
    expect(made).to.deep.equal(['aks-p-1-vmss000000.abcd1234.0001-a-reboot-start']);
    const failing = { createEvent: async () => Promise.reject(Object.assign(new Error('busy'), { code: 429 })) } as unknown as Kube;
    const err = await new EventRecorder(failing, new FakeClock(), pino({ level: 'silent' }))
      .recordOnce(node, e, 'x.y.0001-a-reboot-start')
      .catch((x: unknown) => x);
    expect((err as Error).message).to.equal('busy');
  });
});
