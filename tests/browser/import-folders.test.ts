// Generic image folders end to end in Chromium: class folders of real
// JPEGs imported through the import Worker into real IndexedDB, and the
// keep-aspect fit.
// Shared fixtures and the crop check are in import-fixtures.ts.
import { describe, expect, test } from 'vitest';
import {
  carsFolder,
  expectCrops,
  OPTIONS,
  setUpImportPage,
} from './import-fixtures';
import type { FolderSpec, ImageSpec } from './import.page';

const { inPage } = setUpImportPage();

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
