// The built app after a reload in the middle of a run: the run stopped
// with its worker, the page offers it for resuming, and Resume continues
// it with the charts drawn again from the stored metrics.
import { afterEach, expect, test } from 'vitest';
import type { CheckpointInfo, TrainerEvent } from '../../src/train/protocol';
import { openApp, type Session } from './harness';

const IMPORT_TIMEOUT_MS = 120_000;
const TRAIN_TIMEOUT_MS = 540_000;

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

type Watched = Window & { checkpoints?: CheckpointInfo[] };

test('a run stopped by a reload is offered and resumed to its end', async () => {
  session = await openApp();
  const { page } = session;
  await page.evaluate(() => window.recipeLab?.ensureDemo());
  await page.evaluate(() => {
    const w = window as Watched;
    w.checkpoints = [];
    window.__recipeLabEvent = (e: TrainerEvent) => {
      if (e.type === 'checkpoint') w.checkpoints?.push(e.checkpoint);
    };
    const recipe = {
      width: 0.125,
      imageSize: 28,
      batchSize: 16,
      epochs: 3,
      limit: 160,
      lr: 0.01,
    };
    const run = window.recipeLab?.train({
      dataset: 'fashion-mnist-demo',
      recipe,
      runId: 'reloaded',
    });
    run?.catch(() => {});
  });
  await page.waitForFunction(
    () => ((window as Watched).checkpoints?.length ?? 0) > 0,
    null,
    { timeout: TRAIN_TIMEOUT_MS },
  );
  await page.reload();

  const banner = page.getByTestId('resume-banner');
  await expect
    .poll(() => banner.innerText(), { timeout: IMPORT_TIMEOUT_MS })
    .toMatch(
      /^Run reloaded \(resnet18 on fashion-mnist-demo\) stopped after epoch 1 of 3/,
    );
  await banner.getByRole('button', { name: 'Resume' }).click();

  // The stored epoch is on the chart before the first new one ends.
  const points = (region: string) =>
    page
      .getByRole('region', { name: region, exact: true })
      .locator('.chart')
      .getAttribute('data-points');
  await expect.poll(() => points('Accuracy'), { timeout: 60_000 }).toBe('1');
  expect(Number(await points('Training loss'))).toBeGreaterThan(0);

  const status = page.locator('.status-line');
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  expect(await status.innerText()).toMatch(/^Finished/);
  expect(await points('Accuracy')).toBe('3');
  const log = await page.getByRole('log').innerText();
  expect(log.match(/^epoch \d\/3/gm)).toEqual([
    'epoch 1/3',
    'epoch 2/3',
    'epoch 3/3',
  ]);
  expect(await banner.count()).toBe(0);
  expect(session.pageErrors).toEqual([]);
});
