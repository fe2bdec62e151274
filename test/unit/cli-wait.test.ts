// The CLI waits on the write it made (found by the chaos run): when the operator had not started
// the operation by the time the write was answered, it follows the write's own status, not the
// resource's latest (earlier, already finished) operation.
import { expect } from 'chai';
import type { ArmService, Target } from '../../src/arm/service.js';
import type { LroToken } from '../../src/arm/lro.js';
import { waitAccepted } from '../../src/cli/wait.js';

const t: Target = { kind: 'SimNodePool', rg: 'rg', cluster: 'c1', pool: 'p1' };
const token: LroToken = { target: t, gen: 4, at: 0 };

function fakeService(statuses: string[]): { svc: ArmService; latestAsked: () => number } {
  let latest = 0;
  const svc = {
    async getOperation() {
      latest++;
      return { name: 'earlier', status: 'Succeeded', percentComplete: 100 };
    },
    async asyncStatus() {
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
      return {
        id: '',
        name: 'mine',
        status,
        percentComplete: status === 'Succeeded' ? 100 : 0,
        ...(status === 'Failed' ? { error: { code: 'ScaleFailed', message: 'no capacity' } } : {}),
      };
    },
  } as unknown as ArmService;
  return { svc, latestAsked: () => latest };
}

describe('aksim CLI: waiting on an accepted write', () => {
  it('follows the write until its own operation ends when no operation id was known', async () => {
    const { svc, latestAsked } = fakeService(['InProgress', 'InProgress', 'Succeeded']);
    const op = await waitAccepted(svc, t, { lro: { token, location: 'westeurope' } }, { quiet: true, intervalMs: 1 });
    expect(op.name).to.equal('mine');
    expect(latestAsked()).to.equal(0);
  });

  it('fails as the operation failed', async () => {
    const { svc } = fakeService(['InProgress', 'Failed']);
    const err = await waitAccepted(svc, t, { lro: { token, location: 'westeurope' } }, { quiet: true, intervalMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal('no capacity');
  });

  it('waits on the operation id when the write had one', async () => {
    const { svc, latestAsked } = fakeService(['InProgress']);
    const op = await waitAccepted(svc, t, { operationId: 'op1', lro: { token, location: 'westeurope' } }, { quiet: true, intervalMs: 1 });
    expect(op.name).to.equal('earlier');
    expect(latestAsked()).to.equal(1);
  });
});
