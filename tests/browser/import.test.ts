// The dataset import end to end in Chromium: real JPEGs drawn in the page,
// real .mat annotation files written here, packed as a dropped folder in
// each Stanford Cars layout and as generic image folders, imported through
// the import Worker into real IndexedDB. Stored pixels are compared with
// crops computed from the decoded JPEGs; page-side code is import.page.ts.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ImportOptions } from '../../src/data/import/types';
import { writeMat, type WriteValue } from '../../tools/fixtures/mat5-writer';
import { openModules, type Session } from './harness';
import type * as PageHelpers from './import.page';
import type { Expected, FolderSpec, ImageSpec } from './import.page';

type Helpers = {
  [
    K in keyof typeof PageHelpers as (typeof PageHelpers)[K] extends (
      ...args: never[]
    ) => unknown
      ? K
      : never
  ]: (typeof PageHelpers)[K];
};

const HELPERS = '/tests/browser/import.page.ts';

let session: Session;
beforeAll(async () => {
  session = await openModules({ webgpu: false });
});
afterAll(async () => {
  await session?.close();
});

async function inPageOf<K extends keyof Helpers>(
  page: Page,
  name: K,
  ...args: Parameters<Helpers[K]>
): Promise<Awaited<ReturnType<Helpers[K]>>> {
  const result = await page.evaluate(
    async ({ path, name, args }) => {
      type Fn = (...a: unknown[]) => unknown;
      const m = await window.importModule<Record<string, Fn>>(path);
      return m[name]!(...args);
    },
    { path: HELPERS, name, args: args as unknown[] },
  );
  return result as Awaited<ReturnType<Helpers[K]>>;
}

const inPage = <K extends keyof Helpers>(
  name: K,
  ...args: Parameters<Helpers[K]>
) => inPageOf(session.page, name, ...args);

// --- Stanford Cars fixtures ------------------------------------------------

const CLASS_NAMES = [
  'Audi A4 Sedan 2008',
  'Ram C/V Cargo Van Minivan 2012',
  'BMW M3 Coupe 2012',
];

interface Row {
  fname: string;
  box: [number, number, number, number];
  classId?: number;
}

const num = (v: number): WriteValue => ({
  kind: 'numeric',
  class: v > 255 ? 'uint16' : 'uint8',
  dims: [1, 1],
  data: [v],
});

function annosMat(rows: Row[]): Uint8Array {
  const labelled = rows.some((r) => r.classId !== undefined);
  const fieldNames = ['bbox_x1', 'bbox_y1', 'bbox_x2', 'bbox_y2'];
  if (labelled) fieldNames.push('class');
  fieldNames.push('fname');
  const elements = rows.map((r) => {
    const e: Record<string, WriteValue> = {
      bbox_x1: num(r.box[0]),
      bbox_y1: num(r.box[1]),
      bbox_x2: num(r.box[2]),
      bbox_y2: num(r.box[3]),
      fname: { kind: 'char', rows: [r.fname] },
    };
    if (labelled) e.class = num(r.classId!);
    return e;
  });
  const value: WriteValue = {
    kind: 'struct',
    dims: [1, rows.length],
    fieldNames,
    elements,
  };
  return writeMat([['annotations', value]], { compress: true });
}

function metaMat(names: string[]): Uint8Array {
  const values: WriteValue[] = names.map((n) => ({ kind: 'char', rows: [n] }));
  return writeMat(
    [['class_names', { kind: 'cell', dims: [1, names.length], values }]],
    { compress: true },
  );
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const pad = (i: number) => `${String(i).padStart(5, '0')}.jpg`;

interface CarImage {
  width: number;
  height: number;
  box: Row['box'];
  classId: number;
  damage?: ImageSpec['damage'];
  /** Skipped, so not expected in the store. */
  bad?: string;
}

// Train images by number; comments say what each one tests.
const TRAIN: CarImage[] = [
  { width: 80, height: 60, box: [11, 8, 60, 47], classId: 2 },
  { width: 70, height: 70, box: [1, 1, 70, 70], classId: 1 },
  // Box runs past the right edge: clamped to the image.
  { width: 90, height: 50, box: [30, 10, 120, 45], classId: 3 },
  { width: 60, height: 60, box: [5, 5, 40, 40], classId: 1 },
  {
    width: 64,
    height: 48,
    box: [100, 100, 120, 120],
    classId: 2,
    bad: 'lies outside',
  },
  {
    width: 60,
    height: 60,
    box: [5, 5, 40, 40],
    classId: 1,
    damage: 'corrupt',
    bad: 'corrupt JPEG',
  },
  {
    width: 60,
    height: 60,
    box: [5, 5, 40, 40],
    classId: 3,
    damage: 'truncate',
    bad: 'truncated JPEG',
  },
  {
    width: 60,
    height: 60,
    box: [5, 5, 40, 40],
    classId: 2,
    damage: 'text',
    bad: 'not an image',
  },
  { width: 60, height: 60, box: [40, 5, 10, 40], classId: 2, bad: 'x1 <= x2' },
  {
    width: 60,
    height: 60,
    box: [5, 5, 40, 40],
    classId: 7,
    bad: 'class id from 1 to 3, got 7',
  },
  { width: 50, height: 40, box: [3, 4, 45, 38], classId: 3 },
  { width: 66, height: 44, box: [2, 2, 60, 40], classId: 1 },
];

const TEST: CarImage[] = [
  { width: 50, height: 50, box: [5, 5, 45, 45], classId: 3 },
  { width: 70, height: 50, box: [10, 10, 60, 40], classId: 1 },
];

type CarsLayout = 'cars-devkit' | 'cars-kaggle-devkit' | 'cars-torchvision';

const LAYOUT_PATHS: Record<
  CarsLayout,
  { devkit: string; train: string; test: string; labels: string }
> = {
  'cars-devkit': {
    devkit: 'cars/devkit',
    train: 'cars/cars_train',
    test: 'cars/cars_test',
    labels: 'cars/cars_test_annos_withlabels (1).mat',
  },
  'cars-kaggle-devkit': {
    devkit: 'kaggle/car_devkit/devkit',
    train: 'kaggle/cars_train/cars_train',
    test: 'kaggle/cars_test/cars_test',
    labels: 'kaggle/cars_test_annos_withlabels.mat',
  },
  'cars-torchvision': {
    devkit: 'root/stanford_cars/devkit',
    train: 'root/stanford_cars/cars_train',
    test: 'root/stanford_cars/cars_test',
    labels: 'root/stanford_cars/cars_test_annos_withlabels.mat',
  },
};

/**
 * A Stanford Cars folder in `layout`, with one missing image (00099.jpg is
 * annotated but absent) and a cars_test_annos.mat of an unknown layout.
 */
function carsFolder(
  layout: CarsLayout,
  train = TRAIN,
  test = TEST,
): { spec: FolderSpec; expected: Expected[] } {
  const at = LAYOUT_PATHS[layout];
  const images: ImageSpec[] = [];
  const expected: Expected[] = [];
  const add = (
    list: CarImage[],
    dir: string,
    split: 'train' | 'val',
    s: number,
  ) =>
    list.forEach((c, i) => {
      const image: ImageSpec = {
        path: `${dir}/${pad(i + 1)}`,
        width: c.width,
        height: c.height,
        seed: s + i,
        ...(c.damage ? { damage: c.damage } : {}),
      };
      images.push(image);
      if (c.bad) return;
      const [x1, y1, x2, y2] = c.box;
      expected.push({
        split,
        image,
        box: { x1, y1, x2, y2 },
        classId: c.classId - 1,
      });
    });
  add(train, at.train, 'train', 1);
  add(test, at.test, 'val', 101);
  const rows = (list: CarImage[], labelled: boolean): Row[] =>
    list.map((c, i) => ({
      fname: pad(i + 1),
      box: c.box,
      ...(labelled ? { classId: c.classId } : {}),
    }));
  const trainRows = [
    ...rows(train, true),
    { fname: pad(99), box: [1, 1, 9, 9], classId: 1 } as Row,
  ];
  const odd = writeMat([
    ['foo', { kind: 'numeric', class: 'double', dims: [1, 1], data: [1] }],
  ]);
  return {
    spec: {
      images,
      files: [
        {
          path: `${at.devkit}/cars_meta.mat`,
          base64: b64(metaMat(CLASS_NAMES)),
        },
        {
          path: `${at.devkit}/cars_train_annos.mat`,
          base64: b64(annosMat(trainRows)),
        },
        { path: `${at.devkit}/cars_test_annos.mat`, base64: b64(odd) },
        { path: at.labels, base64: b64(annosMat(rows(test, true))) },
      ],
    },
    expected,
  };
}

const OPTIONS: ImportOptions = {
  name: 'cars',
  imageSize: 24,
  fit: 'squash',
  valFraction: 0.1,
  seed: 1,
  shardSize: 4,
};

/**
 * Stored pixels against the reference crop. JPEG noise and the difference
 * between Chromium's high-quality resampler and the reference (an n x n
 * supersampled bilinear, see referenceCrop) stay under 6 levels on average on these smooth
 * patterns; a crop one pixel off, as a 0-based reading of the box gives,
 * is further away from the stored pixels than the right one.
 */
function expectCrops(
  check: PageHelpers.StoredCheck,
  expected: Expected[],
): void {
  expect(check.errors).toHaveLength(expected.length);
  check.errors.forEach((error, i) => {
    expect(error, expected[i]!.image.path).toBeLessThan(6);
    const whole =
      expected[i]!.box === null ||
      (expected[i]!.box!.x1 === 1 &&
        expected[i]!.box!.x2 >= expected[i]!.image.width);
    if (!whole) expect(check.shiftedErrors[i]!).toBeGreaterThan(error);
  });
  for (const split of ['train', 'val'] as const) {
    expect(check.labels[split]).toEqual(
      expected.filter((e) => e.split === split).map((e) => e.classId),
    );
  }
}

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

describe('generic image folders', () => {
  test('class folders without a val folder: a seeded, stratified hold-out', async () => {
    const images: ImageSpec[] = [];
    for (const cls of ['zebra', 'apple']) {
      for (let i = 0; i < 5; i++) {
        images.push({
          path: `pics/train/${cls}/${i}.jpg`,
          width: 40,
          height: 30,
          seed: i + (cls === 'apple' ? 50 : 0),
        });
      }
    }
    const spec: FolderSpec = { images, files: [] };
    const options = { ...OPTIONS, name: 'pics', valFraction: 0.4 };
    const outcome = await inPage('importFolder', 'folders', spec, options);
    expect(outcome.report).toMatchObject({
      layout: 'image-folder',
      imported: { train: 6, val: 4 },
      complete: true,
    });
    const manifest = await inPage('readManifest', 'folders', 'pics');
    expect(manifest?.classNames).toEqual(['apple', 'zebra']);
    expect(manifest?.splits.val.classCounts).toEqual([2, 2]);
    expect(manifest?.importRecord?.cropped).toBe(false);
  });
});

describe('keep-aspect', () => {
  test('a wide crop is scaled to fit and centred between black bars', async () => {
    const { spec, expected } = carsFolder('cars-devkit');
    const options = { ...OPTIONS, name: 'bars', fit: 'keep-aspect' as const };
    const outcome = await inPage('importFolder', 'bars', spec, options);
    expect(outcome.report).toMatchObject({ complete: true });
    expectCrops(
      await inPage('checkStored', 'bars', 'bars', expected, 'keep-aspect'),
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
    await session.page.reload();
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
    const context = await session.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(session.url);
      const cdp = await context.newCDPSession(page);
      const origin = new URL(session.url).origin;
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
