// e2e: the chaos run's CI profile on the embedded cluster — scenarios driven through kubectl, the
// CLI and the REST service while operator replicas are killed, kube-apiserver restarts, watches
// are cut, writes fail and the clock jumps; fails on any invariant violated (the seed and its
// replay command are in the failure). AKSIM_CHAOS_SEED pins the seed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeResult } from '../../src/chaos/command.js';
import { table } from '../../src/chaos/report.js';
import { runChaos } from '../../src/chaos/run.js';
import { KUBECONFIG, stopAllOperators } from '../support/env.js';

describe('e2e: chaos run (CI profile)', function () {
  this.timeout(30 * 60_000);

  it('injects every kind of fault and finds no invariant violated', async () => {
    await stopAllOperators();
    const seed = process.env.AKSIM_CHAOS_SEED ? Number(process.env.AKSIM_CHAOS_SEED) : undefined;
    const r = await runChaos({ profile: 'ci', seed, kubeconfig: KUBECONFIG, print: (l) => console.log(`      ${l}`) });
    const file = writeResult(r, mkdtempSync(join(tmpdir(), 'aksim-chaos-ci-')));
    const summary = `${table(r)}\nresults: ${file}`;
    console.log(summary.replace(/^/gm, '      '));
    const injected = Object.values(r.faultsByKind).reduce((n, k) => n + k.injected, 0);
    expect(injected, summary).to.be.at.least(10);
    for (const kind of ['operator-kill', 'leader-kill', 'apiserver-restart', 'watch-cut', 'write-errors', 'clock-jump'])
      expect(r.faultsByKind[kind]?.injected ?? 0, `${kind} injected\n${summary}`).to.be.at.least(1);
    expect(
      r.violations.map((v) => `${v.invariant}: ${v.message}`),
      summary,
    ).to.deep.equal([]);
  });
});
