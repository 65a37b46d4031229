// The augmentation preview in the built app: the demo's training images
// drawn in the preview's Worker through the training transform, redrawn
// when an option of the transform changes, the same pixels for the same
// seed and recipe, and a message instead while no dataset is stored.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, expect, test } from 'vitest';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';
import { field, openStep } from './form';

const SHOTS = resolve(ROOT, 'test-results');
const IMPORT_TIMEOUT_MS = 120_000;
// The first draw of a policy compiles its shaders on a software adapter.
const DRAW_TIMEOUT_MS = 180_000;
const NUM_IMAGES = 16;
const TRAIN_TIMEOUT_MS = 480_000;

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

interface Drawn {
  key: string;
  /** Each image's RGBA bytes. */
  images: number[][];
  titles: string[];
}

/** Waits for a finished draw other than `previous`, then reads it. */
async function nextDraw(page: Page, previous: string): Promise<Drawn> {
  const panel = page.getByTestId('aug-preview');
  await expect
    .poll(
      async () => {
        const status = await panel.getAttribute('data-status');
        if (status === 'failed') {
          throw new Error(await panel.getByRole('status').innerText());
        }
        const key = await panel.getAttribute('data-key');
        return status === 'ready' && key !== '' && key !== previous;
      },
      { timeout: DRAW_TIMEOUT_MS, interval: 250 },
    )
    .toBe(true);
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid="aug-preview"]')!;
    const canvases = [...panel.querySelectorAll<HTMLCanvasElement>('canvas')];
    return {
      key: panel.getAttribute('data-key')!,
      images: canvases.map((c) =>
        Array.from(
          c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data,
        ),
      ),
      titles: canvases.map((c) => c.title),
    };
  });
}

/** How many images differ between two draws. */
const changed = (a: Drawn, b: Drawn) =>
  a.images.filter((pixels, i) => pixels.join() !== b.images[i]!.join()).length;

/** "erased WxH at (L, T)" of a title, as numbers. */
function erasedRect(title: string) {
  const m = /erased (\d+)x(\d+) at \((\d+), (\d+)\)/.exec(title);
  if (!m) return null;
  const [width, height, left, top] = m.slice(1).map(Number) as number[];
  return { width: width!, height: height!, left: left!, top: top! };
}

test('the preview draws the training transform and follows the recipe', async () => {
  session = await openApp();
  const { page } = session;
  await page.evaluate(async () => {
    await window.recipeLab?.ready;
    await window.recipeLab?.ensureDemo();
  });

  // The demo recipe: policy none, so the stored images as they are.
  const plain = await nextDraw(page, '');
  expect(plain.images).toHaveLength(NUM_IMAGES);
  const size = Math.sqrt(plain.images[0]!.length / 4);
  expect(size).toBe(28);
  expect(new Set(plain.images.map((p) => p.join())).size).toBe(NUM_IMAGES);
  for (const title of plain.titles) {
    expect(title).toMatch(/stored 28 px image, no crop or flip/);
  }

  // Crop and flip with TrivialAugment, as the reference trains: the same
  // images (same seed), cropped, flipped and changed by one op each.
  await openStep(page, 'augment');
  await field(page, 'Random resized crop and flip').check();
  const cropped = await nextDraw(page, plain.key);
  expect(changed(cropped, plain)).toBeGreaterThanOrEqual(NUM_IMAGES - 2);
  await field(page, 'Augmentation policy').selectOption('ta_wide');
  const wide = await nextDraw(page, cropped.key);
  expect(changed(wide, plain)).toBeGreaterThanOrEqual(NUM_IMAGES - 2);
  for (const title of wide.titles) {
    expect(title).toMatch(/crop \d+x\d+ at \(\d+, \d+\)/);
    expect(title).toMatch(/policy: \w+/);
  }

  // Random erasing draws after the policy, so with the same seed each
  // image is the TrivialAugment one but for its rectangle, which holds a
  // normalised 0: the grey of the demo's measured mean, 0.286 x 255, 73.
  await field(page, 'Random erasing probability').fill('1');
  const erased = await nextDraw(page, wide.key);
  expect(changed(erased, wide)).toBeGreaterThanOrEqual(NUM_IMAGES - 2);
  erased.images.forEach((pixels, i) => {
    const rect = erasedRect(erased.titles[i]!);
    if (!rect) return;
    for (let p = 0; p < size * size; p++) {
      const [x, y] = [p % size, Math.floor(p / size)];
      const inside =
        x >= rect.left &&
        x < rect.left + rect.width &&
        y >= rect.top &&
        y < rect.top + rect.height;
      const got = pixels.slice(4 * p, 4 * p + 3);
      const before = wide.images[i]!.slice(4 * p, 4 * p + 3);
      expect(got).toEqual(inside ? [73, 73, 73] : before);
    }
  });
  mkdirSync(SHOTS, { recursive: true });
  await page.getByTestId('aug-preview').screenshot({
    path: resolve(SHOTS, 'aug-preview.png'),
  });

  // Back to the same recipe and seed: the very same pixels.
  await field(page, 'Random erasing probability').fill('0');
  const again = await nextDraw(page, erased.key);
  expect(again.key).toBe(wide.key);
  expect(again.images).toEqual(wide.images);
  expect(again.titles).toEqual(wide.titles);

  // MixUp blends each image with the one before it.
  await openStep(page, 'mix');
  await field(page, 'MixUp alpha (0 = off)').fill('0.4');
  const mixed = await nextDraw(page, again.key);
  expect(changed(mixed, wide)).toBeGreaterThanOrEqual(NUM_IMAGES - 2);
  mixed.titles.forEach((title, i) => {
    const partner = ((i + NUM_IMAGES - 1) % NUM_IMAGES) + 1;
    expect(title).toMatch(new RegExp(`MixUp: .* of image ${partner}$`));
  });

  // A new draw: another seed, so other images.
  await page.getByRole('button', { name: 'New draw' }).click();
  const next = await nextDraw(page, mixed.key);
  expect(changed(next, mixed)).toBeGreaterThanOrEqual(NUM_IMAGES - 2);
  expect(session.pageErrors).toEqual([]);
});

test('a run pauses the preview, and it is back once the run ends', async () => {
  session = await openApp();
  const { page } = session;
  await page.evaluate(async () => {
    await window.recipeLab?.ready;
    await window.recipeLab?.ensureDemo();
  });
  const before = await nextDraw(page, '');
  const panel = page.getByTestId('aug-preview');
  const newDraw = panel.getByRole('button', { name: 'New draw' });

  // A tiny run, as in app.test.ts.
  await field(page, 'Training images (0 = all)').fill('64');
  await field(page, 'Epochs').fill('1');
  await field(page, 'Width multiplier').fill('0.125');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => panel.getAttribute('data-status')).toBe('paused');
  expect(await panel.getByRole('status').innerText()).toMatch(
    /^Paused while a run uses the GPU/,
  );
  expect(await newDraw.isDisabled()).toBe(true);

  const status = page.locator('.status-line');
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  expect(await status.innerText()).toMatch(/^Finished/);
  await expect.poll(() => panel.getAttribute('data-status')).toBe('ready');
  expect(await panel.getAttribute('data-key')).toBe(before.key);
  await newDraw.click();
  const after = await nextDraw(page, before.key);
  expect(changed(after, before)).toBeGreaterThanOrEqual(NUM_IMAGES - 2);
  expect(session.pageErrors).toEqual([]);
});

test('without the dataset stored, the preview says so', async () => {
  session = await openApp({ query: '?data=not-stored-here' });
  const { page } = session;
  const panel = page.getByTestId('aug-preview');
  await page.getByText(/^Ready: /).waitFor({ timeout: IMPORT_TIMEOUT_MS });
  expect(await panel.getAttribute('data-status')).toBe('no-dataset');
  expect(await panel.getByRole('status').innerText()).toMatch(
    /No dataset “not-stored-here” is stored yet/,
  );
  expect(await panel.locator('canvas').count()).toBe(0);
  expect(
    await panel.getByRole('button', { name: 'New draw' }).isDisabled(),
  ).toBe(true);
});
