// Regression (chaos fuzz pass, bad input): a PUT whose body was a JSON number, string, array or
// null was taken as an empty object and created a node pool with defaults. The ARM router
// refuses any body that is not a JSON object with 400 InvalidRequestContent, before it acts.
import { expect } from 'chai';
import { handle } from '../../src/arm/router.js';
import type { ArmService } from '../../src/arm/service.js';

const SUB = '8ecadfc9-d1a3-4ea4-b844-0d9f87e4d7c8';
const url = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/x?api-version=2025-10-01`;

describe('ARM router: request bodies', () => {
  const touched: string[] = [];
  const svc = new Proxy({ subscriptionId: SUB } as Record<string, unknown>, {
    get: (t, k) =>
      k in t
        ? t[k as string]
        : () => {
            touched.push(String(k));
            throw new Error(`service called: ${String(k)}`);
          },
  }) as unknown as ArmService;

  for (const [what, body] of [
    ['a number', -829803],
    ['a string', 'not json'],
    ['an array', []],
    ['null', null],
  ] as const) {
    it(`refuses ${what} with 400 InvalidRequestContent and does nothing`, async () => {
      touched.length = 0;
      const r = await handle(svc, { method: 'PUT', url, body });
      expect(r.status).to.equal(400);
      expect((r.body as { error: { code: string; message: string } }).error.code).to.equal('InvalidRequestContent');
      expect((r.body as { error: { message: string } }).error.message).to.equal(
        'The request content was invalid and could not be deserialized: the body must be a JSON object.',
      );
      expect(touched).to.deep.equal([]);
    });
  }

  it('lets a request without a body through to its route', async () => {
    const r = await handle(svc, { method: 'POST', url: url.replace('/agentPools/x?', '/abort?') });
    expect((r.body as { error?: { code?: string } } | undefined)?.error?.code).to.not.equal('InvalidRequestContent');
  });
});
