// The import as a user does it in the built app: pick a devkit folder in
// the import panel, read the plan, start, watch the progress end, then
// look at the dataset view (images per class, the stored crops of one
// class, the report with its skipped file) and pick the folder again.
import { mkdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ImportProgress } from '../../src/data/import/types';
import { ROOT } from '../../tools/lab/serve';
import { writeZip } from './archive-writers';
import { BROKEN_IMAGE, writeCarsFolder } from './fixture-folder';
import { openApp, type Session } from './harness';

const NUM_IMAGES = 40;
const TIMEOUT_MS = 60_000;

let dir: string;
let folder: string;
let session: Session;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-import-ui-'));
  folder = await writeCarsFolder(dir, NUM_IMAGES);
  session = await openApp({ webgpu: false });
});
afterAll(async () => {
  await session?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The folder packed as a zip, its own name leading every path. */
async function zipOf(root: string): Promise<Uint8Array> {
  const entries = [];
  for (const name of await readdir(root, { recursive: true })) {
    const path = join(root, name);
    const bytes = await readFile(path).catch(() => null);
    if (!bytes) continue; // a folder
    const inZip = join(basename(root), relative(root, path));
    entries.push({ path: inZip, bytes: new Uint8Array(bytes) });
  }
  return writeZip(entries);
}

test('pick a devkit folder, import it, and see its classes, crops and report', async () => {
  const { page } = session;
  const progress: ImportProgress[] = [];
  await page.exposeFunction(
    '__recipeLabImportProgress',
    (p: ImportProgress) => void progress.push(p),
  );
  const panel = page.getByRole('region', { name: 'Import a dataset' });
  await panel.getByLabel('Dataset name').fill('cars-ui');
  await panel.getByLabel('Stored size (px)').fill('48');
  await page.setInputFiles('[data-testid="import-folder"]', folder);

  const plan = page.getByTestId('import-plan');
  await expect
    .poll(() => plan.innerText(), { timeout: TIMEOUT_MS })
    .toMatch(/cars-devkit/);
  const planText = await plan.innerText();
  expect(planText).toMatch(/Classes\s+6/);
  expect(planText).toMatch(/each image is cropped to its bounding box/);
  expect(planText).toMatch(/\(validation is the test split\)/);

  await panel.getByRole('button', { name: 'Start import' }).click();
  const result = page.getByTestId('import-result');
  await expect
    .poll(() => result.innerText().catch(() => ''), { timeout: TIMEOUT_MS })
    .toMatch(/^Imported "cars-ui": 34 training and 5 validation images/);
  expect(await result.innerText()).toContain('1 file skipped');
  const last = progress.at(-1);
  expect(last).toMatchObject({ phase: 'done', imagesDone: NUM_IMAGES });
  expect(last?.imagesTotal).toBe(NUM_IMAGES);

  // The dataset view turns to the new dataset.
  const view = page.getByTestId('dataset-view');
  expect(await view.getByTestId('dataset-select').inputValue()).toBe('cars-ui');
  const chart = view.getByTestId('class-chart');
  expect(await chart.locator('[data-bars]').getAttribute('data-bars')).toBe(
    '6',
  );
  await expect
    .poll(() => chart.locator('.recharts-bar-rectangle').count())
    .toBeGreaterThanOrEqual(6);

  const options = await view.getByTestId('grid-class').innerText();
  expect(options).toContain('Synthetic Car 001');
  // Class ids are 0-based: option 0 is Synthetic Car 001.
  await view.getByTestId('grid-class').selectOption('0');
  const thumbs = view.getByTestId('grid-images').locator('canvas');
  await expect.poll(() => thumbs.count()).toBeGreaterThan(0);
  const brightness = await thumbs.first().evaluate((canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let sum = 0;
    for (let i = 0; i < data.data.length; i += 4) sum += data.data[i]!;
    return { width: c.width, mean: sum / (data.data.length / 4) };
  });
  expect(brightness.width).toBe(48);
  expect(brightness.mean).toBeGreaterThan(20);

  const record = view.getByTestId('import-record');
  expect(await record.innerText()).toContain(
    `synthetic-cars-${NUM_IMAGES}/${BROKEN_IMAGE}`,
  );
  mkdirSync(resolve(ROOT, 'test-results'), { recursive: true });
  await page.screenshot({
    path: resolve(ROOT, 'test-results/import-ui.png'),
    fullPage: true,
  });

  // The same folder again is recognised as imported.
  await page.setInputFiles('[data-testid="import-folder"]', folder);
  await expect
    .poll(() =>
      page
        .getByTestId('import-existing')
        .innerText()
        .catch(() => ''),
    )
    .toMatch(/Already imported as "cars-ui"/);

  // A zip dropped on the panel is planned like the folder.
  const zip = Buffer.from(await zipOf(folder)).toString('base64');
  const transfer = await page.evaluateHandle((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const dropped = new DataTransfer();
    dropped.items.add(new File([bytes], 'cars.zip'));
    return dropped;
  }, zip);
  await page
    .locator('.drop-zone')
    .dispatchEvent('drop', { dataTransfer: transfer });
  await expect
    .poll(() => page.getByTestId('import-source').innerText())
    .toMatch(/^Source: cars\.zip, 1 file, /);
  await expect
    .poll(() => plan.innerText(), { timeout: TIMEOUT_MS })
    .toMatch(/Planned\s+35 training and 5 validation images/);
  expect(session.pageErrors).toEqual([]);
});
