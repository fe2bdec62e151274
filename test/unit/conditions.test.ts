// Unit tests for status condition helpers: transition times, ordering, immutability, equality.
import { expect } from 'chai';
import { conditionsEqual, getCondition, isTrue, removeCondition, setCondition, type Condition } from '../../src/runtime/conditions.js';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:05:00Z';
const T3 = '2026-01-01T00:10:00Z';

describe('conditions', () => {
  it('setCondition appends a new type with lastTransitionTime = now', () => {
    const out = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating' }, T1);
    expect(out).to.deep.equal([{ type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating', lastTransitionTime: T1 }]);
  });

  it('lastTransitionTime changes only when status changes', () => {
    let list = setCondition([], { type: 'Ready', status: 'False', reason: 'Provisioning', message: 'a', observedGeneration: 1 }, T1);
    list = setCondition(list, { type: 'Ready', status: 'False', reason: 'Waiting', message: 'b', observedGeneration: 2 }, T2);
    expect(list[0]).to.deep.equal({
      type: 'Ready',
      status: 'False',
      reason: 'Waiting',
      message: 'b',
      lastTransitionTime: T1,
      observedGeneration: 2,
    });
    list = setCondition(list, { type: 'Ready', status: 'True', reason: 'Succeeded', message: '' }, T3);
    expect(list[0]!.lastTransitionTime).to.equal(T3);
    expect(list[0]!.status).to.equal('True');
    expect(list[0]).to.not.have.property('observedGeneration');
  });

  it('keeps order, updates in place, appends new types, and never mutates the input', () => {
    const input: Condition[] = [
      { type: 'A', status: 'True', reason: 'r', message: '', lastTransitionTime: T1 },
      { type: 'B', status: 'True', reason: 'r', message: '', lastTransitionTime: T1 },
    ];
    const snapshot = structuredClone(input);
    const out = setCondition(input, { type: 'A', status: 'False', reason: 'x', message: 'y' }, T2);
    const out2 = setCondition(out, { type: 'C', status: 'Unknown', reason: 'z', message: '' }, T3);
    expect(input).to.deep.equal(snapshot);
    expect(out).to.not.equal(input);
    expect(out.map((c) => c.type)).to.deep.equal(['A', 'B']);
    expect(out[0]).to.include({ status: 'False', reason: 'x', message: 'y', lastTransitionTime: T2 });
    expect(out[1]).to.equal(input[1]); // untouched entries are shared, not copied
    expect(out2.map((c) => c.type)).to.deep.equal(['A', 'B', 'C']);
  });

  it('getCondition / isTrue', () => {
    const list = setCondition(
      setCondition(undefined, { type: 'Ready', status: 'True', reason: 'ok', message: '' }, T1),
      { type: 'Degraded', status: 'False', reason: 'ok', message: '' },
      T1,
    );
    expect(getCondition(list, 'Ready')?.reason).to.equal('ok');
    expect(getCondition(list, 'Missing')).to.equal(undefined);
    expect(getCondition(undefined, 'Ready')).to.equal(undefined);
    expect(isTrue(list, 'Ready')).to.equal(true);
    expect(isTrue(list, 'Degraded')).to.equal(false);
    expect(isTrue(list, 'Missing')).to.equal(false);
    expect(isTrue(undefined, 'Ready')).to.equal(false);
  });

  it('removeCondition returns a new array without the type', () => {
    const list = setCondition(
      setCondition(undefined, { type: 'A', status: 'True', reason: 'r', message: '' }, T1),
      { type: 'B', status: 'True', reason: 'r', message: '' },
      T1,
    );
    const out = removeCondition(list, 'A');
    expect(out.map((c) => c.type)).to.deep.equal(['B']);
    expect(list).to.have.length(2);
    expect(removeCondition(undefined, 'A')).to.deep.equal([]);
  });

  it('conditionsEqual detects every field change and treats missing as empty', () => {
    const base: Condition = { type: 'A', status: 'True', reason: 'r', message: 'm', lastTransitionTime: T1, observedGeneration: 3 };
    expect(conditionsEqual([base], [{ ...base }])).to.equal(true);
    expect(conditionsEqual(undefined, [])).to.equal(true);
    expect(conditionsEqual(undefined, undefined)).to.equal(true);
    expect(conditionsEqual([], [base])).to.equal(false);
    for (const change of [
      { type: 'B' },
      { status: 'False' as const },
      { reason: 'x' },
      { message: 'x' },
      { lastTransitionTime: T2 },
      { observedGeneration: 4 },
      { observedGeneration: undefined },
    ]) {
      expect(conditionsEqual([base], [{ ...base, ...change }]), JSON.stringify(change)).to.equal(false);
    }
    const other: Condition = { ...base, type: 'B' };
    expect(conditionsEqual([base, other], [other, base])).to.equal(false);
  });

  it('a repeated identical setCondition is a no-op by conditionsEqual', () => {
    const c = { type: 'Ready', status: 'True' as const, reason: 'ok', message: 'fine', observedGeneration: 2 };
    const first = setCondition(undefined, c, T1);
    const second = setCondition(first, c, T2);
    expect(conditionsEqual(first, second)).to.equal(true);
  });
});
