// Unit: the console's actions refuse bad input with the CLI's errors before anything is written
// (src/console/actions.ts); the service here fails the test if it is ever called.
import { expect } from 'chai';
import { ArmError } from '../../src/arm/errors.js';
import type { ArmService } from '../../src/arm/service.js';
import { runAction } from '../../src/console/actions.js';

const noCalls = (allow: Record<string, unknown>): object =>
  new Proxy(
    {},
    {
      get(_t, p) {
        if (p === 'then') return undefined;
        if (typeof p === 'string' && p in allow) return allow[p];
        throw new Error(`nothing may be called on bad input (called ${String(p)})`);
      },
    },
  );
const untouchable = noCalls({ subscriptionId: '00000000-0000-0000-0000-000000000000', kube: noCalls({}) }) as ArmService;

async function refusal(name: Parameters<typeof runAction>[1], body: unknown): Promise<ArmError> {
  try {
    await runAction(untouchable, name, body);
  } catch (err: unknown) {
    if (err instanceof ArmError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('console: action input', () => {
  const cases: [Parameters<typeof runAction>[1], unknown, RegExp][] = [
    ['scale', { resourceGroup: 'rg', cluster: 'c1', pool: 'np1', count: 'abc' }, /expected an integer node count, got "abc"/],
    ['scale', { resourceGroup: 'rg', cluster: 'c1', pool: 'np1', count: '' }, /expected an integer node count/],
    ['scale', { resourceGroup: 'rg', cluster: 'c1', pool: 'np1', count: 2.5 }, /expected an integer node count/],
    ['scale', { resourceGroup: 'rg', pool: 'np1', count: 3 }, /cluster is required/],
    ['scale', { resourceGroup: 'Bad Group!', cluster: 'c1', pool: 'np1', count: 3 }, /resourceGroup "Bad Group!" is not a valid name/],
    ['abort', { resourceGroup: 'rg' }, /cluster is required/],
    ['abort', [], /must be a JSON object/],
    ['fault-inject', { node: 'aks-np1-1-vmss000000', type: 'Meltdown' }, /unknown fault type Meltdown; one of KubeletStopped/],
    ['fault-inject', { type: 'KubeletStopped' }, /node is required/],
    ['event-schedule', { node: 'aks-np1-1-vmss000000', type: 'Explode' }, /unknown event type Explode/],
    ['event-schedule', { node: 'aks-np1-1-vmss000000', type: 'Reboot', notBefore: 5 }, /notBefore must be an ISO time/],
    ['event-approve', {}, /id is required/],
    ['ngroup-cancel', { resourceGroup: 'rg', ngroup: '../x' }, /ngroup "..\/x" is not a valid name/],
  ];
  for (const [name, body, want] of cases) {
    it(`${name} ${JSON.stringify(body)}`, async () => {
      const err = await refusal(name, body);
      expect(err.status).to.equal(400);
      expect(err.message).to.match(want);
    });
  }
});
