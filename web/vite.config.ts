// The web UI's build: `vite build web` from the repository root writes web/dist/, which the
// engine serves. Relative asset URLs, so the engine may serve it under any path.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [preact({ devToolsInProd: false, prefreshEnabled: true })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    // One small bundle: no source maps shipped to the engine's users.
    sourcemap: false,
  },
  server: {
    // `vite web` during development: the API is the engine's (SOFTPHONE_API, default port below).
    proxy: {
      '/api': { target: process.env.SOFTPHONE_API ?? 'http://127.0.0.1:5080', ws: true, changeOrigin: false },
    },
  },
});
