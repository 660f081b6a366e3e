import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is served by crmsync's own server at / (packages/server serves dist with an SPA fallback).
// `npm run dev -w @crmsync/web` proxies the API to a running `npm start`.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
