// e2e: the web console (`aksim serve`, /console) in headless Chromium on a demo-like cluster: tiles
// by zone coloured by state; a fault injected from the page goes NotReady -> Rebooting -> Ready
// with its timeline entry; a scale started and aborted from the page ends Canceled; bad input is
// refused on the page with nothing changed; a scheduled event approved from the page; an NGroup
// rolling update advancing batch by batch per zone/fault domain, and Cancel. Without the token, or
// off loopback, nothing is answered. Screenshots go to test-output/console (and to docs/console with AKSIM_UPDATE_DOC_SHOTS=1).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { SimMachine, SimNodePool, SimOperation } from '../../src/api/generated.js';
import { Kube } from '../../src/runtime/client.js';
import { browserMissing, DOC_SHOTS, launch, request, SHOTS, startServe, type Serve } from '../support/browser.js';
import { aksimOnPath, docBlocks, runChecked } from '../support/docs.js';
import { apply, deleteNamespace, freshNamespace, KUBECONFIG, kubectl, ROOT, run, sharedOperator, waitFor } from '../support/env.js';

// Functions given to page.evaluate run in the browser: its globals, for the type checker only.
declare const document: any, window: any;

const kube = Kube.fromFile(KUBECONFIG);
const sample = (f: string): string => readFileSync(join(ROOT, 'manifests/samples', f), 'utf8');

/** The demo cluster (manifests/samples/demo-cluster.yaml) with a boot time long enough to watch. */
const demoYaml = (ns: string): string => `
apiVersion: aksim.io/v1alpha1
kind: SimCluster
metadata: {name: contoso, namespace: ${ns}}
spec:
  location: eastus
  kubernetesVersion: "1.34.4"
  simulation: {nodeBootTime: PT5M, nodeDeleteTime: PT5S}
  agentPoolProfiles:
    - {name: nodepool1, mode: System, count: 3, vmSize: Standard_D2s_v3, availabilityZones: ["1", "2", "3"]}
    - {name: spotpool, mode: User, count: 2, vmSize: Standard_D4s_v3, scaleSetPriority: Spot, scaleSetEvictionPolicy: Delete}
`;

const ngYaml = (name: string, profile: string): string => `
apiVersion: aksim.io/v1alpha1
kind: NGroup
metadata: {name: ${name}}
spec:
  location: westeurope
  zones: ["1", "2", "3"]
  placementProfile: {faultDomainCount: 2}
  elasticProfile: {desiredCount: 12, maintainDesiredCount: true, containerGroupNamingPolicy: {guidNamingPolicy: {prefix: ${name}-}}}
  containerGroupProfiles: [{resource: {id: ${profile}}}]
  updateProfile:
    updateMode: Rolling
    rollingUpdateProfile: {maxBatchPercent: 20, maxUnhealthyPercent: 20, maxUnhealthyUpdatedPercent: 20, pauseTimeBetweenBatches: PT2M, inPlaceUpdate: false}
`;

async function shot(page: Page, name: string): Promise<void> {
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  // docs/console.md shows these; they are refreshed on request, so a test run leaves the tree clean.
  if (process.env.AKSIM_UPDATE_DOC_SHOTS === '1') {
    mkdirSync(DOC_SHOTS, { recursive: true });
    copyFileSync(file, join(DOC_SHOTS, `${name}.png`));
  }
}

/**
 * Records every value an attribute of the first element matching selector takes, in the page, with
 * the time. Given as text: the test runner (tsx) wraps named functions in a helper the page lacks.
 */
async function record(page: Page, name: string, selector: string, attr: string): Promise<void> {
  await page.evaluate(`(() => {
    const seen = (window[${JSON.stringify(name)}] = []);
    function look() {
      const v = document.querySelector(${JSON.stringify(selector)})?.getAttribute(${JSON.stringify(attr)});
      if (v !== null && v !== undefined && seen.at(-1)?.v !== v) seen.push({ v, t: Date.now() });
    }
    look();
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: [${JSON.stringify(attr)}] });
  })()`);
}
const recorded = (page: Page, name: string): Promise<string[]> =>
  page.evaluate((n) => ((window as unknown as Record<string, { v: string }[]>)[n] ?? []).map((x) => x.v), name);

describe('e2e: web console', function () {
  const missing = browserMissing();
  let ns: string;
  let serve: Serve;
  let browser: Awaited<ReturnType<typeof launch>> | undefined;
  let page: Page;

  before(async function () {
    await sharedOperator();
    ns = await freshNamespace('console');
    const r = await apply(demoYaml(ns));
    expect(r.code, r.stderr).to.equal(0);
    serve = await startServe();
    await waitFor(
      'demo cluster Succeeded',
      async () =>
        (await kube.get<{ status?: { provisioningState?: string } }>('SimCluster', ns, 'contoso'))?.status?.provisioningState ===
        'Succeeded',
      120_000,
    );
  });
  after(async () => {
    await browser?.close();
    await serve?.stop();
    if (ns) await deleteNamespace(ns);
  });

  describe('access', () => {
    it('refuses requests without the token, and takes it once from ?token= into a cookie; the ARM sign-in is not asked for', async () => {
      const ca = serve.ca;
      for (const path of ['/console/', '/console/api/stream', '/console/api/snapshot', '/console/assets/x.js']) {
        const res = await request(`${serve.base}${path}`, { ca });
        expect(res.status, path).to.equal(401);
        expect(res.json<{ error: { message: string } }>().error.message).to.match(/needs its token/);
      }
      expect((await request(`${serve.base}/console/api/actions/fault-inject`, { method: 'POST', body: '{}', ca })).status).to.equal(401);
      expect(
        (await request(`${serve.base}/console/api/snapshot`, { headers: { 'X-Aksim-Console-Token': 'x'.repeat(serve.token.length) }, ca }))
          .status,
      ).to.equal(401);
      const first = await request(serve.consoleUrl, { ca });
      expect(first.status).to.equal(303);
      expect(first.headers.location).to.equal('/console/');
      const cookie = String(first.headers['set-cookie']);
      expect(cookie)
        .to.match(/aksim_console=/)
        .and.match(/HttpOnly/)
        .and.match(/SameSite=Strict/);
      const page = await request(`${serve.base}/console/`, { headers: { Cookie: cookie.split(';')[0]! }, ca });
      expect(page.status).to.equal(200);
      expect(page.text).to.match(/<div id="app">/);
      // The ARM surface beside it wants its bearer token; the console's own token is enough here.
      expect(
        (await request(`${serve.base}/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups?api-version=2021-04-01`, { ca }))
          .status,
      ).to.equal(401);
      expect(
        (await request(`${serve.base}/console/api/snapshot`, { headers: { 'X-Aksim-Console-Token': serve.token }, ca })).status,
      ).to.equal(200);
    });

    it('runs the examples of docs/console.md, From a script', async () => {
      const vars: Record<string, string> = {
        CONSOLE: serve.base,
        TOKEN: serve.token,
        CA: serve.caFile,
        RG: ns,
        CLUSTER: 'contoso',
        POOL: 'spotpool',
      };
      await runChecked(
        docBlocks('docs/console.md', '## From a script'),
        [
          [/http_code/, async (out) => void expect(out.trim()).to.equal('401')],
          [
            /actions\/scale/,
            async (out) => {
              const [kinds, refusal] = out.trim().split('\n');
              expect(kinds).to.equal('cluster pool node op sevent ngroup cg timeline');
              expect(JSON.parse(refusal!)).to.deep.equal({
                error: { code: 'InvalidArgumentValue', message: 'expected an integer node count, got "abc"' },
              });
            },
          ],
        ],
        aksimOnPath(),
        vars,
      );
      expect((await kube.get<SimNodePool>('SimNodePool', ns, 'contoso-spotpool'))!.spec.count).to.equal(2);
    });

    it('answers on loopback only: the listener is 127.0.0.1, and a console on 0.0.0.0 refuses other addresses', async function () {
      expect(new URL(serve.base).hostname).to.equal('127.0.0.1');
      const other = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      if (!other) return this.skip(); // no non-loopback address on this machine
      const refused = await request(`${serve.base.replace('127.0.0.1', other)}/console/`, { insecure: true }).then(
        () => 'answered',
        (err: Error & { code?: string }) => err.code ?? 'failed',
      );
      expect(refused).to.equal('ECONNREFUSED');
      const wide = await startServe(['--host', '0.0.0.0']);
      try {
        const res = await request(`${wide.base.replace('127.0.0.1', other)}/console/api/snapshot`, {
          headers: { 'X-Aksim-Console-Token': wide.token },
          insecure: true,
        });
        expect(res.status).to.equal(403);
        expect(res.json<{ error: { message: string } }>().error.message).to.match(/only on loopback/);
        const rebound = await request(`${wide.base}/console/api/snapshot`, {
          headers: { 'X-Aksim-Console-Token': wide.token, Host: `evil.example:${new URL(wide.base).port}` },
          insecure: true,
        });
        expect(rebound.status, 'a request naming another host (DNS rebinding)').to.equal(403);
      } finally {
        await wide.stop();
      }
    });
  });

  describe('in Chromium', function () {
    before(async function () {
      if (missing) {
        console.log(`    browser tests skipped: ${missing}`);
        return this.skip();
      }
      browser = await launch();
      page = await browser.context.newPage();
      await page.goto(`${serve.consoleUrl}#/cluster/${ns}/contoso`);
      await page.waitForSelector('[data-testid=connection]:text("live")');
    });

    it("shows each pool's nodes as tiles by zone, coloured by state, with image and version on hover", async () => {
      await page.waitForFunction(() => document.querySelectorAll('.tile[data-state=Ready]').length === 5, undefined, { timeout: 30_000 });
      const zones = await page.$$eval('[data-pool=nodepool1] .zone', (els) => els.map((e) => e.getAttribute('data-zone')));
      expect(zones).to.deep.equal(['1', '2', '3']);
      const node = (await kube.list<SimMachine>('SimMachine', ns)).find((m) => m.spec.poolName === 'nodepool1')!;
      const title = await page.getAttribute(`.tile[data-node="${node.metadata.name}"]`, 'title');
      expect(title).to.contain(`node image: ${node.status!.nodeImageVersion}`).and.contain('Kubernetes: 1.34.4');
      await shot(page, 'cluster');
    });

    it('bad input from the page gets a clear error and changes nothing', async () => {
      const opsBefore = (await kube.list<SimOperation>('SimOperation', ns)).length;
      const scale = page.locator('[data-testid=scale-spotpool]');
      await scale.locator('input').fill('abc');
      await scale.locator('button').click();
      await page.waitForSelector('[data-testid=scale-spotpool-outcome]');
      expect(await page.textContent('[data-testid=scale-spotpool-outcome]')).to.equal(
        'Error: (InvalidArgumentValue) expected an integer node count, got "abc"',
      );
      await scale.locator('input').fill('5000');
      await scale.locator('button').click();
      await page.waitForSelector('[data-testid=scale-spotpool-outcome]:text("InvalidParameter")');
      expect(await page.textContent('[data-testid=scale-spotpool-outcome]')).to.match(/count.*1000/);

      await page.fill('[data-testid=fault-node]', 'aks-nosuchnode-vmss000000');
      await page.click('[data-testid=fault-inject]');
      await page.waitForSelector('[data-testid=fault-outcome]');
      expect(await page.textContent('[data-testid=fault-outcome]')).to.equal(
        `Error: (NotFound) no simulated VM for node aks-nosuchnode-vmss000000 in resource group ${ns}`,
      );
      const victim = (await kube.list<SimMachine>('SimMachine', ns)).find((m) => m.spec.poolName === 'spotpool')!.metadata.name!;
      await page.fill('[data-testid=fault-node]', victim);
      await page.fill('[data-testid=event-not-before]', 'next tuesday');
      await page.click('[data-testid=event-schedule]');
      await page.waitForSelector('[data-testid=fault-outcome]:text("not-before")');
      expect(await page.textContent('[data-testid=fault-outcome]')).to.match(
        /\(InvalidArgumentValue\) --not-before must be an ISO time or \+<ISO duration>/,
      );
      await shot(page, 'bad-input');

      const pool = (await kube.get<SimNodePool>('SimNodePool', ns, 'contoso-spotpool'))!;
      expect(pool.spec.count).to.equal(2);
      expect((await kube.list<SimOperation>('SimOperation', ns)).length).to.equal(opsBefore);
      expect(await kube.list('ScheduledEvent', ns)).to.have.length(0);
      expect((await kube.get<SimMachine>('SimMachine', ns, victim))!.spec.faults ?? []).to.have.length(0);
      await page.fill('[data-testid=event-not-before]', '');
    });

    it('a fault injected from the page: the tile goes NotReady -> Rebooting -> Ready, with the timeline entry', async () => {
      const node = (await kube.list<SimMachine>('SimMachine', ns)).find((m) => m.spec.poolName === 'nodepool1')!.metadata.name!;
      await page.click(`.tile[data-node="${node}"]`);
      expect(await page.inputValue('[data-testid=fault-node]')).to.equal(node);
      await page.selectOption('[data-testid=fault-type]', 'ContainerRuntimeDown');
      await record(page, 'states', `.tile[data-node="${node}"]`, 'data-state');
      await page.click('[data-testid=fault-inject]');
      await page.waitForSelector('[data-testid=fault-outcome]:text("injected")');
      await page.waitForSelector(`.tile[data-node="${node}"][data-state=NotReady]`, { timeout: 30_000 });
      await page.waitForSelector(`.tile[data-node="${node}"][data-state=Rebooting]`, { timeout: 60_000 });
      await page.waitForSelector('[data-testid=repair-now]', { timeout: 10_000 }).catch(() => undefined);
      await shot(page, 'fault-rebooting');
      await page.waitForSelector(`.tile[data-node="${node}"][data-state=Ready]`, { timeout: 60_000 });
      const row = `div.timeline .tl[data-node="${node}"][data-kind=Reboot]`;
      await page.waitForSelector(`${row}[data-result=Succeeded]`, { timeout: 30_000 });
      expect(await page.textContent(row)).to.contain(`Reboot of node ${node} started by aks-remediator`);
      await page.waitForSelector(`div.timeline .tl[data-node="${node}"][data-kind=Unhealthy][data-result=Ready]`, { timeout: 10_000 });
      const states = await recorded(page, 'states');
      const order = ['Ready', 'NotReady', 'Rebooting', 'Ready'];
      let i = 0;
      for (const s of states) if (s === order[i]) i++;
      expect(i, `states seen: ${states.join(' -> ')}`).to.equal(order.length);
      await shot(page, 'fault-repaired');
    });

    it('a scale started from the page and aborted from the page ends Canceled', async () => {
      const scale = page.locator('[data-testid=scale-spotpool]');
      await scale.locator('input').fill('6');
      await scale.locator('button').click();
      await page.waitForSelector('[data-testid=current-op-spotpool]', { timeout: 30_000 });
      const opId = (await page.getAttribute('[data-testid=current-op-spotpool]', 'data-op'))!;
      await page.waitForSelector('[data-testid=current-op-spotpool] [role=progressbar]');
      await page.click('[data-testid=abort-spotpool]');
      await page.waitForSelector(`table.ops tr[data-op="${opId}"][data-status=Canceled]`, { timeout: 60_000 });
      await page.waitForSelector('[data-testid=current-op-spotpool]', { state: 'detached', timeout: 30_000 });
      const op = (await kube.list<SimOperation>('SimOperation', ns)).find((o) => o.spec.operationId === opId)!;
      expect(op.status?.status).to.equal('Canceled');
      expect(op.spec.type).to.equal('Scale');
      await shot(page, 'scale-aborted');
    });

    it('a scheduled event shows its NotBefore countdown and is approved from the page', async () => {
      const node = (await kube.list<SimMachine>('SimMachine', ns)).find(
        (m) => m.spec.poolName === 'nodepool1' && m.metadata.name!.endsWith('1'),
      )!;
      const before = node.status?.reboots ?? 0;
      await page.click(`.tile[data-node="${node.metadata.name}"]`);
      await page.selectOption('[data-testid=event-type]', 'Reboot');
      await page.fill('[data-testid=event-not-before]', '+PT1H');
      await page.click('[data-testid=event-schedule]');
      await page.waitForSelector('[data-testid=fault-outcome]:text("scheduled")');
      const row = 'table.events tr[data-status=Scheduled]';
      await page.waitForSelector(`${row} [data-testid=countdown]:text("in ")`, { timeout: 10_000 });
      const id = (await page.getAttribute(row, 'data-event'))!;
      await shot(page, 'scheduled-event');
      await page.click(`[data-testid="approve-${id}"]`);
      await waitFor(
        'the approved event ran the reboot',
        async () => ((await kube.get<SimMachine>('SimMachine', ns, node.metadata.name!))?.status?.reboots ?? 0) > before,
        60_000,
      );
      await page.waitForSelector(`table.events tr[data-event="${id}"]`, { state: 'detached', timeout: 60_000 });
    });

    it('an NGroup rolling update advances batch by batch per zone/fault domain, and Cancel stops the next one', async () => {
      const r = await run('kubectl', ['apply', '-n', ns, '-f', '-'], {
        input: `${sample('ngroup-profiles.yaml')}\n---\n${ngYaml('web', 'cgprofile1')}`,
      });
      expect(r.code, r.stderr).to.equal(0);
      await page.goto(`${serve.base}/console/#/ngroups`);
      const card = `section.ngroup[data-ngroup="${ns}/web"]`;
      await page.waitForSelector(`${card}[data-state=Succeeded]`, { timeout: 90_000 });
      await page.waitForFunction(
        (c) => document.querySelectorAll(`${c} .cg[data-health=Healthy][data-rev="cgprofile1@1"]`).length === 12,
        card,
        { timeout: 60_000 },
      );
      await record(page, 'batches', card, 'data-batch-fd');
      await kubectl(
        'patch',
        'ngroup',
        '-n',
        ns,
        'web',
        '--type',
        'merge',
        '-p',
        JSON.stringify({ spec: { containerGroupProfiles: [{ resource: { id: 'cgprofile2' } }] } }),
      );
      await page.waitForSelector(`${card}[data-ru-state=InProgress][data-batch-index="1"]`, { timeout: 60_000 });
      expect(await page.$$eval(`${card} .cg[data-cg].in-batch`, (els) => els.length)).to.be.greaterThan(0);
      expect(await page.$$eval(`${card} td.cell.active`, (els) => els.length)).to.equal(1);
      await shot(page, 'ngroup-rolling-update');
      await page.waitForSelector(`${card}[data-ru-state=Succeeded]`, { timeout: 120_000 });
      await page.waitForFunction(
        (c) =>
          document.querySelectorAll(`${c} .cg[data-rev="cgprofile2@1"]`).length === 12 &&
          document.querySelectorAll(`${c} .cg[data-cg]`).length === 12,
        card,
        { timeout: 30_000 },
      );
      const pairs = (await recorded(page, 'batches')).filter(Boolean);
      expect(new Set(pairs).size, `batches seen: ${pairs.join(', ')}`).to.be.at.least(5); // 6 pairs, 2 CGs each; a short batch may pass between two frames
      for (const p of pairs) expect(p).to.match(/^[123]\/[01]$/);
      await shot(page, 'ngroup-updated');

      await kubectl(
        'patch',
        'ngroup',
        '-n',
        ns,
        'web',
        '--type',
        'merge',
        '-p',
        JSON.stringify({ spec: { containerGroupProfiles: [{ resource: { id: 'cgprofile1' } }] } }),
      );
      await page.waitForSelector(`${card}[data-ru-state=InProgress]`, { timeout: 60_000 });
      await page.click('[data-testid=cancel-web]');
      await page.waitForSelector(`${card}[data-ru-state=Canceled]`, { timeout: 30_000 });
      await page.waitForSelector(`${card}[data-state=Canceled]`, { timeout: 30_000 });
      const again = await page.evaluate(
        async () =>
          (
            await fetch('/console/api/actions/ngroup-cancel', {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: '{"resourceGroup":"x","ngroup":"web"}',
            })
          ).status,
      );
      expect(again).to.equal(404); // no such resource group: refused like `aksim rest` would
    });
  });
});
