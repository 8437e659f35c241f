import path from 'node:path';
import { defineConfig } from 'vite';

/**
 * The agent panel. Vite transforms TSX itself (automatic JSX runtime), so no React plugin is
 * needed. `npm run web:dev` proxies the API and the WebSocket gateway to RINGSIDE_API (default
 * the API of `npm start`); `npm run web:build` writes dist/, which the API serves.
 */
const api = process.env.RINGSIDE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // The panel, and the softphone test page (same Softphone; used by the media e2e test).
    rolldownOptions: {
      input: {
        main: path.join(import.meta.dirname, 'index.html'),
        'phone-test': path.join(import.meta.dirname, 'phone-test.html'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/ws': { target: api.replace(/^http/, 'ws'), ws: true },
    },
  },
});
