// Bundles the `aksim` command into dist/cli/ (esbuild), so a CLI call loads one file instead of
// hundreds, and fails when the start-up path would load a heavy library: client-node, pino,
// prom-client and node-fetch stay outside the bundle and may only be reached through a dynamic
// import (the operator, `aksim serve`, client-node fallbacks). `make build` runs it.
import { build, type Metafile } from 'esbuild';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outdir = join(root, 'dist/cli');
/** Loaded only by the operator and the other paths that need them, never at start-up. */
const HEAVY = ['@kubernetes/client-node', 'pino', 'prom-client', 'node-fetch'];

/** The heavy packages the entry loads before running any code: static imports, transitively. */
function eagerHeavy(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const found = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of meta.outputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) {
        if (HEAVY.some((h) => imp.path === h || imp.path.startsWith(`${h}/`))) found.add(imp.path);
      } else visit(imp.path);
    }
  };
  visit(entry);
  return [...found];
}

async function main(): Promise<void> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: 'src/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: HEAVY,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    // Bundled CommonJS packages (commander, yaml) require node built-ins.
    banner: { js: "import { createRequire as __aksimRequire } from 'node:module'; const require = __aksimRequire(import.meta.url);" },
  });
  const entry = relative(root, join(outdir, 'main.js'));
  const eager = eagerHeavy(result.metafile, entry);
  if (eager.length) throw new Error(`the CLI's start-up path imports ${eager.join(', ')}: make that import dynamic`);
}

main().catch((err: unknown) => {
  console.error(`build-cli: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
