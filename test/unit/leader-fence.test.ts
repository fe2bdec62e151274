// Regression (chaos run, invariant leader-only-writes): a leader whose renewals fail kept writing
// for up to a renew period after its lease ran out. Writes are now fenced by the lease: none is
// sent once the last renewal (minus a margin) has run out, and none by a replica that never led.
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { isFencedWrite, Kube, NotLeaderError } from '../../src/runtime/client.js';
import { actUntil, LeaderElector } from '../../src/runtime/leader.js';
import { pino } from 'pino';

const log = pino({ level: 'silent' });

describe('leader lease fences writes', () => {
  it('acts until the lease runs out minus a third of it', () => {
    expect(actUntil(10_000, 15_000)).to.equal(20_000);
    expect(actUntil(10_000, 3_000)).to.equal(12_000);
  });

  it('lets the leader write only while its last renewal holds', async () => {
    const notFound = Object.assign(new Error('not found'), { code: 404 });
    const kube = {
      coordination: {
        readNamespacedLease: async () => Promise.reject(notFound),
        createNamespacedLease: async () => ({}),
        replaceNamespacedLease: async () => ({}),
      },
    } as unknown as Kube;
    const e = new LeaderElector({ kube, namespace: 'ns', name: 'l', identity: 'me', leaseSeconds: 3, renewSeconds: 1, log });
    expect(e.fence()).to.match(/does not hold/);
    const before = Date.now();
    await e.acquire(() => {});
    expect(e.fence()).to.equal(undefined);
    expect(e.fence(before + 1_800)).to.equal(undefined);
    expect(e.fence(Date.now() + 2_500)).to.match(/last renewed \d+ ms ago/);
    await e.release();
    expect(e.fence()).to.match(/does not hold/);
  });

  describe('the Kube client', () => {
    let server: Server;
    const seen: string[] = [];
    let kube: Kube;
    before(async () => {
      server = createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', code: 404 }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      kube = new Kube(kc);
      kube.fence = () => 'the leader lease ran out';
    });
    after(() => server.close());

    it('sends no write while fenced, but reads and Lease writes', async () => {
      seen.length = 0;
      const err = await kube.patch('SimNodePool', 'ns', 'p', { spec: { count: 1 } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(NotLeaderError);
      expect((err as Error).message).to.equal('write not sent: the leader lease ran out');
      expect(seen).to.deep.equal([]);
      expect(await kube.get('SimNodePool', 'ns', 'p')).to.equal(undefined);
      await kube.coordination
        .replaceNamespacedLease({ name: 'l', namespace: 'ns', body: { metadata: { name: 'l' } } })
        .catch(() => undefined);
      expect(seen.map((s) => s.split(' ')[0])).to.deep.equal(['GET', 'PUT']);
      expect(isFencedWrite('POST', 'https://x/api/v1/namespaces/a/pods/p/eviction')).to.equal(true);
      expect(isFencedWrite('PUT', 'https://x/apis/coordination.k8s.io/v1/namespaces/aksim-system/leases/aksim-operator')).to.equal(false);
    });
  });
});
