// The CLI's kubeconfig handling (src/runtime/kubeconfig.ts) and the light client's request
// building (src/runtime/lite-client.ts): which file, which credentials, which cases go to
// client-node, and the errors people see.
import { expect } from 'chai';
import { locateKubeconfig, resolveKubeconfig, type Connection } from '../../src/runtime/kubeconfig.js';
import { customPath, errorOf, query } from '../../src/runtime/lite-client.js';
import { apiMessage, isNotFound, statusCode } from '../../src/runtime/kube-api.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function config(cluster: Record<string, unknown>, user: Record<string, unknown> = {}, extra = ''): string {
  return `
apiVersion: v1
kind: Config
current-context: ctx
contexts:
- name: other
  context: { cluster: other, user: other }
- name: ctx
  context: { cluster: c1, user: u1 }
clusters:
- name: other
  cluster: { server: "https://other:1" }
- name: c1
  cluster: ${JSON.stringify(cluster)}
users:
- name: other
  user: { token: other-token }
- name: u1
  user: ${JSON.stringify(user)}
${extra}`;
}

/** A file reader over a fixed map, recording what was read. */
function files(map: Record<string, string>): { read: (p: string) => Buffer; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    read: (p: string) => {
      seen.push(p);
      const v = map[p];
      if (v === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return Buffer.from(v);
    },
  };
}

function direct(text: string, path = '/home/u/.kube/config', read = files({}).read): Connection {
  const r = resolveKubeconfig(text, path, read);
  if (r.kind !== 'direct') throw new Error(`expected a direct connection, got client-node: ${r.reason}`);
  return r.connection;
}

describe('kubeconfig: which file', () => {
  const none = (): boolean => false;
  it('takes --kubeconfig over everything', () => {
    expect(locateKubeconfig('/x/kc', { KUBECONFIG: '/y/kc', HOME: '/h' }, () => true)).to.deep.equal({ kind: 'file', path: '/x/kc' });
  });
  it('takes a single $KUBECONFIG file', () => {
    expect(locateKubeconfig(undefined, { KUBECONFIG: '/y/kc', HOME: '/h' }, none)).to.deep.equal({ kind: 'file', path: '/y/kc' });
  });
  it('leaves a $KUBECONFIG list (merged) to client-node', () => {
    expect(locateKubeconfig(undefined, { KUBECONFIG: '/a:/b', HOME: '/h' }, none).kind).to.equal('client-node');
  });
  it('ignores empty entries of $KUBECONFIG', () => {
    expect(locateKubeconfig(undefined, { KUBECONFIG: ':/y/kc:', HOME: '/h' }, none)).to.deep.equal({ kind: 'file', path: '/y/kc' });
  });
  it('falls back to ~/.kube/config, then to the in-cluster configuration (client-node)', () => {
    expect(locateKubeconfig(undefined, { HOME: '/h' }, (p) => p === '/h/.kube/config')).to.deep.equal({
      kind: 'file',
      path: '/h/.kube/config',
    });
    expect(locateKubeconfig(undefined, { HOME: '/h' }, none).kind).to.equal('client-node');
  });
});

describe('kubeconfig: the current context', () => {
  it('reads inline client certificate, key and CA (the embedded cluster)', () => {
    const c = direct(
      config(
        { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64('CA') },
        { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
      ),
    );
    expect(c.server).to.equal('https://127.0.0.1:6443');
    expect(c.ca?.toString()).to.equal('CA');
    expect(c.cert?.toString()).to.equal('CERT');
    expect(c.key?.toString()).to.equal('KEY');
    expect(c.token).to.equal(undefined);
    expect(c.skipTLSVerify).to.equal(false);
  });

  it('reads file references relative to the kubeconfig directory, absolute ones as they are', () => {
    const f = files({ '/home/u/.kube/pki/ca.crt': 'CA', '/etc/pki/u.crt': 'CERT', '/home/u/.kube/u.key': 'KEY' });
    const c = direct(
      config(
        { server: 'https://k:6443', 'certificate-authority': 'pki/ca.crt' },
        { 'client-certificate': '/etc/pki/u.crt', 'client-key': 'u.key' },
      ),
      '/home/u/.kube/config',
      f.read,
    );
    expect([c.ca?.toString(), c.cert?.toString(), c.key?.toString()]).to.deep.equal(['CA', 'CERT', 'KEY']);
    expect(f.seen).to.have.members(['/home/u/.kube/pki/ca.crt', '/etc/pki/u.crt', '/home/u/.kube/u.key']);
  });

  it('prefers a file reference to inline data, as kubectl does', () => {
    const f = files({ '/k/ca.crt': 'FROM-FILE' });
    const c = direct(
      config({ server: 'https://k', 'certificate-authority': 'ca.crt', 'certificate-authority-data': b64('INLINE') }),
      '/k/config',
      f.read,
    );
    expect(c.ca?.toString()).to.equal('FROM-FILE');
  });

  it('reads a bearer token, or a tokenFile (trimmed); token wins over tokenFile', () => {
    expect(direct(config({ server: 'https://k' }, { token: 'abc' })).token).to.equal('abc');
    const f = files({ '/k/token': 'from-file\n' });
    expect(direct(config({ server: 'https://k' }, { tokenFile: 'token' }), '/k/config', f.read).token).to.equal('from-file');
    expect(direct(config({ server: 'https://k' }, { token: 'abc', tokenFile: 'token' }), '/k/config', f.read).token).to.equal('abc');
  });

  it('reads basic auth, impersonation, insecure-skip-tls-verify and tls-server-name', () => {
    const c = direct(
      config(
        { server: 'https://k', 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' },
        { username: 'admin', password: 'pw', as: 'jane' },
      ),
    );
    expect([c.username, c.password, c.impersonate, c.skipTLSVerify, c.tlsServerName]).to.deep.equal([
      'admin',
      'pw',
      'jane',
      true,
      'api.internal',
    ]);
  });

  it('accepts a user-less context and a plain-HTTP server', () => {
    const text =
      'current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:8080"}}]\n';
    const c = direct(text);
    expect(c.server).to.equal('http://127.0.0.1:8080');
    expect(c.cert).to.equal(undefined);
  });

  it('leaves exec plugins, auth-providers and proxies to client-node', () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ server: 'https://k' }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'kubelogin' } }],
      [{ server: 'https://k' }, { 'auth-provider': { name: 'oidc' } }],
      [{ server: 'https://k', 'proxy-url': 'http://proxy:3128' }, { token: 't' }],
    ];
    for (const [cluster, user] of cases)
      expect(resolveKubeconfig(config(cluster, user), '/k/config', files({}).read).kind).to.equal('client-node');
  });
});

describe('kubeconfig: bad input gets a clear error', () => {
  const err = (text: string, read = files({}).read): string => {
    try {
      resolveKubeconfig(text, '/k/config', read);
    } catch (e: unknown) {
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('names the file and the problem', () => {
    expect(err('current-context: [unclosed')).to.match(/^kubeconfig \/k\/config is not valid YAML/);
    expect(err('')).to.equal('kubeconfig /k/config is empty or not a map');
    expect(err('kind: Config\nclusters: []\n')).to.equal('kubeconfig /k/config has no current-context');
    expect(err('current-context: nope\ncontexts: []\n')).to.equal('kubeconfig /k/config: current-context nope is not among its contexts');
    expect(err('current-context: a\ncontexts: [{name: a, context: {cluster: gone}}]\nclusters: []\n')).to.match(
      /the cluster of context a \(gone\) is not among its clusters/,
    );
    expect(err('current-context: a\ncontexts: [{name: a, context: {cluster: c}}]\nclusters: [{name: c, cluster: {}}]\n')).to.match(
      /cluster c has no server/,
    );
    expect(err(config({ server: 'not a url' }))).to.match(/invalid server URL not a url/);
    expect(err(config({ server: 'ftp://k' }))).to.match(/is not http\(s\)/);
    expect(err('current-context: a\ncontexts: {a: 1}\n')).to.match(/contexts must be a list/);
  });
  it('refuses a certificate without its key', () => {
    expect(err(config({ server: 'https://k' }, { 'client-certificate-data': b64('CERT') }))).to.match(/client certificate without a key/);
  });
  it('says which referenced file it could not read', () => {
    expect(err(config({ server: 'https://k', 'certificate-authority': 'missing.crt' }))).to.match(
      /cannot read certificate-authority \/k\/missing.crt: ENOENT/,
    );
  });
});

describe('light client: requests and errors', () => {
  it('builds custom resource paths (namespaced, all namespaces, status) with escaped segments', () => {
    expect(customPath('SimCluster', 'rg1', 'c1')).to.equal('/apis/aksim.io/v1alpha1/namespaces/rg1/simclusters/c1');
    expect(customPath('SimNodePool', 'rg1')).to.equal('/apis/aksim.io/v1alpha1/namespaces/rg1/simnodepools');
    expect(customPath('SimMachine', undefined)).to.equal('/apis/aksim.io/v1alpha1/simmachines');
    expect(customPath('NodePoolSnapshot', 'rg1', 's1', 'status')).to.equal(
      '/apis/aksim.io/v1alpha1/namespaces/rg1/nodepoolsnapshots/s1/status',
    );
    expect(customPath('SimCluster', 'rg1', 'a/b')).to.equal('/apis/aksim.io/v1alpha1/namespaces/rg1/simclusters/a%2Fb');
  });

  it('builds query strings from the defined values only', () => {
    expect(query({ labelSelector: undefined })).to.equal('');
    expect(query({ labelSelector: 'a=b,c=d', fieldManager: 'aksim', force: true })).to.equal(
      '?labelSelector=a%3Db%2Cc%3Dd&fieldManager=aksim&force=true',
    );
  });

  it('turns a Status answer into an error with its code and message', () => {
    const e = errorOf(
      404,
      'GET',
      '/api/v1/namespaces/x',
      JSON.stringify({ kind: 'Status', message: 'namespaces "x" not found', code: 404 }),
    );
    expect(isNotFound(e)).to.equal(true);
    expect(e.message).to.equal('namespaces "x" not found');
    expect(apiMessage(e)).to.equal('namespaces "x" not found');
  });

  it('keeps a non-JSON answer readable', () => {
    const e = errorOf(502, 'GET', '/api/v1/nodes/n', 'Bad Gateway');
    expect(statusCode(e)).to.equal(502);
    expect(e.message).to.equal('GET /api/v1/nodes/n: HTTP 502 Bad Gateway');
    expect(apiMessage(e)).to.equal('HTTP 502');
  });

  it('reads the message of any error with a numeric code and a body (client-node ApiException too)', () => {
    const apiException = Object.assign(new Error('HTTP-Code: 409 ...'), { code: 409, body: '{"message":"already exists"}' });
    expect(apiMessage(apiException)).to.equal('already exists');
    expect(statusCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).to.equal(undefined);
    expect(apiMessage(new Error('connect ECONNREFUSED'))).to.equal('connect ECONNREFUSED');
  });
});
