// The data elements of a MATLAB 5 MAT-file: tags (normal and small),
// numbers of every data type, and text. Offsets in messages come from the
// Source, which knows whether it is the file or an inflated element.
import { MatFormatError } from './errors';

export const MI = {
  int8: 1,
  uint8: 2,
  int16: 3,
  uint16: 4,
  int32: 5,
  uint32: 6,
  single: 7,
  double: 9,
  int64: 12,
  uint64: 13,
  matrix: 14,
  compressed: 15,
  utf8: 16,
  utf16: 17,
  utf32: 18,
} as const;

const MI_SIZES: Record<number, number> = {
  [MI.int8]: 1,
  [MI.uint8]: 1,
  [MI.int16]: 2,
  [MI.uint16]: 2,
  [MI.int32]: 4,
  [MI.uint32]: 4,
  [MI.single]: 4,
  [MI.double]: 8,
  [MI.int64]: 8,
  [MI.uint64]: 8,
  [MI.utf8]: 1,
  [MI.utf16]: 2,
  [MI.utf32]: 4,
};

// Array classes (Table 1-3); index = class number.
/** A buffer being parsed, with how to name its offsets in messages. */
export interface Source {
  bytes: Uint8Array;
  view: DataView;
  littleEndian: boolean;
  /** Describes a byte offset of this buffer for an error message. */
  where(offset: number): string;
}

export interface Element {
  type: number;
  data: Uint8Array;
  /** Offset of the data within the source. */
  start: number;
  /** Offset just past the element and its padding. */
  next: number;
}

export function source(
  bytes: Uint8Array,
  littleEndian: boolean,
  where: (offset: number) => string,
): Source {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return { bytes, view, littleEndian, where };
}

export function fail(message: string): never {
  throw new MatFormatError(message);
}

/** Reads the data element at `pos`; `padded` rounds `next` up to 8. */
export function readElement(
  src: Source,
  pos: number,
  padded: boolean,
): Element {
  const { bytes, view, littleEndian } = src;
  if (pos + 8 > bytes.length) {
    fail(
      `expected an 8-byte element tag at ${src.where(pos)}, found ` +
        `${bytes.length - pos} bytes before the end`,
    );
  }
  const first = view.getUint32(pos, littleEndian);
  if (first >>> 16 !== 0) {
    // A small data element: type and size share the first word, and up
    // to 4 bytes of data follow in the second.
    const size = first >>> 16;
    if (size > 4) {
      fail(
        `expected a small data element of at most 4 bytes at ` +
          `${src.where(pos)}, found a size of ${size}`,
      );
    }
    const data = bytes.subarray(pos + 4, pos + 4 + size);
    return { type: first & 0xffff, data, start: pos + 4, next: pos + 8 };
  }
  const size = view.getUint32(pos + 4, littleEndian);
  const end = pos + 8 + size;
  if (end > bytes.length) {
    fail(
      `expected ${size} bytes of data after the element tag at ` +
        `${src.where(pos)}, found ${bytes.length - pos - 8}`,
    );
  }
  const next = padded ? Math.min(pos + 8 + pad8(size), bytes.length) : end;
  return {
    type: first,
    data: bytes.subarray(pos + 8, end),
    start: pos + 8,
    next,
  };
}

function pad8(size: number): number {
  return Math.ceil(size / 8) * 8;
}

export function decodeText(
  src: Source,
  element: Element,
  path: string,
): string {
  const { type, data } = element;
  switch (type) {
    case MI.utf8:
      return new TextDecoder('utf-8').decode(data);
    case MI.utf16:
    case MI.uint16:
      return decodeUtf16(data, src.littleEndian);
    case MI.uint8:
    case MI.int8:
      return new TextDecoder('latin1').decode(data);
    case MI.utf32: {
      const codes = readNumbers(src, element, -1, path);
      let text = '';
      for (const code of codes) {
        if (code > 0x10ffff) {
          fail(
            `expected UTF-32 code points in '${path}' at ` +
              `${src.where(element.start)}, found ${code}`,
          );
        }
        text += String.fromCodePoint(code);
      }
      return text;
    }
    default:
      fail(
        `expected character data (UTF-8, UTF-16, UTF-32, uint16 or ` +
          `uint8) in '${path}' at ${src.where(element.start)}, found ` +
          `data type ${type}`,
      );
  }
}

function decodeUtf16(data: Uint8Array, le: boolean): string {
  // TextDecoder would replace lone surrogates; MATLAB allows any uint16.
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  let text = '';
  for (let pos = 0; pos + 1 < data.length; pos += 2) {
    text += String.fromCharCode(view.getUint16(pos, le));
  }
  return text;
}

export function decodeAscii(data: Uint8Array): string {
  const zero = data.indexOf(0);
  const end = zero < 0 ? data.length : zero;
  return new TextDecoder('latin1').decode(data.subarray(0, end));
}

export function readInts(
  src: Source,
  element: Element,
  what: string,
): number[] {
  if (element.type !== MI.int32 && element.type !== MI.uint32) {
    fail(
      `expected the ${what} as 32-bit integers at ` +
        `${src.where(element.start)}, found data type ${element.type}`,
    );
  }
  return Array.from(readNumbers(src, element, -1, what));
}

/** Reads `count` numbers (-1: as many as there are) of any data type. */
export function readNumbers(
  src: Source,
  element: Element,
  count: number,
  path: string,
): Float64Array {
  const { type, data, start } = element;
  const size = MI_SIZES[type];
  if (size === undefined || type === MI.utf8 || type === MI.utf16) {
    fail(
      `expected numeric data in '${path}' at ${src.where(start)}, ` +
        `found data type ${type}`,
    );
  }
  const available = Math.floor(data.length / size);
  const n = count < 0 ? available : count;
  if (data.length % size !== 0 || available !== n) {
    fail(
      `expected ${n} values of ${size} bytes in '${path}' at ` +
        `${src.where(start)}, found ${data.length} bytes`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const get = getter(view, type, src.littleEndian);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = get(i * size);
    if (typeof value === 'bigint') {
      if (value > MAX_SAFE || value < -MAX_SAFE) {
        fail(
          `expected 64-bit integers within 2^53 in '${path}' at ` +
            `${src.where(start)}, found ${value}`,
        );
      }
      out[i] = Number(value);
    } else {
      out[i] = value;
    }
  }
  return out;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function getter(
  view: DataView,
  type: number,
  le: boolean,
): (pos: number) => number | bigint {
  switch (type) {
    case MI.int8:
      return (p: number) => view.getInt8(p);
    case MI.uint8:
    case MI.utf8:
      return (p: number) => view.getUint8(p);
    case MI.int16:
      return (p: number) => view.getInt16(p, le);
    case MI.uint16:
    case MI.utf16:
      return (p: number) => view.getUint16(p, le);
    case MI.int32:
      return (p: number) => view.getInt32(p, le);
    case MI.uint32:
    case MI.utf32:
      return (p: number) => view.getUint32(p, le);
    case MI.single:
      return (p: number) => view.getFloat32(p, le);
    case MI.int64:
      return (p: number) => view.getBigInt64(p, le);
    case MI.uint64:
      return (p: number) => view.getBigUint64(p, le);
    default:
      return (p: number) => view.getFloat64(p, le);
  }
}
