// A user's whole path through the lab, in the built app on WebGPU: import a
// small devkit folder, pick a preset, switch two steps, train and watch the
// charts move, train a second run with one more step, compare the two,
// open the evaluation view, export the weights, copy the recipe's link and
// open it in a fresh browser, where the form holds the same recipe. Each
// screen is saved under test-results/walkthrough-*.png.
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from '../../tools/lab/serve';
import { importFolderFromUi, writeCarsFolder } from './fixture-folder';
import { openApp, type Session } from './harness';
import { unzipAll } from '../zip-files';
import { appReady, field, openStep } from './form';

const SHOTS = resolve(ROOT, 'test-results');
const NUM_IMAGES = 40;
const DATASET = 'cars-walk';
const IMPORT_TIMEOUT_MS = 60_000;
const TRAIN_TIMEOUT_MS = 240_000;

let dir: string;
let folder: string;
let session: Session;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-walkthrough-'));
  folder = await writeCarsFolder(dir, NUM_IMAGES);
  session = await openApp();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await session?.close();
  await rm(dir, { recursive: true, force: true });
});

async function shot(page: Page, screen: string): Promise<void> {
  await page.screenshot({
    path: resolve(SHOTS, `walkthrough-${screen}.png`),
    fullPage: true,
  });
}

/** The loss chart's point count and the status line, while a run goes. */
const lossPoints = async (page: Page) =>
  Number(
    await page
      .locator('[aria-labelledby="loss-title"] .chart')
      .getAttribute('data-points'),
  );

/** Clicks Train and follows the charts until the run ends. */
async function trainAndWatch(page: Page): Promise<number[]> {
  const seen: number[] = [];
  const status = page.locator('.status-line');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // The line still tells of the run before until this one starts.
  await expect.poll(() => status.innerText()).toMatch(/^(Starting|Training)/);
  await expect
    .poll(
      async () => {
        const points = await lossPoints(page);
        if (seen.at(-1) !== points) seen.push(points);
        return status.innerText();
      },
      { timeout: TRAIN_TIMEOUT_MS, interval: 250 },
    )
    .toMatch(/^Finished: best top-1/);
  seen.push(await lossPoints(page));
  return seen;
}

test(
  'import, preset, two steps, train, compare, evaluate, export, share',
  { timeout: IMPORT_TIMEOUT_MS + 3 * TRAIN_TIMEOUT_MS },
  async () => {
    const { page } = session;
    await page.evaluate(async () => {
      await window.recipeLab?.ready;
      await window.recipeLab?.ensureDemo();
    });

    // 1. Import.
    await importFolderFromUi(page, folder, DATASET);
    await shot(page, '1-import');

    // 2. A preset, then the sizes this machine trains in seconds, then two
    // steps switched: label smoothing on, the cosine schedule.
    await field(page, 'Preset').selectOption('blog-baseline');
    await field(page, 'Start from pretrained weights').uncheck();
    await field(page, 'Train on').selectOption(DATASET);
    await field(page, 'Model').selectOption('resnet18');
    await field(page, 'Width multiplier').fill('0.125');
    await field(page, 'Image size (px)').fill('32');
    await field(page, 'Val resize (px, none = crop)').fill('none');
    await field(page, 'Val crop (px, none = image size)').fill('none');
    await field(page, 'Epochs').fill('2');
    await field(page, 'Batch size').fill('8');
    await openStep(page, 'loss');
    await field(page, 'Label smoothing (0 = off)').fill('0.1');
    await openStep(page, 'schedule');
    await field(page, 'LR scheduler').selectOption('cosineannealinglr');
    expect(new URL(page.url()).searchParams.get('data')).toBe(DATASET);
    await shot(page, '2-recipe');

    // 3. Train, and the loss chart grows while it runs.
    const first = await trainAndWatch(page);
    expect(first.at(-1)).toBeGreaterThan(0);
    expect(new Set(first).size).toBeGreaterThanOrEqual(2);
    const accuracy = page.locator('[aria-labelledby="accuracy-title"] .chart');
    // One point per finished epoch.
    expect(Number(await accuracy.getAttribute('data-points'))).toBe(2);
    await shot(page, '3-trained');

    // 4. A second run with TrivialAugment, compared with the first.
    await openStep(page, 'augment');
    await field(page, 'Augmentation policy').selectOption('ta_wide');
    await trainAndWatch(page);
    const table = page.getByTestId('runs-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    // Run ids begin with their start time, so the first sorts first.
    const [baseId, taId] = (
      await table
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')!))
    ).sort() as [string, string];
    await page.getByLabel(`Baseline ${baseId}`).check();
    await page.getByLabel(`Overlay ${baseId}`).check();
    await page.getByLabel(`Overlay ${taId}`).check();
    const changes = '+auto-augment ta_wide';
    expect(
      await table.locator(`tr[data-run-id="${taId}"] .run-changes`).innerText(),
    ).toBe(changes);
    const overlay = page.getByTestId('runs-overlay');
    await expect.poll(() => overlay.locator('.recharts-line').count()).toBe(4);
    await overlay.scrollIntoViewIfNeeded();
    await shot(page, '4-compare');

    // 5. The evaluation view of the second run's final weights.
    await page.getByRole('button', { name: `Evaluate ${taId}` }).click();
    const evaluation = page.getByTestId('evaluation');
    await expect
      .poll(() => evaluation.getAttribute('data-status'), {
        timeout: TRAIN_TIMEOUT_MS,
      })
      .not.toBe('running');
    expect(await evaluation.getAttribute('data-status')).toBe('done');
    const top1 = Number(
      await page
        .getByTestId('eval-summary')
        .locator('tr[data-weights="raw"]')
        .getAttribute('data-top1'),
    );
    expect(top1).toBeGreaterThanOrEqual(0);
    expect(top1).toBeLessThanOrEqual(1);
    // Six classes: six rows in the table, a 6 x 6 matrix.
    await expect
      .poll(() =>
        page
          .getByTestId('eval-classes')
          .locator('tbody tr.eval-class-row')
          .count(),
      )
      .toBe(6);
    await expect.poll(() => page.getByTestId('eval-matrix').count()).toBe(1);
    await evaluation.scrollIntoViewIfNeeded();
    await shot(page, '5-evaluation');

    // 6. Its weights downloaded as safetensors with the model card.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: TRAIN_TIMEOUT_MS }),
      table
        .getByRole('button', { name: `Download safetensors of ${taId}` })
        .click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-safetensors\.zip$/);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    const files = await unzipAll(new Blob([await readFile(saved)]));
    expect([...files.keys()]).toEqual(['model.safetensors', 'model-card.json']);
    const card = JSON.parse(
      new TextDecoder().decode(files.get('model-card.json')),
    ) as { classes: string[]; recipe: { autoAugment: string } };
    expect(card.classes).toHaveLength(6);
    expect(card.recipe.autoAugment).toBe('ta_wide');
    await expect
      .poll(() => page.getByTestId('export-note').innerText())
      .toMatch(/^saved .*-safetensors\.zip/);
    await shot(page, '6-export');

    // 7. Copy link, opened in a fresh browser context: the same recipe.
    const { context, browser } = session;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(session.url).origin,
    });
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toMatch(/auto-augment=ta_wide/);
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(new URL(link).searchParams.get('data')).toBe(DATASET);
    const fresh = await browser.newContext();
    try {
      const other = await fresh.newPage();
      await other.goto(link);
      await appReady(other);
      const expected: [string, string][] = [
        ['Train on', DATASET],
        ['Model', 'resnet18'],
        ['Width multiplier', '0.125'],
        ['Image size (px)', '32'],
        ['Epochs', '2'],
        ['Batch size', '8'],
        ['Label smoothing (0 = off)', '0.1'],
        ['LR scheduler', 'cosineannealinglr'],
        ['Augmentation policy', 'ta_wide'],
      ];
      for (const step of ['loss', 'schedule', 'augment']) {
        await openStep(other, step);
      }
      for (const [label, value] of expected) {
        expect(await field(other, label).inputValue(), label).toBe(value);
      }
      expect(
        await field(other, 'Start from pretrained weights').isChecked(),
      ).toBe(false);
      await shot(other, '7-shared-link');
    } finally {
      await fresh.close();
    }

    expect(session.pageErrors).toEqual([]);
  },
);
