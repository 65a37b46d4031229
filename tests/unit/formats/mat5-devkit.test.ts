// The MAT-file reader on the real Stanford Cars devkit files, against what
// scipy.io.loadmat reads from them (tests/reference/make_mat5_expected.py
// wrote the expected values). The files live in ../shared/fixtures beside
// the checkout, as on CI; they are not part of the repository.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  readCarsAnnotations,
  readCarsClassNames,
  type CarsAnnotation,
} from '../../../src/data/formats/mat5';
import expected from '../../reference/mat5-devkit.json';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEVKIT = resolve(ROOT, '../shared/fixtures/stanford-cars-devkit');

async function devkitFile(name: string): Promise<Uint8Array> {
  const path = resolve(DEVKIT, name);
  if (!existsSync(path)) {
    throw new Error(
      `expected the real devkit file at ${path} (shared/ beside the ` +
        'checkout), found none',
    );
  }
  return new Uint8Array(await readFile(path));
}

/** One line per row, as the reference script hashes them. */
function sha256(rows: readonly CarsAnnotation[]): string {
  const hash = createHash('sha256');
  for (const r of rows) {
    hash.update(
      `${r.fname},${r.x1},${r.y1},${r.x2},${r.y2},${r.classId ?? ''}\n`,
    );
  }
  return hash.digest('hex');
}

function imagesPerClass(rows: readonly CarsAnnotation[]): number[] {
  const counts = new Array<number>(196).fill(0);
  for (const row of rows) counts[row.classId! - 1]!++;
  return counts;
}

describe('the real devkit files read as scipy reads them', () => {
  test('cars_meta.mat: the 196 class names in class-id order', async () => {
    const names = await readCarsClassNames(await devkitFile('cars_meta.mat'));
    expect(names).toHaveLength(196);
    expect(names).toEqual(expected.classNames);
    expect(names).toContain('Ram C/V Cargo Van Minivan 2012');
  });

  test.each([
    ['cars_train_annos.mat', expected.train, true],
    ['cars_test_annos.mat', expected.test, false],
  ] as const)('%s: every row, box and class', async (file, want, labelled) => {
    const { rows, skipped } = await readCarsAnnotations(await devkitFile(file));
    expect(skipped).toEqual([]);
    expect(rows).toHaveLength(want.numRows);
    expect(rows.slice(0, 3)).toEqual(want.first);
    expect(rows.slice(-3)).toEqual(want.last);
    expect(rows.every((r) => (r.classId !== undefined) === labelled)).toBe(
      true,
    );
    if (want.imagesPerClass) {
      expect(imagesPerClass(rows)).toEqual(want.imagesPerClass);
    }
    expect(sha256(rows)).toBe(want.sha256);
  });

  test('the row counts are those the devkit documents', () => {
    expect(expected.train.numRows).toBe(8144);
    expect(expected.test.numRows).toBe(8041);
  });
});
