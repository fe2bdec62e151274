// Builds the web console (web/console) into dist/console, served by `aksim serve` under /console.
// `make build` runs it; nothing is loaded from a CDN.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  // `npx vite web/console` for work on the page: API calls go to a running `aksim serve`.
  server: { proxy: { '/console/api': 'http://127.0.0.1:8443' } },
});
