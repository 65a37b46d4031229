// The safetensors reader and writer in Node: a round trip, the dtypes of a
// file torch wrote (tests/reference/make_weights_expected.py --dtypes), and
// damaged files, each refused with what was expected and what came.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  readSafetensors,
  SafetensorsError,
  toFloat32,
  writeSafetensors,
} from '../../src/weights/safetensors';
import dtypesJson from '../reference/safetensors-dtypes.json';

const fixture = () =>
  new Uint8Array(
    readFileSync(
      resolve(
        import.meta.dirname,
        '../reference/safetensors-dtypes.safetensors',
      ),
    ),
  );

/** A file from a header object and data bytes, as a writer would lay it. */
function fileOf(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function errorOf(fn: () => unknown): SafetensorsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return e as SafetensorsError;
  }
  throw new Error('expected an error, none came');
}

describe('safetensors', () => {
  test('round-trips float32 tensors, shapes, order and metadata', () => {
    const a = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
    const b = new Float32Array([Math.PI]);
    const bytes = writeSafetensors(
      [
        { name: 'conv1.weight', shape: [2, 3, 2, 2], data: a },
        { name: 'fc.bias', shape: [1], data: b },
      ],
      { format: 'pt', classes: '["a","b"]' },
    );
    const headerLength = Number(
      new DataView(bytes.buffer).getBigUint64(0, true),
    );
    expect(headerLength % 8).toBe(0);
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt', classes: '["a","b"]' });
    expect([...file.tensors.keys()]).toEqual(['conv1.weight', 'fc.bias']);
    const conv = file.tensors.get('conv1.weight')!;
    expect(conv.dtype).toBe('F32');
    expect(conv.shape).toEqual([2, 3, 2, 2]);
    expect([...toFloat32('conv1.weight', conv)]).toEqual([...a]);
    expect(toFloat32('fc.bias', file.tensors.get('fc.bias')!)[0]).toBe(b[0]);
  });

  test('reads F32, F16, BF16 and F64 as torch reads them back', () => {
    const file = readSafetensors(fixture());
    expect(file.metadata.format).toBe('pt');
    for (const [name, wanted] of Object.entries(dtypesJson.asFloat32)) {
      const values = toFloat32(name, file.tensors.get(name)!);
      expect([...values], name).toEqual(wanted);
    }
    expect(file.tensors.get('f16')!.dtype).toBe('F16');
    expect(file.tensors.get('bf16')!.dtype).toBe('BF16');
    expect(file.tensors.get('f64')!.shape).toEqual([1, 11]);
  });

  test('keeps integer tensors but refuses them as floats', () => {
    const steps = readSafetensors(fixture()).tensors.get('steps')!;
    expect(steps).toMatchObject({ dtype: 'I64', shape: [] });
    const e = errorOf(() => toFloat32('steps', steps));
    expect(e.code).toBe('unsupported-dtype');
    expect(e.message).toBe(
      'steps: expected a F32, F16, BF16 or F64 tensor, got I64',
    );
  });

  test('a truncated file says how many bytes it lacks', () => {
    const bytes = fixture();
    expect(errorOf(() => readSafetensors(bytes.subarray(0, 5))).message).toBe(
      'expected at least 8 bytes (the header length), got 5',
    );
    const cut = errorOf(() => readSafetensors(bytes.subarray(0, 100)));
    expect(cut.code).toBe('truncated');
    expect(cut.message).toMatch(/header length says \d+ bytes, but only 92/);
    const short = errorOf(() => readSafetensors(bytes.subarray(0, -3)));
    expect(short.code).toBe('bad-offsets');
    expect(short.message).toMatch(/run past the \d+ data bytes/);
  });

  test('a header that is not a JSON object is refused', () => {
    const notJson = fileOf({}).fill(0x7b, 8);
    expect(errorOf(() => readSafetensors(notJson)).code).toBe('bad-header');
    const list = errorOf(() => readSafetensors(fileOf([1, 2])));
    expect(list.message).toBe(
      'expected the header to be a JSON object, got [1,2]',
    );
    const meta = errorOf(() =>
      readSafetensors(fileOf({ __metadata__: { n: 3 } })),
    );
    expect(meta.message).toBe(
      'expected __metadata__ to map names to strings, got {"n":3}',
    );
  });

  test('bad offsets, shapes and dtypes name the tensor', () => {
    const data = new Uint8Array(16);
    const entry = (e: object) => () => readSafetensors(fileOf({ w: e }, data));
    const unknown = errorOf(
      entry({ dtype: 'F128', shape: [1], data_offsets: [0, 16] }),
    );
    expect(unknown.code).toBe('unknown-dtype');
    expect(unknown.message).toMatch(/^w: expected a dtype among F64, F32, /);
    expect(unknown.message).toMatch(/, got "F128"$/);
    expect(
      errorOf(entry({ dtype: 'F32', shape: [4], data_offsets: [8, 4] })),
    ).toMatchObject({
      code: 'bad-offsets',
      message:
        'w: expected data_offsets [begin, end] with begin <= end, got [8,4]',
    });
    expect(
      errorOf(entry({ dtype: 'F32', shape: [3], data_offsets: [0, 16] }))
        .message,
    ).toBe(
      'w: a F32 tensor of shape [3] takes 12 bytes, its data_offsets ' +
        '[0, 16] hold 16',
    );
    expect(
      errorOf(entry({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] }))
        .message,
    ).toBe('w: expected a shape of non-negative integers, got [-1]');
  });
});
