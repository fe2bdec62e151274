// Clusters and pools show kstatus' three conditions: Ready, Reconciling, and Stalled when the last
// operation failed or the spec was refused (nothing more happens until the spec changes).
import { expect } from 'chai';
import { operationConditions, refusedConditions } from '../../controllers/operations/conditions.js';

const NOW = '2026-01-01T00:00:00.000Z';
const base = { allReady: true, notReadyReason: 'NodesNotReady', summary: '3/3 nodes ready', progress: '1/3', generation: 2 };
const byType = (cs: { type: string; status: string; reason: string }[]) =>
  Object.fromEntries(cs.map((c) => [c.type, `${c.status}/${c.reason}`]));

describe('operation conditions', () => {
  it('Stalled is False while an operation runs or after one succeeded, True after one failed', () => {
    expect(byType(operationConditions(undefined, { ...base, state: 'Scaling' }, NOW))).to.deep.equal({
      Ready: 'False/Scaling',
      Reconciling: 'True/Scaling',
      Stalled: 'False/Progressing',
    });
    expect(byType(operationConditions(undefined, { ...base, state: 'Succeeded' }, NOW))).to.deep.equal({
      Ready: 'True/Succeeded',
      Reconciling: 'False/Idle',
      Stalled: 'False/Progressing',
    });
    const failed = operationConditions(undefined, { ...base, state: 'Failed', error: 'QuotaExceeded: no capacity' }, NOW);
    expect(byType(failed)).to.deep.equal({ Ready: 'False/Failed', Reconciling: 'False/Idle', Stalled: 'True/OperationFailed' });
    expect(failed.find((c) => c.type === 'Stalled')!.message).to.equal('QuotaExceeded: no capacity');
  });

  it('a refused spec sets Ready=False and Stalled=True with its reason, and leaves Reconciling alone', () => {
    const before = operationConditions(undefined, { ...base, state: 'Succeeded' }, NOW);
    const after = refusedConditions(before, 'InvalidVersion', 'no downgrade', 3, NOW);
    expect(byType(after)).to.deep.equal({ Ready: 'False/InvalidVersion', Reconciling: 'False/Idle', Stalled: 'True/InvalidVersion' });
    expect(after.find((c) => c.type === 'Stalled')).to.include({ message: 'no downgrade', observedGeneration: 3 });
  });
});
