// The protobuf writer against encodings worked out by hand from the wire
// format (protobuf.dev/programming-guides/encoding), and round trips
// through the tests' own reader.
import { expect, test } from 'vitest';
import { ProtoWriter } from '../../src/export/protobuf';
import { Message } from './proto-decode';

const hex = (b: Uint8Array) =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

test('a varint field: tag (field << 3 | 0) then 7-bit groups, low first', () => {
  // 150 = 0b1_0010110: groups 0010110 (with the continuation bit, 0x96)
  // then 1.
  expect(hex(new ProtoWriter().uint64(1, 150).finish())).toBe('08 96 01');
  expect(hex(new ProtoWriter().uint64(1, 0).finish())).toBe('08 00');
  expect(hex(new ProtoWriter().uint64(2, 127).finish())).toBe('10 7f');
  expect(hex(new ProtoWriter().uint64(2, 128).finish())).toBe('10 80 01');
});

test('field numbers from 16 take a two-byte tag', () => {
  // Tag 16 << 3 = 128: 0x80 0x01. AttributeProto.type is field 20: 160.
  expect(hex(new ProtoWriter().uint64(16, 1).finish())).toBe('80 01 01');
  expect(hex(new ProtoWriter().uint64(20, 7).finish())).toBe('a0 01 07');
});

test('negative int64 is ten bytes of two’s complement', () => {
  const minusOne = new ProtoWriter().int64(1, -1).finish();
  expect(hex(minusOne)).toBe('08 ff ff ff ff ff ff ff ff ff 01');
  const minusTwo = new ProtoWriter().int64(1, -2).finish();
  expect(hex(minusTwo)).toBe('08 fe ff ff ff ff ff ff ff ff 01');
});

test('the largest uint64 and int64 need bigints and encode in full', () => {
  const max = new ProtoWriter().uint64(1, (1n << 64n) - 1n).finish();
  expect(hex(max)).toBe('08 ff ff ff ff ff ff ff ff ff 01');
  const big = new ProtoWriter().int64(1, (1n << 63n) - 1n).finish();
  expect(hex(big)).toBe('08 ff ff ff ff ff ff ff ff 7f');
});

test('a string: tag with wire type 2, byte length, UTF-8 bytes', () => {
  const b = new ProtoWriter().string(2, 'testing').finish();
  expect(hex(b)).toBe('12 07 74 65 73 74 69 6e 67');
  // "é" is two bytes in UTF-8: the length counts bytes, not characters.
  expect(hex(new ProtoWriter().string(1, 'é').finish())).toBe('0a 02 c3 a9');
});

test('a float: wire type 5, four little-endian bytes', () => {
  expect(hex(new ProtoWriter().float(1, 1).finish())).toBe('0d 00 00 80 3f');
  // -2.5 = sign 1, exponent 128, mantissa 0.25: 0xc0200000.
  expect(hex(new ProtoWriter().float(2, -2.5).finish())).toBe('15 00 00 20 c0');
});

test('packed repeated int64: one length-delimited run of varints', () => {
  const b = new ProtoWriter().packedInt64(4, [3, 270, 86942]).finish();
  // 270 = 0b10_0001110 -> 8e 02; 86942 -> 9e a7 05; 6 bytes in all.
  expect(hex(b)).toBe('22 06 03 8e 02 9e a7 05');
  expect(new ProtoWriter().packedInt64(4, []).finish().length).toBe(0);
});

test('packed repeated float: one run of little-endian floats', () => {
  const b = new ProtoWriter().packedFloat(4, [1, -2.5]).finish();
  expect(hex(b)).toBe('22 08 00 00 80 3f 00 00 20 c0');
  expect(new ProtoWriter().packedFloat(4, []).finish().length).toBe(0);
});

test('an embedded message is length-delimited and nests', () => {
  const inner = new ProtoWriter().uint64(1, 150);
  expect(hex(new ProtoWriter().message(3, inner).finish())).toBe(
    '1a 03 08 96 01',
  );
  const middle = new ProtoWriter().string(1, 'ab').message(2, inner);
  const outer = new ProtoWriter().message(5, middle).uint64(6, 1);
  expect(hex(outer.finish())).toBe('2a 09 0a 02 61 62 12 03 08 96 01 30 01');
  expect(outer.byteLength).toBe(13);
});

test('a message of many kinds of field reads back as written', () => {
  const big = new Uint8Array(1000).map((_, i) => i % 251);
  const child = new ProtoWriter().int64(1, -7).string(2, 'x');
  const bytes = new ProtoWriter()
    .uint64(1, 2 ** 40)
    .string(2, 'recipe')
    .bytes(3, big)
    .packedInt64(4, [-1, 0, 2 ** 53 - 1])
    .message(5, child)
    .message(5, child)
    .float(300, 0.5)
    .finish();
  const m = new Message(bytes);
  expect(m.int(1)).toBe(2n ** 40n);
  expect(m.string(2)).toBe('recipe');
  expect(m.bytes(3)).toEqual(big);
  expect(m.packedInts(4)).toEqual([-1n, 0n, 2n ** 53n - 1n]);
  expect(m.messages(5).map((c) => [c.int(1), c.string(2)])).toEqual([
    [-7n, 'x'],
    [-7n, 'x'],
  ]);
  expect(m.float(300)).toBe(0.5);
});

test('values the wire cannot carry are refused with what came', () => {
  const w = new ProtoWriter();
  expect(() => w.uint64(1, -1)).toThrow(
    'field 1: expected an unsigned 64-bit integer, got -1',
  );
  expect(() => w.int64(2, 1.5)).toThrow(
    'field 2: expected an integer, got 1.5',
  );
  expect(() => w.int64(2, 1n << 63n)).toThrow(
    'expected a signed 64-bit integer',
  );
  expect(() => w.uint64(0, 1)).toThrow(
    'expected a field number in 1..536870911, got 0',
  );
});
