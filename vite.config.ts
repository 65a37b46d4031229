import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// One config for the app build, Node unit tests and browser tests.
// Browser tests drive the built app (dist/) in a real Chromium through
// Playwright, so they run in Node and start their own static server.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // Listed up front so the dev server (module tests) never re-optimizes
  // dependencies mid-run, which would reload the page under test.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      'idb',
      'react',
      'react-dom',
      'react-dom/client',
      'zustand',
      'recharts',
      'hyparquet',
      'hyparquet-writer',
    ],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Some train tiny models on the tfjs CPU backend: a limit that
          // catches a hang, not a timing, on a shared machine.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
