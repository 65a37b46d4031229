// Shared by the import tests (import.test.ts, import-folders.test.ts): the
// page session and the typed call into the page helpers of import.page.ts,
// the small Stanford Cars fixtures (.mat files written here, images drawn
// in the page), the default options and the check of stored crops.
import { afterAll, beforeAll, expect } from 'vitest';
import type { ImportOptions } from '../../src/data/import/types';
import { writeMat, type WriteValue } from '../../tools/fixtures/mat5-writer';
import {
  openModules,
  pageModuleCaller,
  type PageFunctions,
  type Session,
} from './harness';
import type * as PageHelpers from './import.page';
import type { Expected, FolderSpec, ImageSpec } from './import.page';

type Helpers = PageFunctions<typeof PageHelpers>;

const HELPERS = '/tests/browser/import.page.ts';
export const inPageOf = pageModuleCaller<typeof PageHelpers>(HELPERS);

/**
 * Opens the module page for the file's tests and closes it after them.
 * `inPage` runs a helper of import.page.ts in that page.
 */
export function setUpImportPage() {
  let session: Session;
  beforeAll(async () => {
    session = await openModules({ webgpu: false });
  });
  afterAll(async () => {
    await session?.close();
  });
  return {
    session: () => session,
    inPage: <K extends keyof Helpers>(
      name: K,
      ...args: Parameters<Helpers[K]>
    ) => inPageOf(session.page, name, ...args),
  };
}

// --- Stanford Cars fixtures ------------------------------------------------

export const CLASS_NAMES = [
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

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
export const pad = (i: number) => `${String(i).padStart(5, '0')}.jpg`;

export interface CarImage {
  width: number;
  height: number;
  box: Row['box'];
  classId: number;
  damage?: ImageSpec['damage'];
  /** Skipped, so not expected in the store. */
  bad?: string;
}

// Train images by number; comments say what each one tests.
export const TRAIN: CarImage[] = [
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

export const TEST: CarImage[] = [
  { width: 50, height: 50, box: [5, 5, 45, 45], classId: 3 },
  { width: 70, height: 50, box: [10, 10, 60, 40], classId: 1 },
];

export type CarsLayout =
  'cars-devkit' | 'cars-kaggle-devkit' | 'cars-torchvision';

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
export function carsFolder(
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

export const OPTIONS: ImportOptions = {
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
export function expectCrops(
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
