// Browser test harness. Two ways in:
// - openApp(): the built app (dist/) in headless Chromium, as a user sees it;
// - openModules(): a blank page on a Vite dev server, where a test imports
//   any source module with `await import('/src/...')` inside page.evaluate.
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { launchChromium } from '../../tools/lab/browser';
import { ROOT, serveBuiltApp, type Served } from '../../tools/lab/serve';

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  url: string;
  /** Errors the page threw or logged with console.error. */
  pageErrors: string[];
  close(): Promise<void>;
}

async function openPage(
  url: string,
  options: { webgpu?: boolean },
  stop: () => Promise<void>,
): Promise<Session> {
  const browser = await launchChromium({ webgpu: options.webgpu ?? true });
  const context = await browser.newContext();
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(url);
  return {
    browser,
    context,
    page,
    url,
    pageErrors,
    close: async () => {
      await browser.close();
      await stop();
    },
  };
}

export async function openApp(
  options: { webgpu?: boolean; query?: string } = {},
): Promise<Session> {
  const served: Served = await serveBuiltApp();
  return openPage(served.url + (options.query ?? ''), options, served.close);
}

let devServer: ViteDevServer | null = null;

export async function openModules(
  options: { webgpu?: boolean } = {},
): Promise<Session> {
  devServer ??= await createServer({
    root: ROOT,
    configFile: resolve(ROOT, 'vite.config.ts'),
    logLevel: 'silent',
    // No HMR: a file saved during a run must not reload the test page.
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
  });
  await devServer.listen();
  const base = devServer.resolvedUrls?.local[0];
  if (!base) throw new Error('the dev server reported no local URL');
  const server = devServer;
  return openPage(`${base}tests/browser/blank.html`, options, async () => {
    await server.close();
    devServer = null;
  });
}

type PageFn = (...args: never[]) => unknown;

/** The functions a page-side helper module exports, by name. */
export type PageFunctions<M> = {
  [K in keyof M as M[K] extends PageFn ? K : never]: M[K] extends PageFn
    ? M[K]
    : never;
};

/**
 * A typed caller of the functions that the module at `path` (served by
 * openModules' dev server) exports: each call imports it in the page and
 * runs the function there with the given arguments.
 */
export function pageModuleCaller<M>(path: string) {
  return async function call<K extends keyof PageFunctions<M> & string>(
    page: Page,
    name: K,
    ...args: Parameters<PageFunctions<M>[K]>
  ): Promise<Awaited<ReturnType<PageFunctions<M>[K]>>> {
    const result = await page.evaluate(
      async ({ path, name, args }) => {
        type Fn = (...a: unknown[]) => unknown;
        const m = await window.importModule<Record<string, Fn>>(path);
        return m[name]!(...args);
      },
      { path, name, args: args as unknown[] },
    );
    return result as Awaited<ReturnType<PageFunctions<M>[K]>>;
  };
}
