import { describe, expect, test } from 'vitest';
import {
  MatFormatError,
  readMat,
  type MatValue,
} from '../../../src/data/formats/mat5';
import {
  writeMat,
  type MiType,
  type WriteValue,
} from '../../../tools/fixtures/mat5-writer';

const LAYOUTS = [
  { littleEndian: true, compress: false, small: true },
  { littleEndian: true, compress: true, small: true },
  { littleEndian: false, compress: false, small: true },
  { littleEndian: false, compress: true, small: false },
  { littleEndian: true, compress: false, small: false },
];

function layoutName(layout: (typeof LAYOUTS)[number]): string {
  return [
    layout.littleEndian ? 'little-endian' : 'big-endian',
    layout.compress ? 'compressed' : 'plain',
    layout.small ? 'small elements' : 'full elements',
  ].join(', ');
}

async function readOne(value: WriteValue, layout = LAYOUTS[0]) {
  const variables = await readMat(writeMat([['v', value]], layout));
  return variables.get('v')!;
}

async function expectMatError(bytes: Uint8Array, message: RegExp) {
  const error = await readMat(bytes).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MatFormatError);
  expect((error as Error).message).toMatch(message);
}

const CLASSES: [MiType, number[]][] = [
  ['double', [1.5, -2.25, 1e300, 0, -0, 7]],
  ['single', [1.5, -2.25, 2 ** 100, 0, 0.5, 7]],
  ['int8', [-128, 127, 0, -1, 5, 6]],
  ['uint8', [0, 255, 1, 2, 3, 4]],
  ['int16', [-32768, 32767, 0, -1, 5, 6]],
  ['uint16', [0, 65535, 1, 2, 3, 4]],
  ['int32', [-(2 ** 31), 2 ** 31 - 1, 0, -1, 5, 6]],
  ['uint32', [0, 2 ** 32 - 1, 1, 2, 3, 4]],
  ['int64', [-(2 ** 53) + 1, 2 ** 53 - 1, 0, -1, 5, 6]],
  ['uint64', [0, 2 ** 53 - 1, 1, 2, 3, 4]],
];

describe.each(LAYOUTS.map((l) => [layoutName(l), l] as const))(
  'readMat, %s',
  (_name, layout) => {
    test.each(CLASSES)('a 2x3 %s array', async (cls, data) => {
      const value = await readOne(
        { kind: 'numeric', class: cls, dims: [2, 3], data },
        layout,
      );
      expect(value).toEqual({
        kind: 'numeric',
        class: cls,
        dims: [2, 3],
        data: Float64Array.from(data),
        isLogical: false,
      });
    });

    test('text, cells and structs', async () => {
      const value = await readOne(
        {
          kind: 'struct',
          dims: [1, 2],
          fieldNames: ['name', 'tags', 'n'],
          elements: [
            {
              name: { kind: 'char', rows: ['Škoda Octavia'], encoding: 'utf8' },
              tags: {
                kind: 'cell',
                dims: [1, 2],
                values: [
                  { kind: 'char', rows: ['a/b'] },
                  { kind: 'char', rows: ['Ωmega'], encoding: 'utf16' },
                ],
              },
              n: { kind: 'numeric', class: 'uint8', dims: [1, 1], data: [9] },
            },
            { name: { kind: 'char', rows: [''] } },
          ],
        },
        layout,
      );
      if (value.kind !== 'struct') throw new Error(`got ${value.kind}`);
      expect(value.dims).toEqual([1, 2]);
      expect(value.fieldNames).toEqual(['name', 'tags', 'n']);
      const [first, second] = value.elements;
      expect(first!.get('name')).toEqual({
        kind: 'char',
        dims: [1, 13],
        strings: ['Škoda Octavia'],
      });
      const tags = first!.get('tags') as Extract<MatValue, { kind: 'cell' }>;
      expect(tags.values.map((v) => v.kind === 'char' && v.strings)).toEqual([
        ['a/b'],
        ['Ωmega'],
      ]);
      expect(first!.get('n')).toMatchObject({
        class: 'uint8',
        data: Float64Array.of(9),
      });
      expect(second!.get('name')).toEqual({
        kind: 'char',
        dims: [1, 0],
        strings: [''],
      });
      // An unset field is an empty miMATRIX element: an empty double array.
      expect(second!.get('n')).toEqual({
        kind: 'numeric',
        class: 'double',
        dims: [0, 0],
        data: new Float64Array(0),
        isLogical: false,
      });
    });
  },
);

describe('readMat', () => {
  test('reads several variables in file order', async () => {
    const bytes = writeMat(
      [
        ['b', { kind: 'numeric', class: 'double', dims: [1, 1], data: [2] }],
        ['a', { kind: 'char', rows: ['x'] }],
      ],
      { compress: true },
    );
    expect([...(await readMat(bytes)).keys()]).toEqual(['b', 'a']);
  });

  test('a char matrix is read row by row from column-major data', async () => {
    const value = await readOne({ kind: 'char', rows: ['abc', 'def'] });
    expect(value).toEqual({
      kind: 'char',
      dims: [2, 3],
      strings: ['abc', 'def'],
    });
  });

  test('numbers stored in a narrower type come back as their class', async () => {
    // The devkit stores doubles as uint8/uint16 to save space.
    const value = await readOne({
      kind: 'numeric',
      class: 'double',
      storeAs: 'uint16',
      dims: [1, 2],
      data: [569, 7],
    });
    expect(value).toMatchObject({
      class: 'double',
      data: Float64Array.of(569, 7),
    });
  });

  test('logical and complex arrays keep their flags and imaginary parts', async () => {
    const logical = await readOne({
      kind: 'numeric',
      class: 'uint8',
      dims: [1, 3],
      data: [1, 0, 1],
      isLogical: true,
    });
    expect(logical).toMatchObject({ isLogical: true });
    const complex = await readOne({
      kind: 'numeric',
      class: 'double',
      dims: [1, 2],
      data: [1, 2],
      imag: [-3, 4],
    });
    expect(complex).toMatchObject({
      data: Float64Array.of(1, 2),
      imag: Float64Array.of(-3, 4),
    });
  });

  test('nested cells keep their dims and order', async () => {
    const value = await readOne({
      kind: 'cell',
      dims: [2, 1],
      values: [
        {
          kind: 'cell',
          dims: [1, 1],
          values: [{ kind: 'char', rows: ['in'] }],
        },
        { kind: 'numeric', class: 'int16', dims: [1, 1], data: [-4] },
      ],
    });
    expect(value).toMatchObject({
      kind: 'cell',
      dims: [2, 1],
      values: [
        { kind: 'cell', values: [{ strings: ['in'] }] },
        { data: Float64Array.of(-4) },
      ],
    });
  });

  test.each(['sparse', 'object'] as const)(
    'a %s array is refused by class and variable name',
    async (kind) => {
      const bytes = writeMat([['thing', { kind }]]);
      await expectMatError(bytes, new RegExp(`'thing'.*${kind} array`));
    },
  );

  test('a file shorter than the header says how long it was', async () => {
    await expectMatError(
      new Uint8Array(20),
      /header of 128 bytes, found a file of 20/,
    );
  });

  test('a file without the MATLAB 5 marker is refused', async () => {
    const bytes = writeMat([]);
    bytes[126] = 0x41;
    await expectMatError(bytes, /expected a MATLAB 5 MAT-file.*found "AM"/);
  });

  test('a v7.3 (HDF5) file is named as such', async () => {
    const bytes = writeMat([]);
    bytes.set(new TextEncoder().encode('MATLAB 7.3 MAT-file'));
    await expectMatError(bytes, /found a v7.3 \(HDF5\) MAT-file/);
  });

  test('a truncated variable gives the byte offset', async () => {
    const value: WriteValue = { kind: 'char', rows: ['truncated'] };
    const bytes = writeMat([['v', value]]);
    await expectMatError(
      bytes.subarray(0, bytes.length - 12),
      /expected \d+ bytes of data after the element tag at byte 128, found \d+/,
    );
  });

  test('a truncated compressed variable is refused with its offset', async () => {
    const value: WriteValue = { kind: 'char', rows: ['x'.repeat(200)] };
    const bytes = writeMat([['v', value]], { compress: true });
    // Shorten the data and the size in its tag, so the tag is honest and
    // the zlib stream is cut.
    const cut = bytes.slice(0, bytes.length - 10);
    const view = new DataView(cut.buffer);
    view.setUint32(132, view.getUint32(132, true) - 10, true);
    await expectMatError(
      cut,
      /zlib-compressed data in the element at byte 128/,
    );
  });

  test('a wrong element inside an inflated variable names where', async () => {
    const value: WriteValue = { kind: 'char', rows: ['abc'] };
    const plain = writeMat([['v', value]]);
    // Claim 4 characters where 3 are stored.
    const dims = plain.indexOf(3, 128 + 8 + 16 + 8);
    plain[dims] = 4;
    await expectMatError(
      plain,
      /expected 4 characters in 'v' at byte \d+, found 3/,
    );
  });

  test('int64 values beyond 2^53 are refused rather than rounded', async () => {
    const value: WriteValue = {
      kind: 'numeric',
      class: 'int64',
      dims: [1, 1],
      data: [2 ** 60],
    };
    await expectMatError(writeMat([['big', value]]), /within 2\^53 in 'big'/);
  });
});
