// e2e: the CLI's light Kubernetes client (src/runtime/lite-client.ts) and the operator's
// client-node wrapper (src/runtime/client.ts) give the same answers on the real API server for
// every KubeApi call; and the CLI reaches the cluster with each kind of kubeconfig: inline and
// relative-file certificates, a service account token (its refusals read as the API server's),
// an exec plugin (through client-node), and a clear error for a kubeconfig it cannot use.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import type { SimCluster } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { apiMessage, statusCode, type KubeApi } from '../../src/runtime/kube-api.js';
import { cliKube, clientNodeKube, LiteKube } from '../../src/runtime/lite-client.js';
import { apply, deleteNamespace, freshNamespace, KUBECONFIG, kubectl, kubectlJson, run, stopSharedOperator } from '../support/env.js';

const aksim = (...args: string[]) => run(process.execPath, ['bin/aksim.js', ...args]);
type Step = [string, 'ok' | 'error', unknown];

/** The same calls through either client, as a transcript of results and error codes. */
async function scenario(k: KubeApi, ns: string, name: string): Promise<Step[]> {
  const out: Step[] = [];
  const step = async <T>(what: string, fn: () => Promise<T>, pick: (v: T) => unknown = (v) => v): Promise<void> => {
    try {
      out.push([what, 'ok', pick(await fn())]);
    } catch (err: unknown) {
      out.push([what, 'error', statusCode(err)]);
    }
  };
  const spec = (c: SimCluster | undefined) =>
    c && {
      name: c.metadata.name,
      profiles: c.spec.agentPoolProfiles?.map((p) => `${p.name}:${p.count}`),
      dnsPrefix: c.spec.dnsPrefix,
      labels: c.metadata.labels,
    };
  await step(
    'readNamespace',
    () => k.readNamespace(ns),
    (n) => n.metadata?.name,
  );
  await step('readNamespace missing', () => k.readNamespace(`${ns}-missing`));
  await step(
    'listNamespaces has it',
    () => k.listNamespaces(),
    (l) => l.some((n) => n.metadata?.name === ns),
  );
  await step('get missing', () => k.get<SimCluster>('SimCluster', ns, name));
  await step(
    'create',
    () =>
      k.create<SimCluster>('SimCluster', ns, {
        metadata: { name, namespace: ns, labels: { tier: 'a' } },
        spec: { agentPoolProfiles: [{ name: 'np1', mode: 'System', count: 1 }] },
      } as SimCluster),
    spec,
  );
  await step('create again', () =>
    k.create<SimCluster>('SimCluster', ns, {
      metadata: { name, namespace: ns },
      spec: { agentPoolProfiles: [{ name: 'np1', mode: 'System', count: 1 }] },
    } as SimCluster),
  );
  await step('create invalid', () =>
    k.create<SimCluster>('SimCluster', ns, {
      metadata: { name: `${name}-bad`, namespace: ns },
      spec: { agentPoolProfiles: [{ name: 'np1', mode: 'System', count: -1 }] },
    } as SimCluster),
  );
  await step('get', () => k.get<SimCluster>('SimCluster', ns, name), spec);
  await step(
    'list',
    () => k.list<SimCluster>('SimCluster', ns),
    (l) => l.map((c) => c.metadata.name),
  );
  await step(
    'list by label',
    () => k.list<SimCluster>('SimCluster', ns, 'tier=b'),
    (l) => l.length,
  );
  await step(
    'listAll has it',
    () => k.listAll<SimCluster>('SimCluster'),
    (l) => l.some((c) => c.metadata.namespace === ns && c.metadata.name === name),
  );
  await step('patch (merge)', () => k.patch<SimCluster>('SimCluster', ns, name, { metadata: { labels: { tier: 'b' } } }), spec);
  await step(
    'list by label again',
    () => k.list<SimCluster>('SimCluster', ns, 'tier=b'),
    (l) => l.length,
  );
  await step(
    'patchJson',
    () =>
      k.patchJson<SimCluster>('SimCluster', ns, name, [
        { op: 'test', path: '/spec/agentPoolProfiles/0/name', value: 'np1' },
        { op: 'replace', path: '/spec/agentPoolProfiles/0/count', value: 2 },
      ]),
    spec,
  );
  await step('patchJson failed test', () =>
    k.patchJson<SimCluster>('SimCluster', ns, name, [{ op: 'test', path: '/spec/agentPoolProfiles/0/name', value: 'other' }]),
  );
  await step(
    'patchStatus',
    () => k.patchStatus<SimCluster>('SimCluster', ns, name, { provisioningState: 'Succeeded' }),
    (c) => c.status?.provisioningState,
  );
  await step(
    'apply',
    () => k.apply<Partial<SimCluster>>('SimCluster', ns, name, { spec: { dnsPrefix: 'applied' } } as Partial<SimCluster>, 'aksim-test'),
    (c) => c.spec?.dnsPrefix,
  );
  await step(
    'get after writes',
    () => k.get<SimCluster>('SimCluster', ns, name),
    (c) => ({
      ...spec(c),
      state: c?.status?.provisioningState,
      managers: c?.metadata.managedFields?.some((m) => m.manager === 'aksim-test'),
    }),
  );
  await step('delete', () => k.delete('SimCluster', ns, name));
  await step('delete again (NotFound is success)', () => k.delete('SimCluster', ns, name));
  await step(
    'readConfigMap',
    () => k.readConfigMap('aksim-system', 'aksim-node-images'),
    (c) => Object.keys(c.data ?? {}).length > 0,
  );
  await step('readConfigMap missing', () => k.readConfigMap(ns, 'missing'));
  await step('readNode missing', () => k.readNode(`${ns}-missing`));
  await step(
    'readNode',
    () => k.readNode(`${ns}-node`),
    (n) => n.metadata?.labels?.['aksim.io/test'],
  );
  await step(
    'listNodes by label',
    () => k.listNodes(`aksim.io/test=${ns}`),
    (l) => l.map((n) => n.metadata?.name),
  );
  await step(
    'listNodes',
    () => k.listNodes(),
    (l) => l.some((n) => n.metadata?.name === `${ns}-node`),
  );
  await step(
    'readLease',
    () => k.readLease(ns, 'test-lease'),
    (l) => l.spec?.holderIdentity,
  );
  await step('readLease missing', () => k.readLease(ns, 'missing'));
  await step(
    'credentials',
    () => k.credentials(),
    (c) => c && { server: c.server, ca: !!c.caData, cert: !!c.certData, key: !!c.keyData, token: c.token },
  );
  await step(
    'createNamespace',
    () => k.createNamespace({ metadata: { name: `${ns}-${name}`, labels: { 'aksim.io/test': 'true' } } }),
    (n) => n.metadata?.labels?.['aksim.io/test'],
  );
  await step('createNamespace again', () => k.createNamespace({ metadata: { name: `${ns}-${name}` } }));
  await step('patchNamespace', () => k.patchNamespace(`${ns}-${name}`, { metadata: { annotations: { 'aksim.io/tags': '{"a":"b"}' } } }));
  await step(
    'patchNamespace seen',
    () => k.readNamespace(`${ns}-${name}`),
    (n) => n.metadata?.annotations?.['aksim.io/tags'],
  );
  await step('patchNamespace missing', () => k.patchNamespace(`${ns}-${name}-missing`, { metadata: { labels: { a: 'b' } } }));
  await step('deleteNamespace', () => k.deleteNamespace(`${ns}-${name}`));
  return out;
}

const EXPECTED = (ns: string, name: string, server: string): Step[] => {
  const base = { name, profiles: ['np1:1'], dnsPrefix: undefined, labels: { tier: 'a' } };
  return [
    ['readNamespace', 'ok', ns],
    ['readNamespace missing', 'error', 404],
    ['listNamespaces has it', 'ok', true],
    ['get missing', 'ok', undefined],
    ['create', 'ok', base],
    ['create again', 'error', 409],
    ['create invalid', 'error', 422],
    ['get', 'ok', base],
    ['list', 'ok', [name]],
    ['list by label', 'ok', 0],
    ['listAll has it', 'ok', true],
    ['patch (merge)', 'ok', { ...base, labels: { tier: 'b' } }],
    ['list by label again', 'ok', 1],
    ['patchJson', 'ok', { ...base, profiles: ['np1:2'], labels: { tier: 'b' } }],
    ['patchJson failed test', 'error', 422],
    ['patchStatus', 'ok', 'Succeeded'],
    ['apply', 'ok', 'applied'],
    [
      'get after writes',
      'ok',
      { name, profiles: ['np1:2'], dnsPrefix: 'applied', labels: { tier: 'b' }, state: 'Succeeded', managers: true },
    ],
    ['delete', 'ok', undefined],
    ['delete again (NotFound is success)', 'ok', undefined],
    ['readConfigMap', 'ok', true],
    ['readConfigMap missing', 'error', 404],
    ['readNode missing', 'error', 404],
    ['readNode', 'ok', ns],
    ['listNodes by label', 'ok', [`${ns}-node`]],
    ['listNodes', 'ok', true],
    ['readLease', 'ok', 'someone'],
    ['readLease missing', 'error', 404],
    ['credentials', 'ok', { server, ca: true, cert: true, key: true, token: undefined }],
    ['createNamespace', 'ok', 'true'],
    ['createNamespace again', 'error', 409],
    ['patchNamespace', 'ok', undefined],
    ['patchNamespace seen', 'ok', '{"a":"b"}'],
    ['patchNamespace missing', 'error', 404],
    ['deleteNamespace', 'ok', undefined],
  ];
};

interface Raw {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
}

describe('e2e: the CLI light client and client-node answer alike; the CLI reads every kind of kubeconfig', function () {
  this.timeout(120_000);
  let ns = '';
  let dir = '';
  let server = '';
  let caData = '';
  let admin: Record<string, unknown> = {};
  const kubeconfig = (file: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string => {
    const path = join(dir, file);
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'ctx',
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        clusters: [{ name: 'c', cluster }],
        users: [{ name: 'u', user }],
      }),
    );
    return path;
  };

  before(async () => {
    await stopSharedOperator(); // nothing may act on the objects this suite writes
    await kubectl('apply', '-f', 'manifests/catalog/node-images.yaml');
    ns = await freshNamespace('kube-clients');
    dir = mkdtempSync(join(tmpdir(), 'aksim-kubeconfig-'));
    const raw = await kubectlJson<Raw>('config', 'view', '--raw', '--minify', '--flatten');
    server = String(raw.clusters[0]!.cluster.server);
    caData = String(raw.clusters[0]!.cluster['certificate-authority-data'] ?? '');
    admin = raw.users[0]!.user;
    for (const doc of [
      `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${ns}-node\n  labels: { aksim.io/test: ${ns} }\n`,
      `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: { name: test-lease, namespace: ${ns} }\nspec: { holderIdentity: someone }\n`,
    ]) {
      const r = await apply(doc);
      if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    }
  });
  after(async () => {
    await run('kubectl', ['delete', 'clusterrolebinding', `${ns}-lite`, '--ignore-not-found']);
    await run('kubectl', ['delete', 'node', `${ns}-node`, '--ignore-not-found']);
    await deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the embedded cluster kubeconfig goes to the light client', () => {
    expect(cliKube(KUBECONFIG)).to.be.instanceOf(LiteKube);
  });

  for (const [label, make] of [
    ['light client', () => cliKube(KUBECONFIG)],
    ['client-node Kube', () => Kube.fromFile(KUBECONFIG)],
    ['the CLI fallback to client-node', () => clientNodeKube(KUBECONFIG)],
  ] as const) {
    it(`${label}: every KubeApi call on the real API server`, async () => {
      const name = label.startsWith('light') ? 'lite' : label.startsWith('client-node') ? 'kube' : 'fallback';
      expect(await scenario(make(), ns, name)).to.deep.equal(EXPECTED(ns, name, server));
    });
  }

  it('both clients hand out the same credentials (az aks get-credentials)', async () => {
    const norm = (c: Awaited<ReturnType<KubeApi['credentials']>>) =>
      c && { ...c, skipTLSVerify: c.skipTLSVerify || undefined, exec: c.exec ?? undefined };
    expect(norm(await cliKube(KUBECONFIG).credentials())).to.deep.equal(norm(await Kube.fromFile(KUBECONFIG).credentials()));
  });

  it('both clients carry the API server message in their errors', async () => {
    for (const k of [cliKube(KUBECONFIG), Kube.fromFile(KUBECONFIG)]) {
      const err = await k.readNamespace(`${ns}-missing`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(apiMessage(err)).to.equal(`namespaces "${ns}-missing" not found`);
    }
  });

  it('reads certificates from files relative to the kubeconfig', async () => {
    mkdirSync(join(dir, 'pki'), { recursive: true });
    writeFileSync(join(dir, 'pki/ca.crt'), Buffer.from(caData, 'base64'));
    writeFileSync(join(dir, 'pki/admin.crt'), Buffer.from(String(admin['client-certificate-data']), 'base64'));
    writeFileSync(join(dir, 'pki/admin.key'), Buffer.from(String(admin['client-key-data']), 'base64'));
    const kc = kubeconfig(
      'files.yaml',
      { server, 'certificate-authority': 'pki/ca.crt' },
      { 'client-certificate': 'pki/admin.crt', 'client-key': 'pki/admin.key' },
    );
    const r = await aksim('aks', 'list', '-g', ns, '--kubeconfig', kc);
    expect(r.stderr).to.equal('');
    expect(JSON.parse(r.stdout)).to.deep.equal([]);
  });

  it('sends a service account token: the API server refuses it, then allows it once bound', async () => {
    await kubectl('create', 'serviceaccount', 'lite', '-n', ns);
    const token = (await kubectl('create', 'token', 'lite', '-n', ns, '--duration', '10m')).trim();
    const kc = kubeconfig('token.yaml', { server, 'certificate-authority-data': caData }, { token });
    const refused = await aksim('aks', 'list', '-g', ns, '--kubeconfig', kc);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.equal(
      `ERROR: namespaces "${ns}" is forbidden: User "system:serviceaccount:${ns}:lite" cannot get resource "namespaces" in API group "" in the namespace "${ns}"\n`,
    );
    await kubectl('create', 'clusterrolebinding', `${ns}-lite`, '--clusterrole', 'cluster-admin', '--serviceaccount', `${ns}:lite`);
    const allowed = await aksim('aks', 'list', '-g', ns, '--kubeconfig', kc);
    expect(allowed.stderr).to.equal('');
    expect(JSON.parse(allowed.stdout)).to.deep.equal([]);
  });

  it('runs an exec credential plugin through client-node', async () => {
    const token = (await kubectl('create', 'token', 'lite', '-n', ns, '--duration', '10m')).trim();
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } });
    const kc = kubeconfig(
      'exec.yaml',
      { server, 'certificate-authority-data': caData },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: 'sh',
          args: ['-c', `printf '%s' '${credential}'`],
          interactiveMode: 'Never',
        },
      },
    );
    expect(cliKube(kc)).not.to.be.instanceOf(LiteKube);
    const r = await aksim('group', 'create', '-n', `${ns}-exec`, '--kubeconfig', kc);
    expect(r.stderr).to.equal('');
    expect(JSON.parse(r.stdout).name).to.equal(`${ns}-exec`);
    await kubectl('get', 'namespace', `${ns}-exec`);
    await kubectl('delete', 'namespace', `${ns}-exec`, '--wait=false');
  });

  it('says what is wrong with a kubeconfig it cannot use', async () => {
    const missing = await aksim('aks', 'list', '--kubeconfig', join(dir, 'nope.yaml'));
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(new RegExp(`^ERROR: cannot read kubeconfig ${join(dir, 'nope.yaml')}: ENOENT`));
    const path = join(dir, 'nocontext.yaml');
    writeFileSync(path, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'gone', contexts: [], clusters: [], users: [] }));
    const nocontext = await aksim('aks', 'list', '--kubeconfig', path);
    expect(nocontext.code).to.equal(1);
    expect(nocontext.stderr).to.equal(`ERROR: kubeconfig ${path}: current-context gone is not among its contexts\n`);
  });
});
