// The built app in headless Chromium, seen through the Lab interface.
// Calls go through window.recipeLab; trainer events and import progress
// come back through functions exposed before navigation, so that none is
// missed. An uncaught page error or a crashed tab fails whatever call is
// in flight. Import sources reach the page through the import panel's file
// inputs, as a user's pick does: Chromium is given paths and reads the
// files itself.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { ImportProgress } from '../../src/data/import/types';
import type { TrainerEvent } from '../../src/train/protocol';
import { launchChromium, launchChromiumProfile } from './browser';
import type {
  ImportLab,
  Lab,
  LabWindow,
  TrainArgs,
  WeightsLab,
} from './page-api';

/** A failure inside the page; main exits with code 1 and its message. */
export class PageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageError';
  }
}

export interface LabSession {
  lab: Lab & ImportLab & WeightsLab;
  close(): Promise<void>;
}

const API_TIMEOUT_MS = 60_000;

type Method =
  | 'ensureDemo'
  | 'train'
  | 'resumeRun'
  | 'bench'
  | 'setImportForm'
  | 'importPlan'
  | 'startImport'
  | 'decodeImport'
  | 'convertWeights'
  | 'predict'
  | 'addWeights'
  | 'listWeights';
type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export interface OpenOptions {
  onConsoleError?: (text: string) => void;
  /**
   * A Chromium profile folder to keep IndexedDB on disk; without one the
   * browser runs off the record and holds what is stored in memory.
   */
  profileDir?: string;
}

/** The browser, or the persistent context, that the page lives in. */
interface Owner {
  newPage(): Promise<Page>;
  onGone(listener: () => void): void;
  close(): Promise<void>;
}

async function launchOwner(profileDir?: string): Promise<Owner> {
  if (profileDir) {
    const context = await launchChromiumProfile(profileDir, { webgpu: true });
    return {
      newPage: async () => context.pages()[0] ?? context.newPage(),
      onGone: (listener) => context.on('close', listener),
      close: () => context.close(),
    };
  }
  const browser = await launchChromium({ webgpu: true });
  return {
    newPage: () => browser.newPage(),
    onGone: (listener) => browser.on('disconnected', listener),
    close: () => browser.close(),
  };
}

export async function openLab(
  url: string,
  options: OpenOptions = {},
): Promise<LabSession> {
  const owner = await launchOwner(options.profileDir);
  try {
    const page = await owner.newPage();
    const session = await connect(page, owner, options);
    await page.goto(url);
    await waitForApi(page);
    return session;
  } catch (error) {
    await owner.close();
    throw error;
  }
}

async function connect(
  page: Page,
  owner: Owner,
  options: OpenOptions,
): Promise<LabSession> {
  const listeners = new Set<(event: TrainerEvent) => void>();
  await page.exposeFunction('__recipeLabEvent', (event: TrainerEvent) => {
    for (const listener of listeners) listener(event);
  });
  const progressListeners = new Set<(progress: ImportProgress) => void>();
  await page.exposeFunction(
    '__recipeLabImportProgress',
    (progress: ImportProgress) => {
      for (const listener of progressListeners) listener(progress);
    },
  );

  let fail: (error: PageError) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed through race() below
  page.on('pageerror', (error) => {
    fail(new PageError(`the page threw: ${error.message}`));
  });
  page.on('crash', () => {
    fail(new PageError('the page crashed (out of memory or lost GPU?)'));
  });
  owner.onGone(() => {
    fail(new PageError('Chromium exited while the app was running'));
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The browser asks for a favicon the app need not have.
    if (message.location().url.endsWith('/favicon.ico')) return;
    options.onConsoleError?.(message.text());
  });

  const race = <T>(method: Method, arg?: unknown) =>
    Promise.race([call<T>(page, method, arg), failed]);
  return {
    lab: {
      ensureDemo: () => race('ensureDemo'),
      train: (args: TrainArgs) => race('train', args),
      resumeRun: (runId) => race('resumeRun', runId),
      bench: (benchOptions) => race('bench', benchOptions),
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      setImportForm: (fields) => race('setImportForm', fields),
      pickSource: (path) =>
        Promise.race([pickSource(page, path), failed]).then(() => {}),
      importPlan: () => race('importPlan'),
      startImport: () => race('startImport'),
      decodeImport: () => race('decodeImport'),
      convertWeights: (args) => race('convertWeights', args),
      predict: (args) => race('predict', args),
      addWeights: (args) => race('addWeights', args),
      listWeights: () => race('listWeights'),
      onImportProgress: (listener) => {
        progressListeners.add(listener);
        return () => progressListeners.delete(listener);
      },
    },
    close: () => owner.close(),
  };
}

async function waitForApi(page: Page): Promise<void> {
  try {
    await page.waitForFunction(
      () => (window as LabWindow).recipeLab !== undefined,
      null,
      { timeout: API_TIMEOUT_MS },
    );
  } catch {
    throw new PageError(
      `the app defined no window.recipeLab within ${API_TIMEOUT_MS / 1000} s:` +
        ' dist/ may predate the automation API (rebuild: npm run build)',
    );
  }
  const ready = await page.evaluate(async (): Promise<Outcome<null>> => {
    try {
      await (window as LabWindow).recipeLab?.ready;
      return { ok: true, value: null };
    } catch (error) {
      return { ok: false, message: String((error as Error)?.message ?? error) };
    }
  });
  if (!ready.ok)
    throw new PageError(`the app failed to start: ${ready.message}`);
}

/**
 * Sets the import panel's folder input to a directory, or its file input
 * to a file, as picking them in the browser's dialog does.
 */
async function pickSource(page: Page, path: string): Promise<void> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  if (!info) throw new PageError(`expected a folder or file at ${absolute}`);
  const input = info.isDirectory() ? 'import-folder' : 'import-files';
  await page.setInputFiles(`[data-testid="${input}"]`, absolute);
}

/**
 * Calls one API method in the page. A rejection is caught there and sent
 * back as a message: Playwright would otherwise wrap it in its own text
 * and a stack from inside the page.
 */
async function call<T>(page: Page, method: Method, arg: unknown): Promise<T> {
  const outcome = await page.evaluate(
    async ([name, input]): Promise<Outcome<unknown>> => {
      const api = (window as LabWindow).recipeLab;
      try {
        if (!api) throw new Error('window.recipeLab is gone');
        const method = api[name] as (arg?: unknown) => Promise<unknown>;
        const value = await method.call(api, input);
        return { ok: true, value };
      } catch (error) {
        const e = error as { message?: unknown; code?: unknown };
        const text = typeof e?.message === 'string' ? e.message : String(e);
        const code = typeof e?.code === 'string' ? ` [${e.code}]` : '';
        return { ok: false, message: text + code };
      }
    },
    [method, arg] as const,
  );
  if (!outcome.ok) throw new PageError(`${method} failed: ${outcome.message}`);
  return outcome.value as T;
}
