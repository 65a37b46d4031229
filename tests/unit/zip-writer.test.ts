// The zip writer (src/export/zip.ts): read back by the lab's own reader,
// by Python's zipfile (Debian's /usr/bin/python3, as a user's tools
// would), and byte by byte where the format fixes the bytes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openZip } from '../../src/data/formats/zip';
import { dosDateTime, zipBytes, zipParts } from '../../src/export/zip';

const text = (s: string) => new TextEncoder().encode(s);
const FILES = [
  { name: 'model-card.json', bytes: text('{"classes": ["T-shirt/top"]}\n') },
  {
    name: 'weights/weights.bin',
    bytes: Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256),
  },
  { name: 'Škoda/é.txt', bytes: new Uint8Array(0) },
];
const WHEN = new Date(Date.UTC(2026, 11, 4, 13, 5, 42));

const dir = mkdtempSync(join(tmpdir(), 'lab-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the lab reader gets back every name and byte', async () => {
  const { entries } = await openZip(new Blob([zipBytes(FILES, WHEN)]));
  const got = await Promise.all(
    entries.map(async (e) => ({ name: e.path, bytes: [...(await e.bytes())] })),
  );
  expect(got).toEqual(
    FILES.map((f) => ({ name: f.name, bytes: [...f.bytes] })),
  );
});

test("Python's zipfile reads it: names, sizes, CRCs, dates, contents", () => {
  const path = join(dir, 'files.zip');
  writeFileSync(path, zipBytes(FILES, WHEN));
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'print(json.dumps({"bad": bad, "entries": [{"name": i.filename,',
    ' "size": i.file_size, "method": i.compress_type, "crc": i.CRC,',
    ' "utf8": bool(i.flag_bits & 0x800), "date": list(i.date_time),',
    ' "bytes": list(z.read(i))} for i in z.infolist()]}))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, path], {
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  const read = JSON.parse(run.stdout) as {
    bad: string | null;
    entries: Record<string, unknown>[];
  };
  expect(read.bad).toBeNull();
  expect(read.entries).toEqual(
    FILES.map((f) => ({
      name: f.name,
      size: f.bytes.length,
      method: 0,
      crc: expect.any(Number) as number,
      utf8: true,
      // DOS times count seconds in steps of two.
      date: [2026, 12, 4, 13, 5, 42],
      bytes: [...f.bytes],
    })),
  );
  // CRC-32 of "123456789" is the standard check value 0xcbf43926.
  const check = zipBytes([{ name: 'c', bytes: text('123456789') }]);
  expect(new DataView(check.buffer).getUint32(14, true)).toBe(0xcbf43926);
});

test('headers: signatures, offsets and the end record add up', () => {
  const bytes = zipBytes(FILES, WHEN);
  const v = new DataView(bytes.buffer);
  expect(v.getUint32(0, true)).toBe(0x04034b50);
  const end = bytes.length - 22;
  expect(v.getUint32(end, true)).toBe(0x06054b50);
  expect(v.getUint16(end + 10, true)).toBe(FILES.length);
  const centralStart = v.getUint32(end + 16, true);
  expect(centralStart + v.getUint32(end + 12, true)).toBe(end);
  let at = centralStart;
  for (const file of FILES) {
    expect(v.getUint32(at, true)).toBe(0x02014b50);
    const nameLength = v.getUint16(at + 28, true);
    const name = new TextDecoder().decode(
      bytes.subarray(at + 46, at + 46 + nameLength),
    );
    expect(name).toBe(file.name);
    const local = v.getUint32(at + 42, true);
    expect(v.getUint32(local, true)).toBe(0x04034b50);
    expect(v.getUint32(local + 18, true)).toBe(file.bytes.length);
    at += 46 + nameLength;
  }
  // The parts hand the caller's arrays through, uncopied.
  expect(zipParts(FILES)[1]).toBe(FILES[0]!.bytes);
});

test('DOS dates clamp to 1980-2107 and halve the seconds', () => {
  expect(dosDateTime(new Date(Date.UTC(1980, 0, 1, 0, 0, 1)))).toEqual({
    date: (1 << 5) | 1,
    time: 0,
  });
  expect(dosDateTime(new Date(Date.UTC(1970, 0, 1))).date >> 9).toBe(0);
});

test('names that are not relative paths are refused, saying so', () => {
  for (const name of ['', '/etc/passwd', 'a\\b']) {
    expect(() => zipBytes([{ name, bytes: new Uint8Array(1) }])).toThrow(
      `zip entry name: expected a relative path with '/' separators, got ${JSON.stringify(name)}`,
    );
  }
});
