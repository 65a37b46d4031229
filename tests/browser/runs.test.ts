// The run log as a user keeps it: two tiny runs of different recipes are
// recorded in the page's real IndexedDB, survive a reload, are renamed,
// overlaid with their difference, exported and deleted from the table.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { Recipe } from '../../src/recipe/recipe';
import { RUNS_CSV_COLUMNS } from '../../src/runs/export';
import type { RunRecord } from '../../src/runs/record';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';

const SHOTS = resolve(ROOT, 'test-results');
const IMPORT_TIMEOUT_MS = 120_000;
// Two tiny runs, each compiling its shaders in a new Worker.
const TRAIN_TIMEOUT_MS = 1_000_000;

const TINY: Partial<Recipe> = { width: 0.125, limit: 64, epochs: 1 };

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

async function train(s: Session, runId: string, recipe: Partial<Recipe>) {
  return s.page.evaluate(
    async ({ runId, recipe }) => {
      await window.recipeLab!.ready;
      await window.recipeLab!.ensureDemo();
      return window.recipeLab!.train({
        dataset: 'fashion-mnist-demo',
        recipe,
        runId,
      });
    },
    { runId, recipe },
  );
}

/** What the page's IndexedDB holds of the run log, read directly. */
async function stored(s: Session) {
  return s.page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((done, fail) => {
      const request = indexedDB.open('recipe-lab-runs');
      request.onsuccess = () => done(request.result);
      request.onerror = () => fail(request.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((done, fail) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => done(request.result as T[]);
        request.onerror = () => fail(request.error);
      });
    type Weights = {
      runId: string;
      weights: Record<string, { shape: number[]; data: Float32Array }>;
    };
    const runs = await all<RunRecord>('runs');
    const weights = (await all<Weights>('weights')).map((w) => ({
      runId: w.runId,
      names: Object.keys(w.weights),
      sizes: Object.values(w.weights).map((v) => [
        v.shape.reduce((a, b) => a * b, 1),
        v.data.length,
        v.data instanceof Float32Array ? 1 : 0,
      ]),
    }));
    db.close();
    return { runs, weights };
  });
}

async function downloaded(s: Session, button: string): Promise<string> {
  const [file] = await Promise.all([
    s.page.waitForEvent('download'),
    s.page.getByRole('button', { name: button }).click(),
  ]);
  return readFileSync(await file.path(), 'utf8');
}

test(
  'two runs are kept across a reload, renamed, overlaid, exported, deleted',
  { timeout: IMPORT_TIMEOUT_MS + TRAIN_TIMEOUT_MS },
  async () => {
    session = await openApp();
    const { page } = session;
    const base = await train(session, 'run-base', TINY);
    const trivial = await train(session, 'run-ta', {
      ...TINY,
      autoAugment: 'ta_wide',
      lr: 0.4,
    });

    // In IndexedDB: both records, finished, with environment and weights
    // (written after the run's promise resolves, so awaited here).
    await expect
      .poll(async () => {
        const { runs, weights } = await stored(session!);
        return [runs.map((r) => r.status).join(), weights.length];
      })
      .toEqual(['finished,finished', 2]);
    const db = await stored(session);
    expect(db.runs.map((r) => r.runId).sort()).toEqual(['run-base', 'run-ta']);
    for (const r of db.runs) {
      expect(r).toMatchObject({ status: 'finished', hasWeights: true });
      expect(r.environment?.backend).toBe('webgpu');
      expect(r.environment?.userAgent).toMatch(/Chrome/);
      expect(r.epochs).toHaveLength(1);
      expect(r.steps.length).toBeGreaterThan(0);
    }
    expect(db.weights).toHaveLength(2);
    for (const w of db.weights) {
      expect(w.names).toContain('conv1.weight');
      expect(w.names).toContain('bn1.running_mean');
      expect(w.names).toContain('fc.bias');
      for (const [numel, length, isFloat] of w.sizes) {
        expect(length).toBe(numel);
        expect(isFloat).toBe(1);
      }
    }

    // A reload lists both from storage, with the best top-1 of each.
    await page.reload();
    const table = page.getByTestId('runs-table');
    const row = (runId: string) => table.locator(`tr[data-run-id="${runId}"]`);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    for (const report of [base, trivial]) {
      const r = row(report.runId);
      expect(Number(await r.getAttribute('data-best'))).toBe(
        report.bestValTop1,
      );
      expect(await r.innerText()).toContain(
        `${(report.bestValTop1 * 100).toFixed(1)}%`,
      );
      expect(await r.innerText()).toMatch(/finished/);
    }

    // Renamed inline; the name is stored.
    const name = page.getByLabel('Name of run-base');
    await name.fill('plain');
    await name.press('Enter');
    await expect
      .poll(async () => (await stored(session!)).runs.map((r) => r.name).sort())
      .toEqual(['plain', 'run-ta']);

    // Baseline and overlay: the label says what the other run changed.
    await page.getByLabel('Baseline plain').check();
    await page.getByLabel('Overlay plain').check();
    await page.getByLabel('Overlay run-ta').check();
    const changes = 'lr 0.4, +auto-augment ta_wide';
    expect(await row('run-ta').locator('.run-changes').innerText()).toBe(
      changes,
    );
    const labels = page.getByRole('list', { name: 'Overlaid runs' });
    expect(await labels.locator('li').allInnerTexts()).toEqual([
      'plain (baseline)',
      `run-ta (${changes})`,
    ]);
    const overlay = page.getByTestId('runs-overlay');
    await expect
      .poll(() => overlay.locator('.recharts-legend-item-text').allInnerTexts())
      .toEqual([
        'plain (baseline)',
        `run-ta (${changes})`,
        'plain (baseline)',
        `run-ta (${changes})`,
      ]);
    expect(await overlay.locator('.recharts-line').count()).toBe(4);

    // Sorting and filtering.
    await table.getByRole('button', { name: /^Name/ }).click();
    const order = () =>
      table
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));
    expect(await order()).toEqual(['run-base', 'run-ta']);
    await table.getByRole('button', { name: /^Name/ }).click();
    expect(await order()).toEqual(['run-ta', 'run-base']);
    await page.getByLabel('Filter runs').fill('ta_wide');
    expect(await order()).toEqual(['run-ta']);
    await page.getByLabel('Filter runs').fill('');

    // CSV: one row per run and epoch, the metrics as recorded.
    const csv = (await downloaded(session, 'Export CSV')).trimEnd().split('\n');
    expect(csv[0]).toBe(RUNS_CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(3);
    const top1 = RUNS_CSV_COLUMNS.indexOf('val_top1');
    const byRun = new Map(
      csv.slice(1).map((line) => [line.split(',')[0], line]),
    );
    for (const report of [base, trivial]) {
      const line = byRun.get(report.runId)!;
      // The changes field may hold commas; columns before it are plain.
      const tail = line.split(',').slice(-(RUNS_CSV_COLUMNS.length - top1));
      expect(Number(tail[0])).toBe(report.epochs[0]!.valTop1);
    }
    expect(byRun.get('run-ta')).toContain(`"${changes}"`);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: resolve(SHOTS, 'runs.png'), fullPage: true });

    // Deleted after a confirmation: gone from the table and from storage.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete run-ta' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await expect
      .poll(async () => {
        const after = await stored(session!);
        return [after.runs.map((r) => r.runId), after.weights.length];
      })
      .toEqual([['run-base'], 1]);
    await page.reload();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await page.getByLabel('Name of run-base').inputValue()).toBe(
      'plain',
    );
    expect(session.pageErrors).toEqual([]);
  },
);

test(
  'weights the browser has no room for are refused aloud; the metrics stay',
  { timeout: IMPORT_TIMEOUT_MS + TRAIN_TIMEOUT_MS / 2 },
  async () => {
    session = await openApp();
    const { page } = session;
    await page.evaluate(() => window.recipeLab!.ready);
    // From the next load on, the run log's weights store is full, as a
    // disk would be; every other write goes through.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
        if (this.name === 'weights') {
          throw new DOMException('the disk is full', 'QuotaExceededError');
        }
        return put.apply(this, args);
      };
    });
    await page.reload();
    const report = await train(session, 'run-full', TINY);

    await expect
      .poll(async () => (await stored(session!)).runs[0]?.status)
      .toBe('finished');
    const { runs, weights } = await stored(session);
    expect(weights).toEqual([]);
    expect(runs[0]).toMatchObject({
      hasWeights: false,
      bestTop1: report.bestValTop1,
      epochs: report.epochs,
    });
    expect(runs[0]!.weightsNote).toMatch(/weights of "run-full".*quota/);

    const panel = page.getByRole('region', { name: 'Runs' });
    expect(await panel.getByRole('alert').innerText()).toMatch(
      /refused the space \(storage quota exceeded\)/,
    );
    const row = panel.locator('tr[data-run-id="run-full"]');
    expect(await row.innerText()).toMatch(/finished \(no weights\)/);
    expect(Number(await row.getAttribute('data-best'))).toBe(
      report.bestValTop1,
    );
  },
);
