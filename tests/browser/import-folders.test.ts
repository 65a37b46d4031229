// Generic image folders end to end in Chromium: train/<class>/ and
// val/<class>/ folders of real JPEGs, with and without a boxes CSV, imported
// through the import Worker into real IndexedDB, and the keep-aspect fit.
// Shared fixtures and the crop check are in import-fixtures.ts.
import { describe, expect, test } from 'vitest';
import {
  b64,
  carsFolder,
  expectCrops,
  OPTIONS,
  setUpImportPage,
} from './import-fixtures';
import type { Expected, FolderSpec, ImageSpec } from './import.page';

const { inPage } = setUpImportPage();

interface Shot {
  /** Below the folder's root, shots/. */
  path: string;
  width: number;
  height: number;
  /** Its line in boxes.csv; none: no row. */
  line?: string;
  /** The box that line gives, 1-based and inclusive; none: stored whole. */
  box?: [number, number, number, number];
}

// Rows of boxes.csv in this order, after a header; comments say what each
// image tests.
const SHOTS: Shot[] = [
  {
    path: 'train/apple/1.jpg',
    width: 80,
    height: 60,
    line: 'train/apple/1.jpg,11,8,60,47',
    box: [11, 8, 60, 47],
  },
  { path: 'train/apple/2.jpg', width: 50, height: 40 },
  // The box runs past the right edge: clamped to the image.
  {
    path: 'train/apple/3.jpg',
    width: 90,
    height: 50,
    line: './train/apple/3.jpg,30,10,120,45',
    box: [30, 10, 120, 45],
  },
  // No row, though a row names train/apple/1.jpg: stored whole.
  { path: 'train/zebra/1.jpg', width: 60, height: 44 },
  // Named by its file name alone.
  {
    path: 'train/zebra/4.jpg',
    width: 50,
    height: 40,
    line: '4.jpg,3,4,45,38',
    box: [3, 4, 45, 38],
  },
  // A malformed row (line 5): reported, and the image stored whole.
  {
    path: 'train/zebra/5.jpg',
    width: 64,
    height: 48,
    line: 'train/zebra/5.jpg,3,4,x,20',
  },
  {
    path: 'val/apple/6.jpg',
    width: 66,
    height: 44,
    line: 'val/apple/6.jpg,2,2,60,40',
    box: [2, 2, 60, 40],
  },
  { path: 'val/zebra/7.jpg', width: 56, height: 56 },
  {
    path: 'val/zebra/8.jpg',
    width: 70,
    height: 50,
    line: 'val/zebra/8.jpg,10,10,60,40',
    box: [10, 10, 60, 40],
  },
];

/** shots/train/<class>/, shots/val/<class>/ and shots/boxes.csv. */
function shotsFolder(): { spec: FolderSpec; expected: Expected[] } {
  const images: ImageSpec[] = [];
  const expected: Expected[] = [];
  SHOTS.forEach((shot, i) => {
    const { width, height } = shot;
    const image = { path: `shots/${shot.path}`, width, height, seed: 300 + i };
    images.push(image);
    const [x1, y1, x2, y2] = shot.box ?? [];
    expected.push({
      split: shot.path.startsWith('val/') ? 'val' : 'train',
      image,
      box: shot.box ? { x1: x1!, y1: y1!, x2: x2!, y2: y2! } : null,
      classId: shot.path.includes('/apple/') ? 0 : 1,
    });
  });
  const lines = ['fname,x1,y1,x2,y2', ...SHOTS.flatMap((s) => s.line ?? [])];
  const csv = new TextEncoder().encode(lines.join('\n') + '\n');
  return {
    spec: { images, files: [{ path: 'shots/boxes.csv', base64: b64(csv) }] },
    expected,
  };
}

describe('generic image folders', () => {
  test('train/ and val/ class folders with a boxes CSV: crops, whole images, val from val/, a bad row in the report', async () => {
    const { spec, expected } = shotsFolder();
    // A hold-out would move half of train to val: val/ must win.
    const options = { ...OPTIONS, name: 'shots', valFraction: 0.5 };
    const summary = await inPage('inspectFolder', 'boxes', spec, options);
    expect(summary).toMatchObject({
      layout: 'image-folder',
      classNames: ['apple', 'zebra'],
      valFrom: 'test-split',
      cropped: true,
      planned: { train: 6, val: 3 },
    });

    const outcome = await inPage('importFolder', 'boxes', spec, options);
    expect(outcome.error).toBeNull();
    expect(outcome.report).toMatchObject({
      layout: 'image-folder',
      imported: { train: 6, val: 3 },
      classes: 2,
      complete: true,
    });
    expect(outcome.report!.skipped).toEqual([
      {
        file: 'shots/boxes.csv line 5',
        reason: 'expected a number for x2, got "x"',
      },
    ]);
    const manifest = await inPage('readManifest', 'boxes', 'shots');
    expect(manifest).toMatchObject({
      classNames: ['apple', 'zebra'],
      complete: true,
      splits: {
        train: { numImages: 6, classCounts: [3, 3] },
        val: { numImages: 3, classCounts: [1, 2] },
      },
      importRecord: { layout: 'image-folder', cropped: true },
    });
    expectCrops(
      await inPage('checkStored', 'boxes', 'shots', expected),
      expected,
    );
  });

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
