// Layout recognition and planning over path lists and parsed annotations,
// in Node: every layout the import accepts, and each planning rule.
import { describe, expect, test } from 'vitest';
import { detectLayout } from '../../src/data/import/layout';
import {
  planImport,
  type AnnotationRow,
  type Annotations,
} from '../../src/data/import/plan';

const pad = (i: number) => String(i).padStart(5, '0');
const names = (n: number, dir: string) =>
  Array.from({ length: n }, (_, i) => `${dir}/${pad(i + 1)}.jpg`);

const DEVKIT = [
  'cars/devkit/cars_meta.mat',
  'cars/devkit/cars_train_annos.mat',
  'cars/devkit/cars_test_annos.mat',
  'cars/devkit/README.txt',
  'cars/cars_test_annos_withlabels (1).mat',
  ...names(6, 'cars/cars_train'),
  ...names(3, 'cars/cars_test'),
];

const row = (
  fname: string,
  classId: number | undefined,
  box = { x1: 1, y1: 1, x2: 10, y2: 10 },
): AnnotationRow => ({ fname, classId, box, where: `annos ${fname}` });

describe('detectLayout', () => {
  test('finds the devkit and every test-labels file, labels first', () => {
    const found = detectLayout(DEVKIT);
    expect(found.layout).toBe('cars-devkit');
    expect(found.annotations).toEqual([
      { role: 'cars-meta', path: 'cars/devkit/cars_meta.mat' },
      { role: 'train-annos', path: 'cars/devkit/cars_train_annos.mat' },
      {
        role: 'test-annos',
        path: 'cars/cars_test_annos_withlabels (1).mat',
      },
      { role: 'test-annos', path: 'cars/devkit/cars_test_annos.mat' },
    ]);
    expect(found.description).toContain('withlabels (1).mat');
  });

  test("tells Kaggle's doubled folders and torchvision's folder apart", () => {
    const kaggle = [
      'car_devkit/devkit/cars_meta.mat',
      'car_devkit/devkit/cars_train_annos.mat',
      ...names(2, 'cars_train/cars_train'),
    ];
    expect(detectLayout(kaggle).layout).toBe('cars-kaggle-devkit');
    const torchvision = [
      'data/stanford_cars/devkit/cars_meta.mat',
      'data/stanford_cars/devkit/cars_train_annos.mat',
      'data/stanford_cars/cars_test_annos_withlabels.mat',
      ...names(2, 'data/stanford_cars/cars_train'),
    ];
    expect(detectLayout(torchvision).layout).toBe('cars-torchvision');
  });

  test('recognises class folders with CSVs, parquet and image folders', () => {
    expect(
      detectLayout([
        'car_data/names.csv',
        'car_data/anno_train.csv',
        'car_data/anno_test.csv',
        'car_data/car_data/train/Acura/00001.jpg',
      ]).annotations.map((a) => a.role),
    ).toEqual(['names-csv', 'train-csv', 'test-csv']);
    expect(detectLayout(['train-00000-of-00001.parquet']).layout).toBe(
      'hf-parquet',
    );
    const folder = detectLayout([
      'pets/boxes.csv',
      'pets/train/cat/a.jpg',
      'pets/val/dog/b.png',
      'pets/.DS_Store',
    ]);
    expect(folder.layout).toBe('image-folder');
    expect(folder.annotations).toEqual([
      { role: 'boxes-csv', path: 'pets/boxes.csv' },
    ]);
  });

  test('names what it expected when nothing fits', () => {
    expect(() => detectLayout(['notes.txt', 'a/b.csv'])).toThrow(
      /expected a Stanford Cars devkit.*got 2 files \(notes\.txt, a\/b\.csv\)/,
    );
  });
});

function carsAnnotations(testRows: AnnotationRow[] | null): Annotations {
  return {
    classNames: ['Audi A4', 'Ram C/V Cargo Van Minivan 2012', 'BMW M3'],
    tables: {
      'train-annos': [
        {
          file: 'train',
          rows: [
            row('00001.jpg', 2),
            row('00002.jpg', 1),
            row('00003.jpg', 3, { x1: 20, y1: 1, x2: 10, y2: 5 }),
            row('00004.jpg', 4),
            row('00099.jpg', 1),
            row('00005.jpg', 3),
            row('00006.jpg', 3),
          ],
        },
      ],
      'test-annos': testRows ? [{ file: 'test', rows: testRows }] : [],
    },
    issues: [],
  };
}

const options = { valFraction: 0.5, seed: 1 };

describe('planImport', () => {
  test('maps 1-based class ids and skips bad rows with a reason each', () => {
    const test = [row('00001.jpg', 3), row('00002.jpg', 1)];
    const plan = planImport(
      detectLayout(DEVKIT),
      { paths: DEVKIT },
      carsAnnotations(test),
      options,
    );
    expect(plan.valFrom).toBe('test-split');
    expect(plan.classNames[1]).toBe('Ram C/V Cargo Van Minivan 2012');
    expect(
      plan.items.map((i) => [i.path.slice(5), i.split, i.classId]),
    ).toEqual([
      ['cars_train/00001.jpg', 'train', 1],
      ['cars_train/00002.jpg', 'train', 0],
      ['cars_train/00005.jpg', 'train', 2],
      ['cars_train/00006.jpg', 'train', 2],
      ['cars_test/00001.jpg', 'val', 2],
      ['cars_test/00002.jpg', 'val', 0],
    ]);
    expect(plan.items[0]!.box).toEqual({ x1: 1, y1: 1, x2: 10, y2: 10 });
    expect(plan.skipped).toEqual([
      {
        file: 'annos 00003.jpg',
        reason: 'expected x1 <= x2 and y1 <= y2, got box (20, 1)-(10, 5)',
      },
      {
        file: 'annos 00004.jpg',
        reason: 'expected a class id from 1 to 3, got 4',
      },
      {
        file: 'annos 00099.jpg',
        reason: '00099.jpg is named in the annotations but missing',
      },
    ]);
  });

  test('without test labels, holds out a seeded share of each class', () => {
    const unlabelled = [row('00001.jpg', undefined)];
    const plan = (seed: number) =>
      planImport(
        detectLayout(DEVKIT),
        { paths: DEVKIT },
        carsAnnotations(unlabelled),
        { valFraction: 0.5, seed },
      );
    const first = plan(1);
    expect(first.valFrom).toBe('hold-out');
    expect(first.items).toHaveLength(4);
    expect(first.items.every((i) => i.path.includes('cars_train'))).toBe(true);
    const val = first.items.filter((i) => i.split === 'val');
    // Class 2 has two images, one held out; classes 0 and 1 have one each,
    // which stays in train.
    expect(val.map((i) => i.classId)).toEqual([2]);
    expect(plan(1)).toEqual(first);
    const draws = new Set(
      [1, 2, 3, 4, 5, 6].map((s) =>
        plan(s)
          .items.filter((i) => i.split === 'val')
          .map((i) => i.path)
          .join(),
      ),
    );
    expect(draws.size).toBeGreaterThan(1);
  });

  test('image folders: sorted class ids, boxes by path, bad boxes out', () => {
    const paths = [
      'pets/boxes.csv',
      'pets/train/dog/1.jpg',
      'pets/train/cat/2.jpg',
      'pets/train/cat/notes.txt',
      'pets/val/dog/3.jpg',
      'pets/val/cat/4.jpg',
    ];
    const plan = planImport(
      detectLayout(paths),
      { paths },
      {
        tables: {
          'boxes-csv': [
            {
              file: 'pets/boxes.csv',
              rows: [
                {
                  fname: 'train/dog/1.jpg',
                  box: { x1: 2, y1: 3, x2: 4, y2: 5 },
                  where: 'pets/boxes.csv line 1',
                },
                {
                  fname: '3.jpg',
                  box: { x1: 9, y1: 3, x2: 4, y2: 5 },
                  where: 'pets/boxes.csv line 2',
                },
              ],
            },
          ],
        },
        issues: [],
      },
      options,
    );
    expect(plan.classNames).toEqual(['cat', 'dog']);
    expect(plan.valFrom).toBe('test-split');
    expect(plan.items).toEqual([
      {
        path: 'pets/train/dog/1.jpg',
        split: 'train',
        classId: 1,
        box: { x1: 2, y1: 3, x2: 4, y2: 5 },
      },
      { path: 'pets/train/cat/2.jpg', split: 'train', classId: 0, box: null },
      {
        path: 'pets/train/cat/notes.txt',
        split: 'train',
        classId: 0,
        box: null,
      },
      { path: 'pets/val/cat/4.jpg', split: 'val', classId: 0, box: null },
    ]);
    expect(plan.skipped[0]!.file).toBe('pets/val/dog/3.jpg');
  });

  test("image folders: a box row names one image by its path or a tail of it, never another folder's file of that name", () => {
    const paths = [
      'pets/boxes.csv',
      'pets/train/cat/1.jpg',
      'pets/train/cat/2.jpg',
      'pets/train/dog/1.jpg',
      'pets/train/dog/3.jpg',
      'pets/val/dog/4.jpg',
      'pets/val/cat/5.jpg',
      'pets/val/dog/5.jpg',
    ];
    const box = (x1: number) => ({ x1, y1: 1, x2: 20, y2: 20 });
    const rows = [
      ['./train/cat/1.jpg', box(1)],
      ['cat/2.jpg', box(2)],
      ['3.jpg', box(3)],
      ['D:\\photos\\pets\\val\\dog\\4.jpg', box(4)],
      ['5.jpg', box(5)],
    ] as const;
    const plan = planImport(
      detectLayout(paths),
      { paths },
      {
        tables: {
          'boxes-csv': [
            {
              file: 'pets/boxes.csv',
              rows: rows.map(([fname, b], i) => ({
                fname,
                box: b,
                where: `pets/boxes.csv line ${i + 2}`,
              })),
            },
          ],
        },
        issues: [],
      },
      options,
    );
    expect(plan.items.map((item) => [item.path, item.box?.x1])).toEqual([
      ['pets/train/cat/1.jpg', 1],
      ['pets/train/cat/2.jpg', 2],
      ['pets/train/dog/1.jpg', undefined],
      ['pets/train/dog/3.jpg', 3],
      ['pets/val/dog/4.jpg', 4],
      ['pets/val/cat/5.jpg', undefined],
      ['pets/val/dog/5.jpg', undefined],
    ]);
    expect(plan.skipped).toEqual([
      {
        file: 'pets/boxes.csv line 6',
        reason:
          'expected 5.jpg to name one image, got 2 ' +
          '(pets/val/cat/5.jpg, pets/val/dog/5.jpg): give its folders',
      },
    ]);
  });

  test('parquet rows go to val from a test file and carry no boxes', () => {
    const plan = planImport(
      detectLayout(['train.parquet', 'test.parquet']),
      {
        paths: ['train.parquet', 'test.parquet'],
        parquet: [
          { file: 'train.parquet', numRows: 2, labelNames: ['a', 'b'] },
          { file: 'test.parquet', numRows: 1 },
        ],
      },
      { tables: {}, issues: [] },
      options,
    );
    expect(plan.cropped).toBe(false);
    expect(plan.classNames).toEqual(['a', 'b']);
    expect(plan.items.map((i) => [i.path, i.split, i.row])).toEqual([
      ['train.parquet#0', 'train', 0],
      ['train.parquet#1', 'train', 1],
      ['test.parquet#0', 'val', 0],
    ]);
  });
});
