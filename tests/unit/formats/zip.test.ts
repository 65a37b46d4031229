// The zip reader in Node, on archives the test-side writer packs: stored
// and deflated entries, zip64 records, CP437 names, and damaged files.
import { describe, expect, test } from 'vitest';
import { ArchiveFormatError } from '../../../src/data/formats/errors';
import { crc32, openZip } from '../../../src/data/formats/zip';
import {
  deflateEntries,
  writeZip,
  type ArchiveEntry,
} from '../../browser/archive-writers';

const text = (s: string) => new TextEncoder().encode(s);

const ENTRIES: ArchiveEntry[] = [
  { path: 'cars/devkit/cars_meta.mat', bytes: text('meta '.repeat(300)) },
  { path: 'cars/cars_train/00001.jpg', bytes: new Uint8Array([1, 2, 3]) },
  { path: 'cars/Škoda Octavia/é.jpg', bytes: new Uint8Array(0) },
];

async function readAll(blob: Blob) {
  const { entries } = await openZip(blob);
  return Promise.all(
    entries.map(async (e) => ({
      path: e.path,
      size: e.size,
      bytes: [...(await e.bytes())],
    })),
  );
}

const expected = ENTRIES.map((e) => ({
  path: e.path,
  size: e.bytes.length,
  bytes: [...e.bytes],
}));

describe('openZip', () => {
  test('stored entries: paths, sizes and bytes', async () => {
    expect(await readAll(new Blob([writeZip(ENTRIES)]))).toEqual(expected);
  });

  test('deflated entries inflate to their bytes', async () => {
    const zip = writeZip(await deflateEntries(ENTRIES));
    expect(zip.length).toBeLessThan(1500 + 3 + 200);
    expect(await readAll(new Blob([zip]))).toEqual(expected);
  });

  test('zip64 sizes, offsets and end records', async () => {
    const zip = writeZip(await deflateEntries(ENTRIES), { zip64: true });
    expect(await readAll(new Blob([zip]))).toEqual(expected);
  });

  test('a name without the UTF-8 flag is read as CP437', async () => {
    const rawNames = new Map([['x', new Uint8Array([0x82, 0x74, 0x65])]]);
    const zip = writeZip([{ path: 'x', bytes: text('1') }], { rawNames });
    const { entries } = await openZip(new Blob([zip]));
    expect(entries[0]!.path).toBe('éte');
  });

  test('a comment after the end record is passed over', async () => {
    const zip = writeZip(ENTRIES);
    // The comment holds the end record's own signature.
    const comment = new Uint8Array([0x50, 0x4b, 0x05, 0x06, 1, 2, 3]);
    const withComment = new Uint8Array(zip.length + comment.length);
    withComment.set(zip);
    withComment.set(comment, zip.length);
    new DataView(withComment.buffer).setUint16(
      zip.length - 2,
      comment.length,
      true,
    );
    expect(await readAll(new Blob([withComment]))).toEqual(expected);
  });

  test('a file that is not a zip says so', async () => {
    const error = await openZip(new Blob([text('hello'.repeat(10))])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveFormatError);
    expect((error as Error).message).toMatch(
      /expected a zip end-of-central-directory record .* found none/,
    );
  });

  test('a damaged entry fails its CRC check, naming the entry', async () => {
    const zip = writeZip(ENTRIES);
    // The first entry's bytes follow its 30-byte header and its name.
    const at = 30 + ENTRIES[0]!.path.length + 5;
    zip[at] = zip[at]! ^ 0xff;
    const { entries } = await openZip(new Blob([zip]));
    await expect(entries[0]!.bytes()).rejects.toThrow(
      /expected CRC-32 [0-9a-f]+ for zip entry cars\/devkit\/cars_meta\.mat/,
    );
    expect([...(await entries[1]!.bytes())]).toEqual([1, 2, 3]);
  });

  test('a truncated zip names what is missing', async () => {
    const zip = writeZip(ENTRIES);
    const error = await openZip(new Blob([zip.slice(0, zip.length - 30)]))
      .then(() => null)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveFormatError);
  });

  test('crc32 of a known string', () => {
    expect(crc32(text('123456789')).toString(16)).toBe('cbf43926');
  });
});
