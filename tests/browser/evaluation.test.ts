// The evaluation view as a user opens it: a tiny run with model EMA is
// trained on the demo set in the app, its row's Evaluate button runs the
// validation set through the stored final weights and the EMA's in a
// Worker on WebGPU, and the panel's figures must agree with the run's own
// report and with themselves. Then a synthetic 196-class prediction set,
// the size of Stanford Cars' test split, shows the matrix and the class
// table at that scale.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { Recipe } from '../../src/recipe/recipe';
import type { EvalResult } from '../../src/train/protocol';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';

const SHOTS = resolve(ROOT, 'test-results');
const TIMEOUT_MS = 600_000;

// EMA updated every step, so its weights differ from the model's.
const TINY: Partial<Recipe> = {
  width: 0.125,
  limit: 64,
  epochs: 1,
  modelEma: true,
  modelEmaSteps: 1,
};

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

/** 196 classes in 49 makers of 4 models, 8,041 images, errors in-maker. */
function syntheticSet(): EvalResult {
  const numClasses = 196;
  const n = 8041;
  const k = 5;
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const labels = new Int32Array(n);
  const topIndices = new Int32Array(n * k);
  const topProbs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const label = i % numClasses;
    labels[i] = label;
    const maker = Math.floor(label / 4) * 4;
    const roll = next();
    const top =
      roll < 0.8
        ? label
        : roll < 0.95
          ? maker + Math.floor(next() * 4)
          : Math.floor(next() * numClasses);
    const ranked = [top, ...[0, 1, 2, 3].map((j) => maker + j)];
    const unique = [...new Set(ranked)];
    while (unique.length < k) {
      const c = Math.floor(next() * numClasses);
      if (!unique.includes(c)) unique.push(c);
    }
    let left = 1;
    for (let j = 0; j < k; j++) {
      topIndices[i * k + j] = unique[j]!;
      const p = j === 0 ? 0.5 + next() * 0.4 : left * 0.5;
      topProbs[i * k + j] = p;
      left = j === 0 ? 1 - p : left - p;
    }
  }
  return {
    runId: 'synthetic-196',
    source: 'final',
    dataset: 'synthetic-cars',
    classNames: Array.from(
      { length: numClasses },
      (_, c) => `Maker ${Math.floor(c / 4) + 1} Model ${(c % 4) + 1}`,
    ),
    epochs: 0,
    seconds: 0,
    numClasses,
    k,
    labels,
    indices: Int32Array.from(labels, (_, i) => i),
    raw: { topIndices, topProbs },
    ema: null,
  };
}

test(
  'a run is evaluated from its row; figures agree with its report',
  { timeout: TIMEOUT_MS },
  async () => {
    session = await openApp();
    const { page } = session;
    const report = await page.evaluate(async (recipe) => {
      await window.recipeLab!.ready;
      await window.recipeLab!.ensureDemo();
      return window.recipeLab!.train({
        dataset: 'fashion-mnist-demo',
        recipe,
        runId: 'eval-run',
      });
    }, TINY);
    const last = report.epochs.at(-1)!;
    expect(last.valTop1Ema).toBeDefined();

    // Evaluate is the row's button; the final weights are stored first.
    const button = page.getByRole('button', { name: 'Evaluate eval-run' });
    await expect
      .poll(() => button.getAttribute('title'))
      .toMatch(/final weights/);
    await button.click();
    const panel = page.getByTestId('evaluation');
    await expect
      .poll(() => panel.getAttribute('data-status'), { timeout: TIMEOUT_MS })
      .not.toBe('running');
    const failure = panel.getByRole('alert');
    expect(
      await failure.count(),
      await failure.allInnerTexts().then(String),
    ).toBe(0);
    expect(await panel.getAttribute('data-status')).toBe('done');

    // Top-1 is the report's own, for the weights and for the EMA.
    const summary = page.getByTestId('eval-summary');
    const figure = async (weights: string, name: string) =>
      Number(
        await summary
          .locator(`tr[data-weights="${weights}"]`)
          .getAttribute(`data-${name}`),
      );
    expect(await figure('raw', 'top1')).toBe(last.valTop1);
    expect(await figure('raw', 'top5')).toBe(last.valTop5);
    expect(await figure('ema', 'top1')).toBe(last.valTop1Ema);
    expect(await figure('ema', 'top5')).toBe(last.valTop5Ema);

    // The matrix sums to the validation images; its diagonal is each
    // class's hits in the table, whose counts sum to the images too.
    const matrix = page.getByTestId('eval-matrix');
    expect(Number(await matrix.getAttribute('data-total'))).toBe(
      report.numValImages,
    );
    const diagonal = (await matrix.getAttribute('data-diagonal'))!
      .split(',')
      .map(Number);
    const rows = await page
      .getByTestId('eval-classes')
      .locator('tbody tr.eval-class-row')
      .evaluateAll((trs) =>
        trs.map((tr) => ({
          classId: Number(tr.getAttribute('data-class')),
          count: Number(tr.getAttribute('data-count')),
          correct: Number(tr.getAttribute('data-correct')),
          name: tr.querySelector('button')?.textContent ?? '',
          text: tr.textContent ?? '',
        })),
      );
    expect(rows).toHaveLength(10);
    expect(rows.reduce((a, r) => a + r.count, 0)).toBe(report.numValImages);
    for (const r of rows) {
      expect(r.correct).toBe(diagonal[r.classId]);
      const percent = r.count ? ((100 * r.correct) / r.count).toFixed(1) : '';
      expect(r.text).toContain(`${percent}%`);
    }
    const hits = diagonal.reduce((a, b) => a + b, 0);
    expect(hits / report.numValImages).toBe(last.valTop1);

    // Hovering the first cell (class 0 as itself, in class order) reads it.
    // (hover scrolls the matrix into view first, wherever the page put it)
    const box = (await matrix.boundingBox())!;
    const cell = box.width / 10;
    await matrix.hover({ position: { x: cell / 2, y: cell / 2 } });
    const className = rows.find((r) => r.classId === 0)!.name;
    await expect
      .poll(() => page.getByTestId('eval-matrix-hover').innerText())
      .toBe(`${className} → ${className}: ${diagonal[0]}`);

    // The most confused pair shows two crops; its button lists its images.
    const pair = page.getByTestId('eval-pairs').locator('li').first();
    await expect.poll(() => pair.locator('canvas').count()).toBe(2);
    const pairText = await pair.locator('button').innerText();
    const pairCount = Number(pairText.split(': ').at(-1));
    await pair.locator('button').click();
    const list = page.getByTestId('eval-images');
    expect(Number(await list.getAttribute('data-count'))).toBe(pairCount);
    await list.selectOption({ index: 0 });
    const chosen = page.getByTestId('eval-chosen');
    expect(await chosen.locator('.eval-bars li').count()).toBe(5);
    await expect.poll(() => chosen.locator('canvas').count()).toBe(1);

    mkdirSync(SHOTS, { recursive: true });
    await panel.screenshot({ path: resolve(SHOTS, 'evaluation.png') });

    // 196 classes: every class in the table, which scrolls in its box;
    // the matrix in about 600 px; ordering by confusion keeps the sum.
    const figures = await page.evaluate(
      (set) => window.recipeLab!.showPredictions(set),
      syntheticSet(),
    );
    expect(figures.numImages).toBe(8041);
    expect(Number(await matrix.getAttribute('data-total'))).toBe(8041);
    const table = page.getByTestId('eval-classes');
    const body = table.locator('tbody');
    const drawn = table.locator('tbody tr.eval-class-row');
    expect(await body.getAttribute('data-rows')).toBe('196');
    // Only the rows in view are drawn; scrolling brings the last ones.
    expect(await drawn.count()).toBeLessThan(50);
    const scroll = await table.evaluate((t) => {
      const box = t.parentElement!;
      return { client: box.clientHeight, scroll: box.scrollHeight };
    });
    expect(scroll.scroll).toBeGreaterThan(scroll.client);
    expect(scroll.client).toBeLessThan(500);
    await table.evaluate((t) => {
      const box = t.parentElement!;
      box.scrollTop = box.scrollHeight;
    });
    await expect
      .poll(() => drawn.last().getAttribute('data-count'))
      .not.toBeNull();
    const size = (await matrix.boundingBox())!;
    expect(size.width).toBeGreaterThanOrEqual(196 * 3);
    expect(size.width).toBeLessThanOrEqual(600);
    await page.getByLabel('Matrix order').selectOption('confusion');
    expect(Number(await matrix.getAttribute('data-total'))).toBe(8041);
    await page.getByLabel('Filter classes').fill('maker 49');
    expect(await body.getAttribute('data-rows')).toBe('4');
    expect(await drawn.count()).toBe(4);
    await page.getByLabel('Filter classes').fill('');
    await table.evaluate((t) => (t.parentElement!.scrollTop = 0));
    await panel.screenshot({ path: resolve(SHOTS, 'evaluation-196.png') });
    expect(session.pageErrors).toEqual([]);
  },
);
