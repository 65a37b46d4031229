// Builds the app into dist/ when it is missing, so that a fresh checkout
// can run the CLI at once. A stale dist/ is used as it is: rebuilding on
// every run would cost a minute, and `npm run build` refreshes it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'vite';
import { ROOT } from './serve';

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

export async function ensureBuiltApp(
  note: (line: string) => void,
): Promise<void> {
  if (existsSync(resolve(ROOT, 'dist/index.html'))) return;
  note('dist/ is missing: building the app first (as `npm run build` does)');
  try {
    await build({
      root: ROOT,
      configFile: resolve(ROOT, 'vite.config.ts'),
      logLevel: 'silent',
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new BuildError(`building dist/ failed: ${message}`);
  }
}
