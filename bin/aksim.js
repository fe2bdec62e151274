#!/usr/bin/env node
// Entry point: runs the compiled CLI when built (make build), otherwise the TypeScript source
// through tsx; AKSIM_DEV=1 always runs the source.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/src/main.js');
if (existsSync(built) && !process.env.AKSIM_DEV) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src/main.ts')).href);
}
