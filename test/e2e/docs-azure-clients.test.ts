// e2e: docs/azure-clients.md is run as written: the ```sh blocks of its sections in order (the az
// section where the Azure CLI is installed), with the results the page shows checked.
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { aksimOnPath, docBlocks, runChecked, type BlockCheck } from '../support/docs.js';
import { kubectl, run, sharedOperator } from '../support/env.js';

const PAGE = 'docs/azure-clients.md';
const haveAz = spawnSync('az', ['version'], { encoding: 'utf8' }).status === 0;

describe('e2e: docs/azure-clients.md walkthrough', function () {
  this.timeout(600_000);
  const stopServe = (): Promise<unknown> => run('pkill', ['-f', 'serve --port 18444']);
  after(stopServe); // a failed block leaves the page's background server running
  before(async () => {
    await stopServe();
    await sharedOperator();
    for (const ns of ['myresourcegroup', 'sdkgroup'])
      await kubectl('delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=120s').catch(() => undefined);
  });

  it('runs the page: the endpoint, the az CLI (where installed), the JS SDK', async () => {
    if (!haveAz) console.log('    the az section of docs/azure-clients.md is skipped: the Azure CLI is not installed');
    const blocks = [
      ...docBlocks(PAGE, '## Start the endpoint'),
      ...(haveAz ? docBlocks(PAGE, '## With the Azure CLI') : []),
      ...docBlocks(PAGE, '## With the Azure SDK for JavaScript'),
      ...docBlocks(PAGE, '## What aksim answers'),
    ];
    const checks: BlockCheck[] = [
      [
        /^cat serve\.log/m,
        async (out) => {
          expect(out).to.match(/^aksim ARM endpoint on https:\/\/127\.0\.0\.1:18444$/m);
          expect(out).to.match(/sign in: +tenant [0-9a-f-]{36}, service principal [0-9a-f-]{36}, secret \S+/);
        },
      ],
      [
        /-w '%\{http_code\}/,
        async (out) => {
          const [code, body] = out.trim().split('\n');
          expect(code).to.equal('401');
          expect(JSON.parse(body!)).to.deep.equal({
            error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." },
          });
        },
      ],
      [
        /node aks-sdk\.mjs/,
        async (out) => {
          expect(out.trim().split('\n')).to.deep.equal(['sdkCluster Succeeded 3', 'deleted']);
        },
      ],
      [/kill \$SERVE_PID/, async () => undefined],
    ];
    if (haveAz) {
      checks.push(
        [
          /az-login/,
          async (out) => {
            expect(JSON.parse(out)).to.deep.equal({
              cloud: 'aksim',
              subscription: 'aksim simulated subscription',
              user: 'servicePrincipal',
            });
          },
        ],
        [
          /az aks nodepool add/,
          async (out) => {
            const [created, added] = out
              .trim()
              .split(/\n(?=\{)/)
              .map((x) => JSON.parse(x));
            expect(created).to.deep.equal({ name: 'myAKSCluster', state: 'Succeeded' });
            expect(added.name).to.equal('np2');
            expect(added.image).to.match(/^AKSUbuntu-/);
          },
        ],
        [
          /get-credentials/,
          async (out) => {
            expect(out.trim().split('\n')).to.have.length(5); // nodepool1's 2 and np2's 3 (az's default count)
          },
        ],
        [
          /az rest --method get/,
          async (out) => {
            expect(JSON.parse(out)).to.deep.equal({ status: 'Succeeded', percent: 100 });
          },
        ],
        [
          /az group delete/,
          async (out) => {
            expect(out.trim()).to.equal('false');
          },
        ],
      );
    }
    await runChecked(blocks, checks, aksimOnPath(), {});
  });
});
