#!/usr/bin/env node
// Entry point: runs the bundled CLI when built (make build: dist/cli/main.js, one file that
// starts fast), else the compiled modules (dist/src, e.g. the container image), else the
// TypeScript source through tsx; AKSIM_DEV=1 always runs the source.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = [join(root, 'dist/cli/main.js'), join(root, 'dist/src/main.js')].find((f) => existsSync(f));
if (built && !process.env.AKSIM_DEV) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src/main.ts')).href);
}
