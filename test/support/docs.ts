// Runs the shell examples of a docs/ page as a user would: the ```sh blocks in order, in bash,
// with `aksim` on PATH and the variables each block sets carried into the next.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT, run } from './env.js';

/** The ```sh (or ```azurecli) blocks of a docs/ page, or of one `## ` section of it. */
export function docBlocks(page: string, section?: string): string[] {
  let md = readFileSync(join(ROOT, page), 'utf8');
  if (section) {
    const start = md.indexOf(`\n${section}`);
    if (start < 0) throw new Error(`${page} has no section ${section}`);
    const end = md.indexOf('\n## ', start + 1);
    md = md.slice(start, end < 0 ? undefined : end);
  }
  return [...md.matchAll(/^```(?:sh|azurecli)\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** A folder with an `aksim` command that runs this checkout's bin/aksim.js. */
export function aksimOnPath(): string {
  const bin = mkdtempSync(join(tmpdir(), 'aksim-bin-'));
  writeFileSync(join(bin, 'aksim'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/aksim.js')}" "$@"\n`);
  chmodSync(join(bin, 'aksim'), 0o755);
  return bin;
}

/**
 * Runs one block in bash with the variables of earlier blocks (exported, as a user's shell would
 * have them); returns its output and the variables it set: plain assignments (`NAME=...`) and
 * whatever it exported (e.g. through `eval "$(aksim az-login)"`).
 */
export async function runBlock(
  block: string,
  vars: Record<string, string>,
  bin: string,
  opts: { expectFail?: boolean } = {},
): Promise<{ stdout: string; stderr: string; code: number; vars: Record<string, string> }> {
  const names = [...block.matchAll(/^(?:export )?([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!);
  const dir = mkdtempSync(join(tmpdir(), 'aksim-block-'));
  const script = [
    'set -eo pipefail',
    ...Object.entries(vars).map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}'`),
    `env -0 > '${dir}/before'`,
    block,
    `env -0 > '${dir}/after'`,
    ...names.map((n) => `printf '__VAR__ %s=%s\\n' ${n} "$${n}"`),
  ].join('\n');
  const r = await run('bash', ['-c', script], { env: { PATH: `${bin}:${process.env.PATH}` } });
  if (opts.expectFail) expect(r.code, `block should fail:\n${block}`).to.not.equal(0);
  else expect(r.code, `block failed:\n${block}\nstderr: ${r.stderr}`).to.equal(0);
  const out = { ...vars };
  for (const m of r.stdout.matchAll(/^__VAR__ ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)) out[m[1]!] = m[2]!;
  const envOf = (f: string): Map<string, string> => {
    const m = new Map<string, string>();
    if (!existsSync(join(dir, f))) return m;
    for (const kv of readFileSync(join(dir, f), 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
    }
    return m;
  };
  const before = envOf('before');
  for (const [k, v] of envOf('after')) if (before.get(k) !== v && !['_', 'SHLVL', 'OLDPWD', 'PWD'].includes(k)) out[k] = v;
  rmSync(dir, { recursive: true, force: true });
  return { stdout: r.stdout.replace(/^__VAR__ .*\n?/gm, ''), stderr: r.stderr, code: r.code, vars: out };
}

/** A check of what one block promises, picked by a pattern of the block's text. */
export type BlockCheck = [RegExp, (stdout: string) => Promise<void>];

/**
 * Runs the blocks in order, updating `vars` in place (checks read it), and after each block the
 * checks whose pattern matches it; then asserts every check matched exactly one block.
 */
export async function runChecked(blocks: string[], checks: BlockCheck[], bin: string, vars: Record<string, string>): Promise<void> {
  const checked = checks.map(() => 0);
  for (const block of blocks) {
    const r = await runBlock(block, vars, bin);
    Object.assign(vars, r.vars);
    for (const [i, [re, check]] of checks.entries()) {
      if (re.test(block)) {
        await check(r.stdout);
        checked[i]!++;
      }
    }
  }
  expect(checked, 'each check matches one block').to.deep.equal(checks.map(() => 1));
}
