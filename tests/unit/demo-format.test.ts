import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  DemoReader,
  encodeDemo,
  type DemoEvent,
  type DemoHeader,
  type DemoSplitData,
} from '../../src/data/demo-format';
import { DatasetFormatError } from '../../src/data/errors';

const header: DemoHeader = {
  name: 'tiny',
  classNames: ['a', 'b', 'c'],
  height: 3,
  width: 2,
  channels: 1,
  splits: [
    { name: 'train', numImages: 7 },
    { name: 'val', numImages: 4 },
  ],
  source: 'made up for a test',
  licence: 'MIT',
  sourceId: 'test:1',
};

function tinyData(): DemoSplitData[] {
  return header.splits.map(({ numImages }, s) => ({
    labels: Uint8Array.from({ length: numImages }, (_, i) => (i + s) % 3),
    pixels: Uint8Array.from({ length: numImages * 6 }, (_, i) => i * 7 + s),
  }));
}

/** Events as plain values, copied so they outlive the chunks. */
function parse(bytes: Uint8Array, chunkSize: number) {
  const reader = new DemoReader();
  const events: unknown[] = [];
  const keep = (e: DemoEvent) =>
    events.push(e.type === 'record' ? { ...e, pixels: [...e.pixels] } : e);
  for (let pos = 0; pos < bytes.length; pos += chunkSize) {
    reader.push(bytes.slice(pos, pos + chunkSize)).forEach(keep);
  }
  reader.finish();
  return events;
}

function expectFormatError(run: () => void, message: RegExp): void {
  expect(run).toThrow(DatasetFormatError);
  expect(run).toThrow(message);
}

describe('DemoReader', () => {
  const bytes = encodeDemo(header, tinyData());

  test('reads back the header and every record the encoder wrote', () => {
    const events = parse(bytes, bytes.length);
    expect(events[0]).toEqual({ type: 'header', header });
    expect(events).toHaveLength(1 + 7 + 4);
    const data = tinyData();
    expect(events[7]).toEqual({
      type: 'record',
      split: 'train',
      index: 7 - 1,
      label: data[0]!.labels[6],
      pixels: [...data[0]!.pixels.subarray(36, 42)],
    });
    expect(events[11]).toMatchObject({ split: 'val', index: 3 });
  });

  test.each([1, 2, 3, 5, 7, 11, 13, 64])(
    'parsing in chunks of %i bytes equals parsing the whole',
    (chunkSize) => {
      expect(parse(bytes, chunkSize)).toEqual(parse(bytes, bytes.length));
    },
  );

  test('rejects a file with another magic', () => {
    const bad = bytes.slice();
    bad[0] = 'X'.charCodeAt(0);
    expectFormatError(() => parse(bad, 100), /expected magic RLDS/);
  });

  test('rejects a format version it does not know', () => {
    const bad = bytes.slice();
    bad[4] = 9;
    expectFormatError(
      () => parse(bad, 100),
      /expected format version 1, got 9/,
    );
  });

  test('says how many records came when the file is cut short', () => {
    const cut = bytes.slice(0, bytes.length - 4 * 7 + 3);
    expectFormatError(() => parse(cut, 10), /expected 4 val records, got 0/);
  });

  test('rejects bytes after the last record', () => {
    const long = new Uint8Array(bytes.length + 2);
    long.set(bytes);
    expectFormatError(() => parse(long, 50), /got 2 more bytes/);
  });

  test('rejects a class id beyond the class names', () => {
    const data = tinyData();
    const bad = encodeDemo(header, data);
    const firstRecord = bad.length - (7 + 4) * 7;
    bad[firstRecord] = 3;
    expectFormatError(() => parse(bad, 9), /class id below 3, got 3/);
  });

  test('rejects a header without the fields it needs', () => {
    const noSplits = { ...header, channels: 2 } as unknown as DemoHeader;
    expectFormatError(
      () => encodeDemo(noSplits, tinyData()),
      /channels to be 1 or 3, got 2/,
    );
  });
});

describe('the shipped demo file', () => {
  const path = resolve(
    import.meta.dirname,
    '../../public/datasets/fashion-mnist-demo.bin',
  );
  const bytes = gunzipSync(readFileSync(path));

  test('holds 1,650 train and 100 val images of each of the 10 classes', () => {
    const reader = new DemoReader();
    const counts: Record<string, number[]> = {
      train: Array(10).fill(0),
      val: Array(10).fill(0),
    };
    let first: DemoHeader | null = null;
    // An odd chunk size, so records straddle chunk ends.
    for (let pos = 0; pos < bytes.length; pos += 4093) {
      for (const event of reader.push(bytes.subarray(pos, pos + 4093))) {
        if (event.type === 'header') first = event.header;
        else counts[event.split]![event.label]!++;
      }
    }
    reader.finish();
    expect(first).toMatchObject({
      name: 'fashion-mnist-demo',
      height: 28,
      width: 28,
      channels: 1,
      licence: expect.stringMatching(/^MIT/),
      splits: [
        { name: 'train', numImages: 16500 },
        { name: 'val', numImages: 1000 },
      ],
    });
    expect(first!.classNames).toHaveLength(10);
    expect(counts.train).toEqual(Array(10).fill(1650));
    expect(counts.val).toEqual(Array(10).fill(100));
  });
});
