// Serves the built app (dist/) on a free localhost port, as `npm start` does.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { preview, type PreviewServer } from 'vite';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export const ROOT = resolve(import.meta.dirname, '../..');

export async function serveBuiltApp(): Promise<Served> {
  if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
    throw new Error('dist/index.html is missing: run `npm run build` first');
  }
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: resolve(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server reported no local URL');
  return {
    url,
    close: () => server.close(),
  };
}
