// A small MATLAB 5 MAT-file writer for tests: numeric, char, cell and
// struct arrays, little- or big-endian, each variable compressed or not,
// with small data elements where the data fits in 4 bytes (as MATLAB
// writes them) or always in full. It also writes arrays of classes the
// reader refuses (sparse, object), so tests can check the refusal.
import { deflateSync } from 'node:zlib';

export type MiType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'single'
  | 'double'
  | 'int64'
  | 'uint64';

export type WriteValue =
  | {
      kind: 'numeric';
      class: MiType;
      dims: number[];
      /** Column-major. */
      data: number[];
      /** The data type the numbers are stored as; the class's own if unset. */
      storeAs?: MiType;
      imag?: number[];
      isLogical?: boolean;
    }
  | {
      kind: 'char';
      /** One string per row, all of one length. */
      rows: string[];
      encoding?: 'utf8' | 'utf16' | 'uint16';
    }
  | { kind: 'cell'; dims: number[]; values: WriteValue[] }
  | {
      kind: 'struct';
      dims: number[];
      fieldNames: string[];
      elements: Record<string, WriteValue>[];
    }
  /** An empty miMATRIX element, as MATLAB writes an unset field. */
  | { kind: 'empty' }
  | { kind: 'sparse' | 'object' };

export interface WriteOptions {
  littleEndian?: boolean;
  compress?: boolean;
  /** Use small data elements where the data fits in 4 bytes. */
  small?: boolean;
}

const MI: Record<MiType | 'matrix' | 'compressed' | 'utf8' | 'utf16', number> =
  {
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
  };

const MX: Record<string, number> = {
  cell: 1,
  struct: 2,
  object: 3,
  char: 4,
  sparse: 5,
  double: 6,
  single: 7,
  int8: 8,
  uint8: 9,
  int16: 10,
  uint16: 11,
  int32: 12,
  uint32: 13,
  int64: 14,
  uint64: 15,
};

const SIZES: Record<MiType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  single: 4,
  double: 8,
  int64: 8,
  uint64: 8,
};

class Writer {
  constructor(private readonly options: Required<WriteOptions>) {}

  numbers(type: MiType, values: number[]): Uint8Array {
    const size = SIZES[type];
    const out = new Uint8Array(values.length * size);
    const view = new DataView(out.buffer);
    const le = this.options.littleEndian;
    values.forEach((v, i) => {
      const p = i * size;
      if (type === 'int8') view.setInt8(p, v);
      else if (type === 'uint8') view.setUint8(p, v);
      else if (type === 'int16') view.setInt16(p, v, le);
      else if (type === 'uint16') view.setUint16(p, v, le);
      else if (type === 'int32') view.setInt32(p, v, le);
      else if (type === 'uint32') view.setUint32(p, v, le);
      else if (type === 'single') view.setFloat32(p, v, le);
      else if (type === 'int64') view.setBigInt64(p, BigInt(v), le);
      else if (type === 'uint64') view.setBigUint64(p, BigInt(v), le);
      else view.setFloat64(p, v, le);
    });
    return out;
  }

  /** One data element with its tag, padded to 8 bytes. */
  element(type: number, data: Uint8Array): Uint8Array {
    const le = this.options.littleEndian;
    const small = this.options.small && data.length <= 4 && type !== MI.matrix;
    const out = new Uint8Array(small ? 8 : 8 + Math.ceil(data.length / 8) * 8);
    const view = new DataView(out.buffer);
    if (small) {
      view.setUint32(0, (data.length << 16) | type, le);
      out.set(data, 4);
    } else {
      view.setUint32(0, type, le);
      view.setUint32(4, data.length, le);
      out.set(data, 8);
    }
    return out;
  }

  matrix(value: WriteValue, name: string): Uint8Array {
    if (value.kind === 'empty')
      return this.element(MI.matrix, new Uint8Array());
    const parts = this.parts(value);
    const mxClass =
      value.kind === 'numeric' ? MX[value.class]! : MX[value.kind]!;
    const flags =
      mxClass |
      (value.kind === 'numeric' && value.imag ? 0x800 : 0) |
      (value.kind === 'numeric' && value.isLogical ? 0x200 : 0);
    const head = [
      this.element(MI.uint32, this.numbers('uint32', [flags, 0])),
      this.element(MI.int32, this.numbers('int32', dimsOf(value))),
      this.element(MI.int8, new TextEncoder().encode(name)),
    ];
    return this.element(MI.matrix, concat([...head, ...parts]));
  }

  parts(value: Exclude<WriteValue, { kind: 'empty' }>): Uint8Array[] {
    switch (value.kind) {
      case 'numeric': {
        const type = value.storeAs ?? value.class;
        const real = this.element(MI[type], this.numbers(type, value.data));
        if (!value.imag) return [real];
        const imag = this.numbers(type, value.imag);
        return [real, this.element(MI[type], imag)];
      }
      case 'char':
        return [this.chars(value.rows, value.encoding ?? 'uint16')];
      case 'cell':
        return value.values.map((v) => this.matrix(v, ''));
      case 'struct':
        return this.struct(value);
      default:
        // Enough for the reader to see the class and refuse it.
        return [this.element(MI.double, this.numbers('double', [0]))];
    }
  }

  chars(rows: string[], encoding: 'utf8' | 'utf16' | 'uint16') {
    const numCols = rows[0]?.length ?? 0;
    let text = '';
    for (let col = 0; col < numCols; col++) {
      for (const row of rows) text += row[col];
    }
    if (encoding === 'utf8') {
      return this.element(MI.utf8, new TextEncoder().encode(text));
    }
    const units = [...text].flatMap((c) =>
      Array.from({ length: c.length }, (_, i) => c.charCodeAt(i)),
    );
    return this.element(MI[encoding], this.numbers('uint16', units));
  }

  struct(value: Extract<WriteValue, { kind: 'struct' }>): Uint8Array[] {
    const length = Math.max(...value.fieldNames.map((f) => f.length)) + 1;
    const names = new Uint8Array(length * value.fieldNames.length);
    value.fieldNames.forEach((field, i) => {
      names.set(new TextEncoder().encode(field), i * length);
    });
    const fields = value.elements.flatMap((element) =>
      value.fieldNames.map((field) =>
        this.matrix(element[field] ?? { kind: 'empty' }, ''),
      ),
    );
    return [
      this.element(MI.int32, this.numbers('int32', [length])),
      this.element(MI.int8, names),
      ...fields,
    ];
  }
}

function dimsOf(value: WriteValue): number[] {
  if (value.kind === 'char') {
    return [value.rows.length, value.rows[0]?.length ?? 0];
  }
  if ('dims' in value) return value.dims;
  return [1, 1];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** The 128-byte header: text, subsystem offset, version, endian marker. */
function header(littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(128).fill(0x20);
  out.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, written by a test'));
  out.fill(0, 116, 124);
  out.set(
    littleEndian ? [0x00, 0x01, 0x49, 0x4d] : [0x01, 0x00, 0x4d, 0x49],
    124,
  );
  return out;
}

/** A whole MAT-file holding the given variables, in order. */
export function writeMat(
  variables: [string, WriteValue][],
  options: WriteOptions = {},
): Uint8Array {
  const resolved = {
    littleEndian: options.littleEndian ?? true,
    compress: options.compress ?? false,
    small: options.small ?? true,
  };
  const writer = new Writer(resolved);
  const elements = variables.map(([name, value]) => {
    const matrix = writer.matrix(value, name);
    if (!resolved.compress) return matrix;
    // Compressed elements are not padded: the next starts right after.
    const packed = deflateSync(matrix);
    const tag = new Uint8Array(8);
    const view = new DataView(tag.buffer);
    view.setUint32(0, MI.compressed, resolved.littleEndian);
    view.setUint32(4, packed.length, resolved.littleEndian);
    return concat([tag, packed]);
  });
  return concat([header(resolved.littleEndian), ...elements]);
}
