// The ladder as a user runs it from the page: steps, a rejected branch and
// seeds chosen in the panel over a tiny recipe form, every run trained in
// the app's own Worker, then the chart, the table and the downloads.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { LadderReport } from '../../src/recipe/ladder';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';

const SHOTS = resolve(ROOT, 'test-results');
const IMPORT_TIMEOUT_MS = 120_000;
// Six tiny runs; each compiles its shaders in a new Worker.
const LADDER_TIMEOUT_MS = 900_000;

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

/** Best val top-1 of every run that ends, in order, from the app's events. */
async function collectRunResults(s: Session): Promise<() => Promise<number[]>> {
  await s.page.evaluate(() => {
    const ended: number[] = [];
    (window as unknown as { ended: number[] }).ended = ended;
    window.__recipeLabEvent = (event) => {
      if (event.type === 'done') ended.push(event.report.bestValTop1);
    };
  });
  return () =>
    s.page.evaluate(() => (window as unknown as { ended: number[] }).ended);
}

async function downloaded(s: Session, button: string): Promise<string> {
  const [file] = await Promise.all([
    s.page.waitForEvent('download'),
    s.page.getByRole('button', { name: button }).click(),
  ]);
  return readFileSync(await file.path(), 'utf8');
}

test(
  'a ladder of two steps and two seeds runs from the panel and is charted',
  { timeout: LADDER_TIMEOUT_MS + IMPORT_TIMEOUT_MS },
  async () => {
    session = await openApp();
    const { page } = session;
    const runButton = page.getByRole('button', { name: 'Run ladder' });
    await expect
      .poll(() => runButton.isEnabled(), { timeout: IMPORT_TIMEOUT_MS })
      .toBe(true);

    // The form is the base: a tiny net on 64 images for one epoch.
    await page.getByLabel('Training images (0 = all)').fill('64');
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Width multiplier').fill('0.125');

    const step = (name: string) =>
      page.getByRole('checkbox', { name, exact: true });
    await step('cosine').uncheck();
    await page
      .getByRole('checkbox', { name: 'Reject label-smoothing' })
      .check();
    await page.getByLabel('Seeds per rung').selectOption('2');
    expect(await step('trivial-augment').isChecked()).toBe(true);
    expect(await step('label-smoothing').isChecked()).toBe(true);

    const plan = page.getByTestId('ladder-plan');
    expect(await plan.locator('tbody tr').allInnerTexts()).toEqual([
      'base\tbase\tthe form',
      'trivial-augment\trung\tauto-augment ta_wide',
      'label-smoothing\tbranch\tlr 0.4, label-smoothing 0.1',
    ]);
    expect(await page.getByTestId('ladder-count').innerText()).toBe(
      '3 rungs x 2 seeds = 6 runs',
    );

    const ended = await collectRunResults(session);
    await runButton.click();
    const progress = page.getByTestId('ladder-progress');
    await expect
      .poll(() => progress.innerText())
      .toMatch(/^run 1\/6 · rung 1\/3 base · seed 1\/2 \(1\) · /);
    expect(
      await page.getByRole('button', { name: 'Cancel ladder' }).isEnabled(),
    ).toBe(true);
    expect(await runButton.isDisabled()).toBe(true);

    await expect
      .poll(() => progress.innerText(), { timeout: LADDER_TIMEOUT_MS })
      .toMatch(/^(Finished|Cancelled|The ladder stopped)/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({
      path: resolve(SHOTS, 'ladder-ui.png'),
      fullPage: true,
    });
    expect(await progress.innerText()).toBe('Finished all 6 runs.');

    // One bar per rung, the rejected step's drawn as a branch.
    const bars = page.locator('.ladder-bar');
    expect(await bars.count()).toBe(3);
    expect(
      await page.locator('.ladder-bar-branch').getAttribute('data-rung'),
    ).toBe('label-smoothing (rejected)');

    // The table holds the best top-1 of the runs that the Worker reported.
    const results = await ended();
    expect(results).toHaveLength(6);
    const rows = page.getByTestId('ladder-table').locator('tbody tr');
    expect(await rows.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const row = rows.nth(i);
      const values = (await row.getAttribute('data-values'))!
        .split(' ')
        .map(Number);
      expect(values).toEqual(results.slice(2 * i, 2 * i + 2));
      for (const v of values) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      const mean = Number(await row.getAttribute('data-mean'));
      expect(mean).toBeCloseTo((values[0]! + values[1]!) / 2, 12);
    }

    const csv = (await downloaded(session, 'Download CSV')).split('\n');
    expect(csv[0]).toMatch(/^rung,kind,parent,title,seeds,mean_top1,/);
    expect(csv.slice(1, 4).map((line) => line.split(',')[0])).toEqual([
      'base',
      'trivial-augment',
      'label-smoothing',
    ]);
    const json = JSON.parse(
      await downloaded(session, 'Download JSON'),
    ) as LadderReport;
    expect(json).toMatchObject({
      dataset: 'fashion-mnist-demo',
      steps: ['trivial-augment', 'label-smoothing'],
      rejected: ['label-smoothing'],
      seeds: 2,
    });
    expect(json.runs.map((r) => `${r.rung}/${r.seed}`)).toEqual([
      'base/1',
      'base/2',
      'trivial-augment/1',
      'trivial-augment/2',
      'label-smoothing/1',
      'label-smoothing/2',
    ]);
    expect(json.rows.map((r) => r.values)).toEqual([
      results.slice(0, 2),
      results.slice(2, 4),
      results.slice(4, 6),
    ]);
    expect(session.pageErrors).toEqual([]);
  },
);
