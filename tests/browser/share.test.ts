// Sharing as a user does it, each part opened in a second browser context
// with its own profile: the recipe's Copy link through the clipboard, the
// Run elsewhere commands, and a run card as a link and as a file, which
// adds the run, marked shared and without weights, to the other's table;
// bad cards are refused with their reason and nothing stored is lost.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, expect, test } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import {
  newRunRecord,
  withEpoch,
  withSteps,
  type RunRecord,
} from '../../src/runs/record';
import type { StepProgress } from '../../src/train/protocol';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';
import { field, appReady as ready } from './form';

const SHOTS = resolve(ROOT, 'test-results');

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

async function withClipboard(context: BrowserContext, url: string) {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(url).origin,
  });
}

const clipboard = (page: Page) =>
  page.evaluate(() => navigator.clipboard.readText());

/** A finished run of two epochs, as the run log would have kept it. */
function finishedRun(): RunRecord {
  let r = newRunRecord({
    runId: 'run-shared-1',
    dataset: 'fashion-mnist-demo',
    recipe: { ...DEFAULT_RECIPE, lr: 0.2, labelSmoothing: 0.1, seed: 9 },
    createdAt: Date.UTC(2026, 0, 2),
  });
  const steps = Array.from({ length: 60 }, (_, i) => ({
    globalStep: i + 1,
    loss: 2.3 - i / 40,
    lr: 0.2,
  }));
  r = withSteps(r, steps as unknown as StepProgress[]);
  for (const [epoch, valTop1] of [
    [1, 0.61],
    [2, 0.74],
  ] as const) {
    r = withEpoch(r, {
      epoch,
      trainLoss: 2 / epoch,
      valTop1,
      valTop5: 0.95,
      lr: 0.2,
      imagesPerSecond: 120,
      seconds: 30 * epoch,
    });
  }
  return {
    ...r,
    name: 'colleague lr 0.2',
    status: 'finished',
    finishedAt: r.createdAt + 60_000,
    environment: {
      backend: 'webgpu',
      adapter: 'google swiftshader',
      tfjsVersion: '4.22.0',
      kernels: 'lab',
      userAgent: 'Chromium',
    },
  };
}

/**
 * The records of the page's run log, read directly from IndexedDB, after
 * storing `put` there as the app would have, when given.
 */
function runLog(page: Page, put?: RunRecord): Promise<RunRecord[]> {
  return page.evaluate(async (put) => {
    const db = await new Promise<IDBDatabase>((done, fail) => {
      const request = indexedDB.open('recipe-lab-runs');
      request.onsuccess = () => done(request.result);
      request.onerror = () => fail(request.error);
    });
    const tx = db.transaction('runs', 'readwrite');
    if (put) tx.objectStore('runs').put(put);
    const request = tx.objectStore('runs').getAll();
    const runs = await new Promise<RunRecord[]>((done, fail) => {
      tx.oncomplete = () => done(request.result as RunRecord[]);
      tx.onerror = () => fail(tx.error);
    });
    db.close();
    return runs;
  }, put);
}

test('Copy link and Run elsewhere give the form recipe', async () => {
  session = await openApp({ query: '?lr=0.4&label-smoothing=0.1' });
  const { page, context, browser } = session;
  await withClipboard(context, session.url);
  await ready(page);
  await field(page, 'Batch size').fill('64');

  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect.poll(() => clipboard(page)).toMatch(/batch-size=64/);
  const link = await clipboard(page);
  expect(await field(page, 'Recipe link').inputValue()).toBe(link);
  expect(new URL(link).search).toBe(
    '?data=fashion-mnist-demo&batch-size=64&lr=0.4&label-smoothing=0.1',
  );

  // Run elsewhere: the same recipe on two GPUs, copied as it is shown.
  await page.getByText('Run elsewhere').click();
  await field(page, 'GPUs').fill('2');
  const torchvision = field(
    page,
    'torchvision references/classification command',
  );
  await expect.poll(() => torchvision.inputValue()).toMatch(/nproc_per_node=2/);
  const command = await torchvision.inputValue();
  expect(command).toMatch(/--batch-size 32 /);
  expect(command).toMatch(/--lr 0\.4 /);
  expect(command).toMatch(/--label-smoothing 0\.1 /);
  expect(command).toMatch(/--data-path \.\/fashion-mnist-demo /);
  const timm = await field(page, 'timm command').inputValue();
  expect(timm).toMatch(/-b 32 .*--smoothing 0\.1/s);
  const elsewhere = page.getByTestId('run-elsewhere');
  expect(await elsewhere.innerText()).toMatch(/seed 1: train\.py has no seed/);
  await elsewhere.getByRole('button', { name: 'Copy' }).first().click();
  await expect.poll(() => clipboard(page)).toBe(command);
  mkdirSync(SHOTS, { recursive: true });
  await elsewhere.screenshot({ path: resolve(SHOTS, 'run-elsewhere.png') });

  // The copied link in a fresh profile opens the same recipe.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await ready(other);
  expect(await field(other, 'Learning rate').inputValue()).toBe('0.4');
  expect(await field(other, 'Batch size').inputValue()).toBe('64');
  expect(await field(other, 'Label smoothing (0 = off)').inputValue()).toBe(
    '0.1',
  );
  expect(await field(other, 'Train on').inputValue()).toBe(
    'fashion-mnist-demo',
  );
  await fresh.close();
  expect(session.pageErrors).toEqual([]);
});

test('a run card travels by link and by file; bad cards are refused', async () => {
  session = await openApp();
  const { page, context, browser } = session;
  await withClipboard(context, session.url);
  await ready(page);
  const run = finishedRun();
  await runLog(page, run);
  await page.reload();
  await ready(page);
  const table = page.getByTestId('runs-table');
  await expect
    .poll(() => table.locator(`tr[data-run-id="${run.runId}"]`).count())
    .toBe(1);

  await page.getByRole('button', { name: `Share ${run.name}` }).click();
  const panel = page.getByTestId('share-panel');
  await panel.getByRole('button', { name: 'Copy link' }).click();
  await expect.poll(() => clipboard(page)).toMatch(/#run-card=/);
  const link = await clipboard(page);
  expect(link.length).toBeLessThan(8100);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Download card' }).click(),
  ]);
  const cardText = readFileSync(await download.path(), 'utf8');
  expect(JSON.parse(cardText)).toMatchObject({
    kind: 'recipe-lab-run-card',
    version: 1,
    recipe: 'lr=0.2&label-smoothing=0.1&seed=9',
  });
  expect(cardText).not.toMatch(/"weights"/);

  // The link in another profile: the run is added, shared, and drawn.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(link);
  await ready(other);
  const otherTable = other.getByTestId('runs-table');
  const sharedRow = otherTable.locator('tr[data-run-id="shared:run-shared-1"]');
  await expect.poll(() => sharedRow.count()).toBe(1);
  expect(await sharedRow.getAttribute('data-shared')).toBe('true');
  expect(Number(await sharedRow.getAttribute('data-best'))).toBe(0.74);
  expect(await sharedRow.innerText()).toMatch(/finished \(shared\)/);
  // The fragment goes once the card is stored, a moment after the row shows.
  await expect.poll(() => new URL(other.url()).hash).toBe('');
  const overlay = other.getByTestId('runs-overlay');
  await expect
    .poll(() => overlay.locator('.recharts-line').count())
    .toBeGreaterThan(0);
  await expect.poll(() => runLog(other)).toHaveLength(1);
  const [kept] = await runLog(other);
  expect(kept).toMatchObject({
    runId: 'shared:run-shared-1',
    shared: true,
    hasWeights: false,
    recipe: run.recipe,
    epochs: run.epochs,
    steps: run.steps,
    environment: run.environment,
  });

  // Bad cards: each refused with its reason; the stored run stays.
  const input = other.locator('input[type="file"][accept*="json"]');
  const refusal = other.getByTestId('card-error');
  const bad = [
    ['runs.json', '{"runs": []}', /kind: expected "recipe-lab-run-card"/],
    ['broken.json', cardText.slice(0, 100), /not JSON/],
    [
      'newer.json',
      cardText.replace('"version": 1', '"version": 3'),
      /version: expected 1, got 3/,
    ],
    [
      'recipe.json',
      cardText.replace('lr=0.2', 'lr=fast'),
      /recipe: lr: expected .*got "fast"/,
    ],
  ] as const;
  for (const [name, text, message] of bad) {
    await input.setInputFiles({
      name,
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expect.poll(() => refusal.innerText()).toMatch(message);
    expect(await refusal.innerText()).toContain(name);
  }
  await other.goto(`${session.url}#run-card=AAAA`);
  await expect
    .poll(() => refusal.innerText())
    .toMatch(/run card in this link could not be opened/);
  expect(await runLog(other)).toHaveLength(1);

  // The file opens the same run again: replaced, not doubled.
  await input.setInputFiles({
    name: 'card.json',
    mimeType: 'application/json',
    buffer: Buffer.from(cardText),
  });
  await expect.poll(() => refusal.count()).toBe(0);
  expect(await otherTable.locator('tbody tr').count()).toBe(1);
  await other.screenshot({
    path: resolve(SHOTS, 'run-card.png'),
    fullPage: true,
  });
  await fresh.close();
  expect(session.pageErrors).toEqual([]);
});
