// Two tabs of the built app in one browser: the one that trains holds the
// trainer lock and the other follows its run live (banner, status line,
// charts) with Train off; once the run ends the other tab can train, and
// when the tab training closes, the first one can train again.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, test } from 'vitest';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';

const IMPORT_TIMEOUT_MS = 120_000;
const TRAIN_TIMEOUT_MS = 540_000;

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

/** 40 steps (a loss read every 10) of the smallest ResNet-18. */
const TINY = {
  width: 0.125,
  imageSize: 28,
  batchSize: 4,
  epochs: 1,
  limit: 160,
  lr: 0.01,
};

function startRun(page: Page, runId: string): Promise<void> {
  return page.evaluate(
    ({ recipe, runId }) => {
      const run = window.recipeLab?.train({
        dataset: 'fashion-mnist-demo',
        recipe,
        runId,
      });
      run?.catch(() => {});
    },
    { recipe: TINY, runId },
  );
}

const trainButton = (page: Page) =>
  page.getByRole('button', { name: 'Train', exact: true });

/** The step the status line shows, or null before the first read. */
async function stepShown(page: Page): Promise<number | null> {
  const text = await page.locator('.status-line').innerText();
  const match = /step (\d+)\/40/.exec(text);
  return match ? Number(match[1]) : null;
}

/** The GPU memory the status line shows, in bytes; null when absent. */
async function gpuBytesShown(page: Page): Promise<number | null> {
  const text = await page.locator('.status-line').innerText();
  const match = /GPU memory ([\d.]+) (B|KB|MB|GB)/.exec(text);
  if (!match) return null;
  const scale = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2]!]!;
  return Number(match[1]) * scale;
}

test('a second tab follows the run of the first and trains after it', async () => {
  session = await openApp();
  const a = session.page;
  await expect
    .poll(() => trainButton(a).isEnabled(), { timeout: IMPORT_TIMEOUT_MS })
    .toBe(true);
  const b = await session.context.newPage();
  b.on('pageerror', (e) => session?.pageErrors.push(`tab b: ${e}`));
  await b.goto(session.url);
  await expect
    .poll(() => trainButton(b).isEnabled(), { timeout: IMPORT_TIMEOUT_MS })
    .toBe(true);

  await startRun(a, 'tab-a');
  const bannerB = b.getByTestId('elsewhere-banner');
  await bannerB.waitFor({ timeout: 60_000 });
  expect(await bannerB.innerText()).toMatch(
    /^A run is training in another tab: tab-a \(resnet18 on fashion-mnist-demo\)/,
  );
  expect(await trainButton(b).isDisabled()).toBe(true);
  expect(await b.locator('.run-controls').innerText()).toMatch(
    /A run is training in another tab; Train waits until it ends/,
  );
  // The lock is A's; B holds none and its store refuses to start.
  const locks = await b.evaluate(async () => {
    const { held = [] } = await navigator.locks.query();
    return held.map((l) => `${l.name} ${l.mode}`);
  });
  expect(locks).toEqual(['recipe-lab-trainer exclusive']);
  const refused = await b.evaluate(() =>
    window.recipeLab?.train({ dataset: 'fashion-mnist-demo', recipe: {} }).then(
      () => 'trained',
      (e: Error) => e.message,
    ),
  );
  expect(refused).toMatch(/expected no run in progress/);

  // B sees the steps advance, with A's GPU memory and time left.
  const seen = new Set<number>();
  await expect
    .poll(
      async () => {
        const step = await stepShown(b);
        if (step !== null) seen.add(step);
        return seen.size;
      },
      { timeout: TRAIN_TIMEOUT_MS, interval: 200 },
    )
    .toBeGreaterThanOrEqual(2);
  expect(await gpuBytesShown(b)).toBeGreaterThan(0);
  expect(await b.getByTestId('run-bars').innerText()).toMatch(/Run \d+%/);
  const lossPoints = b
    .getByRole('region', { name: 'Training loss' })
    .locator('.chart');
  expect(Number(await lossPoints.getAttribute('data-points'))).toBeGreaterThan(
    0,
  );
  mkdirSync(resolve(ROOT, 'test-results'), { recursive: true });
  await b.screenshot({
    path: resolve(ROOT, 'test-results/tabs-following.png'),
    fullPage: true,
  });

  const statusB = b.locator('.status-line');
  await expect
    .poll(() => statusB.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  expect(await statusB.innerText()).toMatch(/^Finished/);
  await expect.poll(() => bannerB.count(), { timeout: 10_000 }).toBe(0);
  expect(await trainButton(b).isEnabled()).toBe(true);

  // Now B trains and A follows; B's tab closing frees A.
  await startRun(b, 'tab-b');
  const bannerA = a.getByTestId('elsewhere-banner');
  await bannerA.waitFor({ timeout: 60_000 });
  expect(await trainButton(a).isDisabled()).toBe(true);
  await b.close();
  await expect.poll(() => bannerA.count(), { timeout: 30_000 }).toBe(0);
  expect(await a.locator('.error-box').innerText()).toMatch(
    /The tab that trained tab-b closed before the run ended/,
  );
  expect(await trainButton(a).isEnabled()).toBe(true);
  expect(session.pageErrors).toEqual([]);
});
