import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { classifyPod, decideDrain, drainState, planEvictions, selectorMatches, type Budget } from '../../controllers/shared/drain-plan.js';

function pod(
  name: string,
  labels: Record<string, string> = {},
  opts: { ready?: boolean; ns?: string; deleting?: boolean; daemonset?: boolean } = {},
): V1Pod {
  return {
    metadata: {
      name,
      namespace: opts.ns ?? 'app',
      labels,
      ...(opts.deleting ? { deletionTimestamp: new Date(0) } : {}),
      ...(opts.daemonset
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }] }
        : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
const budget = (name: string, matchLabels: Record<string, string>, disruptionsAllowed: number, namespace = 'app'): Budget => ({
  namespace,
  name,
  selector: { matchLabels },
  disruptionsAllowed,
});

describe('drain plan', () => {
  it('skips DaemonSet pods, waits for terminating ones, and is done when none are left', () => {
    expect(classifyPod(pod('d', {}, { daemonset: true }))).to.deep.equal({ kind: 'skip', pod: 'app/d', why: 'daemonset' });
    const s = drainState([pod('a'), pod('b', {}, { deleting: true }), pod('d', {}, { daemonset: true })]);
    expect(s).to.deep.equal({ toEvict: ['app/a'], terminating: ['app/b'] });
    expect(decideDrain(s, 0, 10)).to.deep.equal({ kind: 'evict', pods: ['app/a'] });
    expect(decideDrain({ toEvict: [], terminating: ['app/b'] }, 0, 10)).to.deep.equal({ kind: 'wait', pods: ['app/b'] });
    expect(decideDrain(s, 10, 10)).to.deep.equal({ kind: 'timeout', remaining: ['app/a', 'app/b'] });
    expect(decideDrain({ toEvict: [], terminating: [] }, 0, 10)).to.deep.equal({ kind: 'done' });
  });

  describe('selectorMatches', () => {
    it('follows policy/v1: empty selects all, missing selects none, expressions all hold', () => {
      expect(selectorMatches({}, { a: '1' })).to.equal(true);
      expect(selectorMatches(undefined, { a: '1' })).to.equal(false);
      expect(selectorMatches({ matchLabels: { a: '1' } }, { a: '1', b: '2' })).to.equal(true);
      expect(selectorMatches({ matchLabels: { a: '1' } }, { a: '2' })).to.equal(false);
      const sel = {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'api'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      };
      expect(selectorMatches(sel, { tier: 'web' })).to.equal(true);
      expect(selectorMatches(sel, { tier: 'db' })).to.equal(false);
      expect(selectorMatches(sel, { tier: 'api', canary: 'yes' })).to.equal(false);
      expect(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['1'] }] }, {})).to.equal(true);
      expect(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, {})).to.equal(false);
    });
  });

  describe('planEvictions', () => {
    const web = Array.from({ length: 10 }, (_, i) => pod(`web-${i}`, { app: 'web' }));

    it('asks for every pod when no budget covers them', () => {
      const plan = planEvictions([...web, pod('other', { app: 'other' })], [budget('db', { app: 'db' }, 0)]);
      expect(plan.evict).to.have.length(11);
      expect(plan.held).to.deep.equal([]);
    });

    it('asks for as many covered pods as the budget allows now and holds back the rest', () => {
      const plan = planEvictions(web, [budget('web', { app: 'web' }, 3)]);
      expect(plan.evict).to.deep.equal(['app/web-0', 'app/web-1', 'app/web-2']);
      expect(plan.held).to.have.length(7);
    });

    it('sends one probe when the budget allows none (its status may lag; the 429 is the answer)', () => {
      const plan = planEvictions(web, [budget('web', { app: 'web' }, 0)]);
      expect(plan.evict).to.deep.equal(['app/web-0']);
      expect(plan.held).to.have.length(9);
    });

    it('always asks for pods that are not Ready: the API server may let unhealthy pods go', () => {
      const plan = planEvictions([pod('sick', { app: 'web' }, { ready: false }), ...web.slice(0, 3)], [budget('web', { app: 'web' }, 0)]);
      expect(plan.evict).to.deep.equal(['app/sick', 'app/web-0']);
      expect(plan.held).to.deep.equal(['app/web-1', 'app/web-2']);
    });

    it('matches budgets only in the pod namespace, and a pod needs a slot in every budget that covers it', () => {
      const other = pod('web-x', { app: 'web' }, { ns: 'elsewhere' });
      expect(planEvictions([other], [budget('web', { app: 'web' }, 0)]).evict).to.deep.equal(['elsewhere/web-x']);
      const plan = planEvictions(web.slice(0, 4), [budget('wide', { app: 'web' }, 5), budget('narrow', {}, 2)]);
      expect(plan.evict).to.deep.equal(['app/web-0', 'app/web-1']);
      expect(plan.held).to.deep.equal(['app/web-2', 'app/web-3']);
    });
  });
});
