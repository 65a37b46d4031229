// The parquet image reader in Node, on files written in the shape the
// Hugging Face hub serves (see tests/browser/parquet-writer.ts).
import { describe, expect, test } from 'vitest';
import { ArchiveFormatError } from '../../../src/data/formats/errors';
import { openParquetImages } from '../../../src/data/formats/parquet';
import { writeImageParquet } from '../../browser/parquet-writer';

const ROWS = [0, 1, 2, 3, 4].map((i) => ({
  image: new Uint8Array([0xff, 0xd8, i, 0x80 + i]),
  label: i % 2,
}));

async function readRows(blob: Blob) {
  const images = await openParquetImages(blob);
  const rows = [];
  for await (const row of images.rows()) {
    rows.push({ ...row, image: [...row.image] });
  }
  return { numRows: images.numRows, labelNames: images.labelNames, rows };
}

describe('openParquetImages', () => {
  test('image bytes, labels and class names, row group by row group', async () => {
    const file = writeImageParquet(ROWS, {
      labelNames: ['Audi A4 Sedan 2008', 'Ram C/V Cargo Van Minivan 2012'],
      rowGroupSize: 2,
    });
    expect(await readRows(new Blob([file]))).toEqual({
      numRows: 5,
      labelNames: ['Audi A4 Sedan 2008', 'Ram C/V Cargo Van Minivan 2012'],
      rows: ROWS.map((r, row) => ({
        row,
        image: [...r.image],
        label: r.label,
      })),
    });
  });

  test('a file without the hub metadata has no class names', async () => {
    const { labelNames, rows } = await readRows(
      new Blob([writeImageParquet(ROWS.slice(0, 1))]),
    );
    expect(labelNames).toBeUndefined();
    expect(rows).toHaveLength(1);
  });

  test('a file that is not parquet says so', async () => {
    const error = await openParquetImages(new Blob(['not parquet'])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveFormatError);
    expect((error as Error).message).toMatch(/^expected a parquet file/);
  });
});
