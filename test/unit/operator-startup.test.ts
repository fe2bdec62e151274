// Regression (chaos run, invariant operator-never-crashes): a replica started while kube-apiserver
// was restarting exited at once ("aksim: HTTP-Code: 503") on its first read. Start-up calls now
// wait out an API server that does not answer (no connection, 5xx, 429); any other answer (e.g.
// the CRDs missing) still ends the start-up at once.
import { expect } from 'chai';
import { whenReachable } from '../../src/operator.js';

describe('operator start-up against an API server that is away', () => {
  it('tries again after no connection, 503 and 429, and returns the answer', async () => {
    const errors = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('unavailable'), { code: 503 }),
      Object.assign(new Error('busy'), { code: 429 }),
    ];
    let calls = 0;
    const v = await whenReachable(
      'test',
      async () => {
        const e = errors[calls++];
        if (e) throw e;
        return 'answered';
      },
      1,
    );
    expect(v).to.equal('answered');
    expect(calls).to.equal(4);
  });

  it('gives up at once on a refusal', async () => {
    let calls = 0;
    const err = await whenReachable(
      'test',
      async () => {
        calls++;
        throw Object.assign(new Error('the cluster does not serve simclusters.aksim.io: install the CRDs first'), { code: 404 });
      },
      1,
    ).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/install the CRDs first/);
    expect(calls).to.equal(1);
  });
});
