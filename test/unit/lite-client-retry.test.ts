// The CLI's light client sends a request again when the answer carries Retry-After, as client-go
// (kubectl) does: kube-apiserver answers 429 "storage is (re)initializing" for a moment after a
// restart (the chaos run saw `aksim sim event cancel` fail on it). A local HTTP server plays the
// answers; the client is the real one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { statusCode } from '../../src/runtime/kube-api.js';
import { LiteKube, MAX_RETRY_AFTER, retryAfterS } from '../../src/runtime/lite-client.js';

describe('light client: Retry-After', () => {
  let server: Server;
  let answers: { code: number; retryAfter?: string; body: unknown }[] = [];
  let seen = 0;
  let kube: LiteKube;

  before(async () => {
    server = createServer((req, res) => {
      seen++;
      req.resume();
      const a = answers.shift() ?? { code: 200, body: { metadata: { name: 'n' } } };
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (a.retryAfter !== undefined) headers['Retry-After'] = a.retryAfter;
      res.writeHead(a.code, headers).end(JSON.stringify(a.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    kube = new LiteKube({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: false });
  });
  after(() => server.close());
  beforeEach(() => {
    answers = [];
    seen = 0;
  });

  const busy = { code: 429, retryAfter: '0', body: { kind: 'Status', message: 'storage is (re)initializing', code: 429 } };

  it('reads the header: 429 and 5xx only, whole seconds, at most 10', () => {
    expect(retryAfterS(429, '1')).to.equal(1);
    expect(retryAfterS(503, ['3'])).to.equal(3);
    expect(retryAfterS(429, '600')).to.equal(10);
    expect(retryAfterS(409, '1')).to.equal(undefined);
    expect(retryAfterS(429, undefined)).to.equal(undefined);
    expect(retryAfterS(429, 'Wed, 21 Oct 2026 07:28:00 GMT')).to.equal(undefined);
  });

  it('sends a write again after a 429 with Retry-After, and returns the answer', async () => {
    answers = [busy, busy];
    const out = await kube.patch<{ metadata: { name: string } }>('ScheduledEvent', 'ns', 'e', { spec: { cancel: true } });
    expect(out.metadata.name).to.equal('n');
    expect(seen).to.equal(3);
  });

  it('waits the seconds the header asks', async () => {
    answers = [{ ...busy, retryAfter: '1' }];
    const t0 = Date.now();
    await kube.get('SimCluster', 'ns', 'c');
    expect(Date.now() - t0).to.be.at.least(950);
  });

  it('gives up after MAX_RETRY_AFTER tries with the API server message', async () => {
    answers = Array.from({ length: MAX_RETRY_AFTER + 1 }, () => busy);
    const err = await kube.get('SimCluster', 'ns', 'c').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(statusCode(err)).to.equal(429);
    expect((err as Error).message).to.equal('storage is (re)initializing');
    expect(seen).to.equal(MAX_RETRY_AFTER + 1);
  });

  it('does not send again an error without Retry-After', async () => {
    answers = [{ code: 500, body: { message: 'boom' } }];
    const err = await kube.get('SimCluster', 'ns', 'c').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(statusCode(err)).to.equal(500);
    expect(seen).to.equal(1);
  });
});
