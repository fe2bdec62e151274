// The CLI waits on the write it made (found by the chaos run): when the operator had not started
// the operation by the time the write was answered, it follows the write's own status, not the
// resource's latest (earlier, already finished) operation.
import { expect } from 'chai';
import type { ArmService, Target } from '../../src/arm/service.js';
import type { LroToken } from '../../src/arm/lro.js';
import { waitAccepted, waitOperation } from '../../src/cli/wait.js';
import { ArmError } from '../../src/arm/errors.js';
import { throughTransient } from '../../src/arm/retry.js';
import { KubeError, isTransient } from '../../src/runtime/kube-api.js';

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

  it('goes on through a moment without the API server instead of failing (the chaos run saw the harness send a scale again, refused as busy)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const answers: (Error | string)[] = [refused, new KubeError(503, '', 'unavailable'), 'InProgress', refused, 'Succeeded'];
    const svc = {
      async getOperation() {
        const a = answers.shift()!;
        if (a instanceof Error) throw a;
        return { name: 'op1', status: a, percentComplete: a === 'Succeeded' ? 100 : 0 };
      },
    } as unknown as ArmService;
    const op = await waitOperation(svc, t, 'op1', { quiet: true, intervalMs: 1 });
    expect(op.status).to.equal('Succeeded');
    expect(answers).to.have.length(0);
  });
});

describe('transient errors: what is tried again', () => {
  it('connection errors, 408, 429 and 5xx are transient; refusals and not-found are not', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).to.equal(true);
    expect(isTransient(new Error('socket hang up'))).to.equal(true);
    for (const code of [408, 429, 500, 503]) expect(isTransient(new KubeError(code, '', 'x')), String(code)).to.equal(true);
    for (const code of [400, 404, 409, 422]) expect(isTransient(new KubeError(code, '', 'x')), String(code)).to.equal(false);
    expect(isTransient(new Error('boom'))).to.equal(false);
  });

  it('throughTransient gives up at once on a refusal, and after its time on transient errors', async () => {
    let calls = 0;
    const busy = new ArmError(409, 'OperationNotAllowed', 'busy');
    const e1 = await throughTransient(async () => {
      calls++;
      throw busy;
    }, 1).catch((e: unknown) => e);
    expect([e1, calls]).to.deep.equal([busy, 1]);
    calls = 0;
    const e2 = await throughTransient(
      async () => {
        calls++;
        throw new ArmError(500, 'InternalServerError', 'down');
      },
      1,
      20,
    ).catch((e: unknown) => e);
    expect((e2 as ArmError).status).to.equal(500);
    expect(calls).to.be.greaterThan(1);
  });
});
