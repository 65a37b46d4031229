// The built app as a user meets it: the demo import on first load, one
// training run started from the form, the charts and the backend panel,
// and the banner a browser without WebGPU gets.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';

const SHOTS = resolve(ROOT, 'test-results');
// Importing 17,500 images is quick; training even a tiny net on a software
// adapter takes minutes, most of it compiling shaders.
const IMPORT_TIMEOUT_MS = 120_000;
const TRAIN_TIMEOUT_MS = 540_000;

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

async function screenshot(s: Session, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await s.page.screenshot({ path: resolve(SHOTS, name), fullPage: true });
}

test('first load imports the demo, then one click trains it', async () => {
  session = await openApp();
  const { page } = session;
  const trainButton = page.getByRole('button', { name: 'Train', exact: true });

  await expect
    .poll(() => trainButton.isEnabled(), { timeout: IMPORT_TIMEOUT_MS })
    .toBe(true);
  await expect
    .poll(() => page.getByRole('region', { name: /^Demo dataset/ }).innerText())
    .toMatch(/16,500 training and 1,000 validation images/);

  const demo = await page.evaluate(async () => {
    await window.recipeLab?.ready;
    return window.recipeLab?.ensureDemo();
  });
  expect(demo?.complete).toBe(true);
  expect(demo?.name).toBe('fashion-mnist-demo');

  // A tiny run: the full demo recipe takes many minutes on this machine.
  await page.getByLabel('Training images (0 = all)').fill('64');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Width multiplier').fill('0.125');
  await trainButton.click();

  // The run starts in the task after the click's (see RecipeForm.tsx).
  await expect.poll(() => trainButton.isDisabled()).toBe(true);
  expect(await page.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(
    true,
  );

  const status = page.locator('.status-line');
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  await screenshot(session, 'app-trained.png');
  expect(await status.innerText()).toMatch(/^Finished/);

  const points = (region: string) =>
    page
      .getByRole('region', { name: region, exact: true })
      .locator('.chart')
      .getAttribute('data-points');
  expect(Number(await points('Training loss'))).toBeGreaterThan(0);
  expect(Number(await points('Accuracy'))).toBe(1);
  // The LR and the speed of each loss read, and the epoch's mean speed.
  expect(Number(await points('LR by step'))).toBeGreaterThan(0);
  expect(Number(await points('Images per second'))).toBeGreaterThan(0);
  expect(
    await page
      .getByRole('region', { name: 'Images per second' })
      .locator('.chart')
      .getAttribute('data-epoch-points'),
  ).toBe('1');
  expect(await page.getByRole('log').innerText()).toMatch(
    /^epoch 1\/1 {2}loss \S+ {2}train top-1 \S+% {2}top-5 \S+% {2}val top-1 \S+%/,
  );
  expect(await page.getByTestId('backend-name').innerText()).toBe('webgpu');
  expect(await trainButton.isEnabled()).toBe(true);
  expect(session.pageErrors).toEqual([]);
});

test('a full disk stops the import with an explanation; Retry resumes it', async () => {
  session = await openApp();
  const { page } = session;
  await page.getByText(/^Ready: /).waitFor({ timeout: IMPORT_TIMEOUT_MS });

  // No flag makes headless Chromium's quota small, so from the next load on
  // the page's IndexedDB refuses the third shard as a full disk would.
  await page.addInitScript(() => {
    const full = window as unknown as { shardsLeft: number; freed: boolean };
    full.shardsLeft = 2;
    full.freed = false;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
      if (this.name === 'shards' && !full.freed && full.shardsLeft-- <= 0) {
        throw new DOMException('the disk is full', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
  });
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.deleteDatabase('recipe-lab');
        request.onsuccess = resolve;
        request.onerror = () => reject(request.error);
      }),
  );
  await page.reload();

  const box = page.locator('.error-box');
  await box
    .getByText('Storage is full')
    .waitFor({ timeout: IMPORT_TIMEOUT_MS });
  const text = await box.innerText();
  expect(text).toMatch(/remaining 15,500 images/);
  expect(text).toMatch(/Nothing already stored is lost/);
  expect(
    await page.getByRole('region', { name: /^Demo dataset/ }).innerText(),
  ).toMatch(/stopped at 2,000 of 17,500 images/);
  await screenshot(session, 'app-quota.png');

  await page.evaluate(() => {
    (window as unknown as { freed: boolean }).freed = true;
  });
  await box.getByRole('button', { name: 'Retry import' }).click();
  await page
    .getByText(/^Ready: 16,500/)
    .waitFor({ timeout: IMPORT_TIMEOUT_MS });
  expect(await box.count()).toBe(0);
});

test('a browser without WebGPU gets a banner saying what to do', async () => {
  session = await openApp({ webgpu: false });
  const banner = session.page.getByRole('alert').filter({
    hasText: 'WebGPU is not available',
  });
  await banner.waitFor();
  const text = await banner.innerText();
  expect(text).toMatch(/Chrome or Edge/);
  expect(text).toMatch(/--enable-unsafe-webgpu/);
  expect(text).toMatch(/slower backend/);
  await screenshot(session, 'app-no-webgpu.png');
});
