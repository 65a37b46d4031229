// The dataset import end to end in Chromium: real JPEGs drawn in the page,
// real .mat annotation files written here, packed as a dropped folder in
// each Stanford Cars layout, as archives, CSV class folders and parquet
// files, imported through the import Worker into real IndexedDB. Stored
// pixels are compared with crops computed from the decoded JPEGs; page-side
// code is import.page.ts, shared fixtures import-fixtures.ts, and generic
// image folders are import-folders.test.ts.
import { describe, expect, test } from 'vitest';
import {
  b64,
  type CarImage,
  carsFolder,
  CLASS_NAMES,
  expectCrops,
  inPageOf,
  OPTIONS,
  pad,
  TEST,
  TRAIN,
  setUpImportPage,
} from './import-fixtures';
import type { Expected, FolderSpec, ImageSpec } from './import.page';

const { inPage, session } = setUpImportPage();

describe('Stanford Cars layouts', () => {
  test('the devkit folder: crops, class ids and names, and every bad input in the report', async () => {
    const { spec, expected } = carsFolder('cars-devkit');
    const summary = await inPage('inspectFolder', 'cars-devkit', spec, OPTIONS);
    expect(summary).toMatchObject({
      layout: 'cars-devkit',
      classNames: CLASS_NAMES,
      valFrom: 'test-split',
      cropped: true,
      planned: { train: 10, val: 2 },
    });

    const outcome = await inPage('importFolder', 'cars-devkit', spec, OPTIONS);
    expect(outcome.error).toBeNull();
    const report = outcome.report!;
    expect(report).toMatchObject({
      dataset: 'cars',
      layout: 'cars-devkit',
      imported: { train: 6, val: 2 },
      classes: 3,
      complete: true,
      resumed: false,
    });
    const reasons = report.skipped.map((s) => `${s.file}: ${s.reason}`);
    for (const [i, car] of TRAIN.entries()) {
      if (!car.bad) continue;
      const hit = reasons.find(
        (r) =>
          r.includes(car.bad!) &&
          (r.includes(pad(i + 1)) || r.includes(`row ${i + 1}:`)),
      );
      expect(hit, `${pad(i + 1)}: ${car.bad}`).toBeDefined();
    }
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /00099\.jpg is named in the annotations but missing/,
      ),
    );
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /cars_test_annos\.mat: expected a struct array 'annotations'/,
      ),
    );
    expect(reasons).toHaveLength(8);
    expect(outcome.progress.at(-1)).toMatchObject({
      phase: 'done',
      imagesDone: 12,
      imagesTotal: 12,
    });

    const manifest = await inPage('readManifest', 'cars-devkit', 'cars');
    expect(manifest).toMatchObject({
      classNames: CLASS_NAMES,
      channels: 3,
      height: 24,
      width: 24,
      complete: true,
      splits: {
        train: { numImages: 6, numShards: 2, classCounts: [3, 1, 2] },
        val: { numImages: 2, numShards: 1, classCounts: [1, 0, 1] },
      },
      importRecord: { layout: 'cars-devkit', cropped: true },
    });
    expectCrops(
      await inPage('checkStored', 'cars-devkit', 'cars', expected),
      expected,
    );
  });

  test('the same source again is recognised and stores nothing twice', async () => {
    const { spec } = carsFolder('cars-devkit');
    const before = await inPage('readManifest', 'cars-devkit', 'cars');
    const summary = await inPage('inspectFolder', 'cars-devkit', spec, OPTIONS);
    expect(summary).toMatchObject({
      existing: { name: 'cars', complete: true },
    });
    const again = await inPage('importFolder', 'cars-devkit', spec, {
      ...OPTIONS,
      name: 'cars again',
    });
    expect(again.report).toMatchObject({
      dataset: 'cars',
      imported: { train: 6, val: 2 },
    });
    expect(await inPage('readManifest', 'cars-devkit', 'cars')).toEqual(before);
    expect(
      await inPage('readManifest', 'cars-devkit', 'cars again'),
    ).toBeNull();
  });

  test.each(['cars-kaggle-devkit', 'cars-torchvision'] as const)(
    'the %s layout imports the same crops',
    async (layout) => {
      const { spec, expected } = carsFolder(layout);
      const outcome = await inPage('importFolder', layout, spec, OPTIONS);
      expect(outcome.error).toBeNull();
      expect(outcome.report).toMatchObject({
        layout,
        imported: { train: 6, val: 2 },
      });
      expectCrops(
        await inPage('checkStored', layout, 'cars', expected),
        expected,
      );
    },
  );
});

describe('archives and CSV layouts', () => {
  test.each(['zip', 'zip64', 'tgz'] as const)(
    'the devkit packed as one %s file imports the same crops',
    async (pack) => {
      const { spec, expected } = carsFolder('cars-devkit');
      const db = `packed-${pack}`;
      const outcome = await inPage(
        'importFolder',
        db,
        { ...spec, pack },
        OPTIONS,
      );
      expect(outcome.error).toBeNull();
      expect(outcome.report).toMatchObject({
        layout: 'cars-devkit',
        imported: { train: 6, val: 2 },
        complete: true,
      });
      expect(outcome.report!.skipped).toHaveLength(8);
      expectCrops(await inPage('checkStored', db, 'cars', expected), expected);
    },
  );

  test('class folders with anno_*.csv and names.csv keep the CSV class ids', async () => {
    // Folder names as mirrors write them: the slash replaced, and in an
    // alphabetical order that is not the class-id order.
    const folder = [
      'Audi A4 Sedan 2008',
      'Ram C-V Cargo Van Minivan 2012',
      'BMW M3 Coupe 2012',
    ];
    const images: ImageSpec[] = [];
    const expected: Expected[] = [];
    const lines = { train: [] as string[], test: [] as string[] };
    const cars = [...TRAIN.slice(0, 4), TRAIN[10]!, TRAIN[11]!];
    for (const [split, list] of [
      ['train', cars],
      ['test', TEST],
    ] as const) {
      list.forEach((car, i) => {
        const image: ImageSpec = {
          path: `car_data/car_data/${split}/${folder[car.classId - 1]}/${pad(i + 1)}`,
          width: car.width,
          height: car.height,
          seed: i + (split === 'train' ? 1 : 101),
        };
        images.push(image);
        lines[split].push([pad(i + 1), ...car.box, car.classId].join(','));
        const [x1, y1, x2, y2] = car.box;
        expected.push({
          split: split === 'train' ? 'train' : 'val',
          image,
          box: { x1, y1, x2, y2 },
          classId: car.classId - 1,
        });
      });
    }
    lines.train.push('00077.jpg,1,2,x,4,1', '00001.jpg,1,1,5,5,9');
    const text = (rows: string[]) =>
      b64(new TextEncoder().encode(rows.join('\n') + '\n'));
    const spec: FolderSpec = {
      images,
      files: [
        { path: 'names.csv', base64: text(CLASS_NAMES) },
        { path: 'anno_train.csv', base64: text(lines.train) },
        { path: 'anno_test.csv', base64: text(lines.test) },
      ],
    };
    // Stored in path order, as the folder lists them: class folder first.
    expected.sort((a, b) => (a.image.path < b.image.path ? -1 : 1));
    const outcome = await inPage('importFolder', 'csv', spec, OPTIONS);
    expect(outcome.report).toMatchObject({
      layout: 'cars-class-folders-csv',
      imported: { train: 6, val: 2 },
      complete: true,
    });
    const files = outcome.report!.skipped.map((s) => s.file);
    expect(files).toEqual(['anno_train.csv line 7', 'anno_train.csv line 8']);
    const manifest = await inPage('readManifest', 'csv', 'cars');
    expect(manifest?.classNames).toEqual(CLASS_NAMES);
    expectCrops(await inPage('checkStored', 'csv', 'cars', expected), expected);
  });
});

describe('Hugging Face parquet', () => {
  test('train and test files: labels and names from the files, uncropped', async () => {
    const labelNames = CLASS_NAMES;
    const image = (i: number, width: number): ImageSpec => ({
      path: `row${i}`,
      width,
      height: 30,
      seed: 200 + i,
    });
    const train = [0, 1, 2, 3, 4].map((i) => ({
      image: image(i, 40 + i),
      label: i % 3,
    }));
    const broken = {
      image: { ...image(9, 40), damage: 'text' as const },
      label: 0,
    };
    const test = [{ image: image(5, 36), label: 2 }, broken];
    const spec: FolderSpec = {
      images: [],
      files: [],
      parquet: [
        { path: 'data/train-00000-of-00001.parquet', rows: train, labelNames },
        { path: 'data/test-00000-of-00001.parquet', rows: test, labelNames },
      ],
    };
    const plan = await inPage('inspectFolder', 'parquet', spec, OPTIONS);
    expect(plan).toMatchObject({
      layout: 'hf-parquet',
      cropped: false,
      classNames: CLASS_NAMES,
      planned: { train: 5, val: 2 },
      valFrom: 'test-split',
    });
    const outcome = await inPage('importFolder', 'parquet', spec, OPTIONS);
    expect(outcome.error).toBeNull();
    expect(outcome.report).toMatchObject({
      layout: 'hf-parquet',
      imported: { train: 5, val: 1 },
      classes: 3,
      complete: true,
    });
    expect(outcome.report!.skipped).toEqual([
      {
        file: 'data/test-00000-of-00001.parquet#1',
        reason: expect.stringMatching(/not an image/i),
      },
    ]);
    // Stored in file order: the test file's path sorts first.
    const expected: Expected[] = [
      ...test.slice(0, 1).map((r) => ({ ...r, split: 'val' as const })),
      ...train.map((r) => ({ ...r, split: 'train' as const })),
    ].map(({ image, label, split }) => ({
      split,
      image,
      box: null,
      classId: label,
    }));
    expectCrops(
      await inPage('checkStored', 'parquet', 'cars', expected),
      expected,
    );
  });
});

describe('interruptions', () => {
  // Bigger images make each decode slow enough to reload mid-import.
  const many: CarImage[] = Array.from({ length: 36 }, (_, i) => ({
    width: 320 + (i % 3) * 16,
    height: 240,
    box: [10 + i, 12, 200 + i, 180],
    classId: (i % 3) + 1,
  }));

  test('a reload halfway through resumes and stores every image once', async () => {
    const { spec, expected } = carsFolder('cars-devkit', many, TEST);
    const options = {
      ...OPTIONS,
      name: 'resumed',
      imageSize: 64,
      shardSize: 2,
    };
    await inPage('startImport', 'resume', spec, options);
    // Polled from here: waitForFunction does not wait for a promise.
    for (let tries = 0; ; tries++) {
      const m = await inPage('readManifest', 'resume', 'resumed');
      if ((m?.splits.train.numShards ?? 0) >= 3) break;
      expect(tries, 'shards stored before the reload').toBeLessThan(4000);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await session().page.reload();
    const partial = await inPage('readManifest', 'resume', 'resumed');
    expect(partial?.complete).toBe(false);
    expect(partial?.splits.train.numImages).toBeLessThan(many.length);

    const outcome = await inPage('importFolder', 'resume', spec, options);
    expect(outcome.error).toBeNull();
    expect(outcome.report).toMatchObject({
      resumed: true,
      complete: true,
      imported: { train: many.length, val: 2 },
    });
    const first = outcome.progress.find((p) => p.phase === 'importing');
    expect(first!.imagesDone).toBeGreaterThanOrEqual(6);
    expectCrops(
      await inPage('checkStored', 'resume', 'resumed', expected),
      expected,
    );
  });

  test('cancel stops with a report, and the next import resumes', async () => {
    const { spec, expected } = carsFolder('cars-devkit', many, TEST);
    const options = { ...OPTIONS, name: 'cancelled', imageSize: 64 };
    const stopped = await inPage('importFolder', 'cancel', spec, options, 0);
    expect(stopped.error).toBeNull();
    expect(stopped.report).toMatchObject({
      complete: false,
      stopped: { reason: 'cancelled' },
    });
    const partial = await inPage('readManifest', 'cancel', 'cancelled');
    expect(partial?.complete).toBe(false);

    const resumed = await inPage('importFolder', 'cancel', spec, options);
    expect(resumed.report).toMatchObject({
      complete: true,
      resumed: true,
      imported: { train: many.length, val: 2 },
    });
    expectCrops(
      await inPage('checkStored', 'cancel', 'cancelled', expected),
      expected,
    );
  });

  test('bad options are refused by name, with the range allowed', async () => {
    const { spec } = carsFolder('cars-devkit');
    const outcome = await inPage('importFolder', 'options', spec, {
      ...OPTIONS,
      imageSize: 4,
    });
    expect(outcome.error).toMatchObject({
      code: 'options',
      message: 'expected imageSize to be a whole number from 8 to 1024, got 4',
    });
  });

  test('running out of quota stops cleanly, says how much is needed, and resumes', async () => {
    const context = await session().browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(session().url);
      const cdp = await context.newCDPSession(page);
      const origin = new URL(session().url).origin;
      await cdp.send('Storage.overrideQuotaForOrigin', {
        origin,
        quotaSize: 150_000,
      });
      const { spec, expected } = carsFolder('cars-devkit', many, TEST);
      const options = {
        ...OPTIONS,
        name: 'quota',
        imageSize: 64,
        shardSize: 4,
      };
      const stopped = await inPageOf(
        page,
        'importFolder',
        'quota',
        spec,
        options,
      );
      expect(stopped.error).toBeNull();
      expect(stopped.report).toMatchObject({
        complete: false,
        stopped: { reason: 'quota' },
      });
      expect(stopped.report!.stopped!.message).toMatch(
        /needs about [\d,]+ MB more/,
      );
      const partial = await inPageOf(page, 'readManifest', 'quota', 'quota');
      expect(partial?.complete).toBe(false);
      expect(partial?.splits.train.numImages).toBeLessThan(many.length);

      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      const resumed = await inPageOf(
        page,
        'importFolder',
        'quota',
        spec,
        options,
      );
      expect(resumed.report).toMatchObject({ complete: true, resumed: true });
      expectCrops(
        await inPageOf(page, 'checkStored', 'quota', 'quota', expected),
        expected,
      );
    } finally {
      await context.close();
    }
  });
});
