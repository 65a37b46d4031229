// Finds and starts the Chromium that the CLI and the browser tests drive.
// Order: $CHROME_PATH, Debian's /usr/bin/chromium, Playwright's own build.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const INSTALL_HINT =
  'no Chromium found: set CHROME_PATH to a Chromium or Chrome binary, ' +
  'or install one (Debian: apt-get install chromium; elsewhere: ' +
  'npx playwright install chromium)';

export function findChromium(env = process.env): string {
  // A CHROME_PATH that names nothing is a mistake worth saying, not a
  // reason to pick another browser silently.
  if (env.CHROME_PATH) {
    if (existsSync(env.CHROME_PATH)) return env.CHROME_PATH;
    throw new Error(
      `CHROME_PATH=${env.CHROME_PATH} does not exist; ${INSTALL_HINT}`,
    );
  }
  const candidates = ['/usr/bin/chromium'];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // playwright-core knows no path for this platform: skip it
  }
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  throw new Error(INSTALL_HINT);
}

/**
 * Flags for a headless Chromium with WebGPU. The machine may have no
 * network, so everything that would reach out at start-up is switched off.
 */
export function chromiumArgs(options: { webgpu: boolean }): string[] {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ];
  if (options.webgpu) {
    args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan');
  } else {
    args.push('--disable-gpu', '--disable-features=WebGPU');
  }
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

export async function launchChromium(
  options: { webgpu?: boolean } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: chromiumArgs({ webgpu: options.webgpu ?? true }),
  });
}

/**
 * Chromium with a profile on disk at `userDataDir`. Contexts of a plain
 * launch are off the record, and Chromium keeps an off-the-record
 * context's IndexedDB in memory: what an import stores would stay in the
 * browser's memory and be gone at exit.
 */
export async function launchChromiumProfile(
  userDataDir: string,
  options: { webgpu?: boolean } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: true,
    args: chromiumArgs({ webgpu: options.webgpu ?? true }),
  });
}
