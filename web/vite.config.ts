import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The site is static files in web/dist: `enigmapool start` serves them at / on the API port, and the
// same files can go to any static host or CDN (see public/config.js for the API's URL).
// Build with `vite build web` (the root is this folder).
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev:web` against a pool started with --api-port 8080
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
