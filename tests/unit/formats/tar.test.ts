// The tar reader in Node, on archives the test-side writer packs: short
// paths, long paths in each of the three forms, gzip, and damaged files.
import { describe, expect, test } from 'vitest';
import { ArchiveFormatError } from '../../../src/data/formats/errors';
import { gunzipStream, readTar } from '../../../src/data/formats/tar';
import {
  writeTar,
  writeTgz,
  type ArchiveEntry,
  type LongPaths,
} from '../../browser/archive-writers';

const LONG = `cars/${'long folder name/'.repeat(8)}00001.jpg`;

const ENTRIES: ArchiveEntry[] = [
  { path: 'cars/devkit/cars_meta.mat', bytes: new Uint8Array(700).fill(7) },
  { path: LONG, bytes: new Uint8Array([1, 2, 3]) },
  { path: 'cars/empty.txt', bytes: new Uint8Array(0) },
];

const stream = (bytes: Uint8Array) =>
  new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();

/** Reads every entry's bytes, or only those `read` accepts. */
async function walk(
  source: ReadableStream<Uint8Array>,
  read: (path: string) => boolean = () => true,
) {
  const out: { path: string; size: number; bytes?: number[] }[] = [];
  for await (const entry of readTar(source)) {
    out.push({
      path: entry.path,
      size: entry.size,
      ...(read(entry.path) ? { bytes: [...(await entry.bytes())] } : {}),
    });
  }
  return out;
}

const expected = ENTRIES.map((e) => ({
  path: e.path,
  size: e.bytes.length,
  bytes: [...e.bytes],
}));

describe('readTar', () => {
  test.each(['prefix', 'pax', 'gnu'] as LongPaths[])(
    'long paths written as %s come back whole',
    async (long) => {
      expect(await walk(stream(writeTar(ENTRIES, long)))).toEqual(expected);
    },
  );

  test('entries not read are passed over', async () => {
    const got = await walk(stream(writeTar(ENTRIES)), (p) => p === LONG);
    expect(got.map((e) => e.bytes)).toEqual([undefined, [1, 2, 3], undefined]);
  });

  test('a .tgz through gunzipStream', async () => {
    const tgz = await writeTgz(ENTRIES);
    expect(await walk(gunzipStream(new Blob([tgz])))).toEqual(expected);
  });

  test('a truncated archive names the entry and where it ended', async () => {
    const tar = writeTar(ENTRIES);
    const error = await walk(stream(tar.slice(0, 512 + 300))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveFormatError);
    expect((error as Error).message).toBe(
      'expected 700 bytes of tar entry cars/devkit/cars_meta.mat, the ' +
        'archive ended after 300 (truncated)',
    );
  });

  test('a damaged header fails its checksum', async () => {
    const tar = writeTar(ENTRIES);
    tar[5] = 0x41;
    await expect(walk(stream(tar))).rejects.toThrow(
      /expected a tar header at byte 0 with checksum \d+, got \d+/,
    );
  });

  test('a damaged gzip stream is an archive error', async () => {
    const tgz = await writeTgz(ENTRIES);
    tgz.fill(0x55, 30, 60);
    const error = await walk(gunzipStream(new Blob([tgz]))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveFormatError);
    expect((error as Error).message).toMatch(/reading the archive failed/);
  });
});
