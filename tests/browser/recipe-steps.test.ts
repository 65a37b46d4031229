// Every step of the recipe in the form: a preset fills all of it, each
// step switches on and off with the address following, a broken rule is
// shown on the field at fault, and a new batch size offers the scaled LR.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, test } from 'vitest';
import { presetRecipe } from '../../src/recipe/presets';
import type { Recipe } from '../../src/recipe/recipe';
import { encodeRecipe } from '../../src/recipe/url';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';
import { field } from './form';

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

const search = (page: Page) => new URL(page.url()).search;

const linkOf = (recipe: Recipe) =>
  `?${encodeRecipe(recipe, 'fashion-mnist-demo')}`;

test('a preset fills every step, and each step edits the address', async () => {
  session = await openApp();
  const { page } = session;
  await page.evaluate(async () => {
    await window.recipeLab?.ready;
  });

  const final = presetRecipe('blog-final');
  await field(page, 'Preset').selectOption('blog-final');
  expect(await field(page, 'Model').inputValue()).toBe('resnet50');
  expect(await field(page, 'Batch size').inputValue()).toBe('128');
  expect(await field(page, 'LR scheduler').inputValue()).toBe(
    'cosineannealinglr',
  );
  expect(await field(page, 'Augmentation policy').inputValue()).toBe('ta_wide');
  expect(await field(page, 'Warmup epochs (0 = off)').inputValue()).toBe('5');
  expect(await field(page, 'Keep an EMA of the weights').isChecked()).toBe(
    true,
  );
  expect(await page.getByTestId('ema-decay').innerText()).toMatch(
    /Per update the average keeps [\d.]+ of itself/,
  );
  await expect.poll(() => search(page)).toBe(linkOf(final));
  // The EMA rung adds nothing the final rung lacks, so both are named.
  expect(await page.getByTestId('preset-match').innerText()).toMatch(
    /blog-ema = blog-final/,
  );
  // Steps the preset switches on open; the ones it leaves off stay closed.
  const step = (id: string) => page.locator(`details[data-step="${id}"]`);
  expect(await step('ema').getAttribute('open')).not.toBeNull();
  expect(await step('mix').getAttribute('open')).toBeNull();

  // Switching the EMA off hides its parameters and drops it from the link.
  await field(page, 'Keep an EMA of the weights').uncheck();
  expect(await field(page, 'EMA decay').count()).toBe(0);
  expect(await step('ema').getAttribute('open')).not.toBeNull();
  await field(page, 'Label smoothing (0 = off)').fill('0.2');
  const edited = { ...final, modelEma: false, labelSmoothing: 0.2 };
  await expect.poll(() => search(page)).toBe(linkOf(edited));
  expect(await page.getByTestId('preset-match').count()).toBe(0);

  // A rule across options is shown on its field; the link keeps the last
  // recipe that could run.
  await field(page, 'Micro-batch size (none = batch)').fill('5');
  expect(
    await page.locator('#recipe-microBatchSize-problem').innerText(),
  ).toMatch(/expected a divisor of batchSize \(128\), got 5/);
  expect(await step('basics').locator('summary').innerText()).toMatch(
    /1 field to fix/,
  );
  expect(search(page)).toBe(linkOf(edited));
  await field(page, 'Micro-batch size (none = batch)').fill('none');

  // A new batch size offers the linear scaling rule's LR; one click sets it.
  await field(page, 'Batch size').fill('256');
  const suggestion = page.getByTestId('lr-suggestion');
  expect(await suggestion.innerText()).toMatch(/0\.4 × 256 \/ 128 = 0\.8/);
  expect(await field(page, 'Learning rate').inputValue()).toBe('0.4');
  await suggestion.getByRole('button', { name: 'Use LR 0.8' }).click();
  expect(await field(page, 'Learning rate').inputValue()).toBe('0.8');
  expect(await suggestion.count()).toBe(0);
  await expect
    .poll(() => search(page))
    .toBe(linkOf({ ...edited, batchSize: 256, lr: 0.8 }));

  mkdirSync(resolve(ROOT, 'test-results'), { recursive: true });
  await page.screenshot({
    path: resolve(ROOT, 'test-results', 'recipe-steps.png'),
    fullPage: true,
  });
  expect(session.pageErrors).toEqual([]);
});
