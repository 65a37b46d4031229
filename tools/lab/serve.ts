// Serves the built app (dist/) on localhost, as `npm start` does: on a free
// port, or on a given one (a kept browser profile needs the same origin).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { preview, type PreviewServer } from 'vite';

/** Connect middleware run before the app's files are served. */
export type Middleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void;

export interface Served {
  url: string;
  close(): Promise<void>;
}

export const ROOT = resolve(import.meta.dirname, '../..');

export async function serveBuiltApp(
  port = 0,
  middleware: Middleware | null = null,
): Promise<Served> {
  if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
    throw new Error('dist/index.html is missing: run `npm run build` first');
  }
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: resolve(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    plugins: middleware
      ? [
          {
            name: 'lab-middleware',
            configurePreviewServer: (server) => {
              server.middlewares.use(middleware);
            },
          },
        ]
      : [],
    preview: { port, host: '127.0.0.1', strictPort: port !== 0, open: false },
  }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `serving the app on port ${port} failed (${message}); is another ` +
        'lab run using it?',
    );
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server reported no local URL');
  return {
    url,
    close: () => server.close(),
  };
}
