// The safetensors format (huggingface/safetensors, docs "Format"): an
// unsigned 64-bit little-endian header length N, N bytes of JSON, then the
// tensors' bytes. The JSON maps each tensor's name to its dtype, shape and
// [begin, end) byte offsets into the data that follows the header, plus an
// optional `__metadata__` object of strings. Values are little-endian.
// Pure: no tfjs, no DOM, so Node tests read and write with it.

/** Element sizes of the dtypes the format defines. */
const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export type SafetensorsErrorCode =
  | 'truncated'
  | 'bad-header'
  | 'bad-offsets'
  | 'unknown-dtype'
  | 'unsupported-dtype';

/** A file that is not valid safetensors, or a dtype that cannot be read. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's bytes, a view into the file. */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** In the order the header lists them. */
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** A float32 tensor to write, with its shape. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const METADATA_KEY = '__metadata__';

function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses a safetensors file held in memory; tensors stay views into it. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) {
    throw new SafetensorsError(
      'truncated',
      `expected at least 8 bytes (the header length), got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(
      'truncated',
      `the header length says ${headerLength} bytes, but only ` +
        `${bytes.length - 8} follow it`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  const header = parseHeader(bytes.subarray(8, dataStart));
  const data = bytes.subarray(dataStart);
  const tensors = new Map<string, StoredTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = readMetadata(entry);
    else tensors.set(name, readEntry(name, entry, data));
  }
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw new SafetensorsError(
      'bad-header',
      `expected the header to be UTF-8 JSON, got ${raw.length} bytes that ` +
        `are not (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError(
      'bad-header',
      `expected the header to be a JSON object, got ${JSON.stringify(header)}`,
    );
  }
  return header as Record<string, unknown>;
}

function readMetadata(entry: unknown): Record<string, string> {
  const ok =
    typeof entry === 'object' &&
    entry !== null &&
    !Array.isArray(entry) &&
    Object.values(entry).every((v) => typeof v === 'string');
  if (!ok) {
    throw new SafetensorsError(
      'bad-header',
      `expected ${METADATA_KEY} to map names to strings, got ` +
        JSON.stringify(entry),
    );
  }
  return { ...(entry as Record<string, string>) };
}

function readEntry(
  name: string,
  entry: unknown,
  data: Uint8Array,
): StoredTensor {
  const e = (entry ?? {}) as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = e;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw new SafetensorsError(
      'unknown-dtype',
      `${name}: expected a dtype among ${Object.keys(DTYPE_BYTES).join(', ')}` +
        `, got ${JSON.stringify(dtype)}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new SafetensorsError(
      'bad-header',
      `${name}: expected a shape of non-negative integers, got ` +
        JSON.stringify(shape),
    );
  }
  const pair = Array.isArray(offsets) ? offsets : [];
  const [begin, end] = pair as unknown[];
  if (pair.length !== 2 || !isCount(begin) || !isCount(end) || end < begin) {
    throw new SafetensorsError(
      'bad-offsets',
      `${name}: expected data_offsets [begin, end] with begin <= end, got ` +
        JSON.stringify(offsets),
    );
  }
  if (end > data.length) {
    throw new SafetensorsError(
      'bad-offsets',
      `${name}: data_offsets [${begin}, ${end}] run past the ` +
        `${data.length} data bytes after the header (truncated file?)`,
    );
  }
  const size = DTYPE_BYTES[dtype as SafetensorsDtype];
  const wanted = elementCount(shape) * size;
  if (end - begin !== wanted) {
    throw new SafetensorsError(
      'bad-offsets',
      `${name}: a ${dtype} tensor of shape [${shape.join(',')}] takes ` +
        `${wanted} bytes, its data_offsets [${begin}, ${end}] hold ` +
        `${end - begin}`,
    );
  }
  return {
    dtype: dtype as SafetensorsDtype,
    shape: shape as number[],
    bytes: data.subarray(begin, end),
  };
}

/** IEEE half precision to single, subnormals and infinities included. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A floating-point tensor's values as float32; other dtypes are refused. */
export function toFloat32(name: string, tensor: StoredTensor): Float32Array {
  const { dtype, bytes } = tensor;
  const n = elementCount(tensor.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float32Array(n);
  if (dtype === 'F32') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (dtype === 'F64') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  } else if (dtype === 'F16') {
    for (let i = 0; i < n; i++)
      out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else if (dtype === 'BF16') {
    // bfloat16 is the upper half of a float32's bits.
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    for (let i = 0; i < n; i++) {
      bits[0] = view.getUint16(2 * i, true) << 16;
      out[i] = asFloat[0]!;
    }
  } else {
    throw new SafetensorsError(
      'unsupported-dtype',
      `${name}: expected a F32, F16, BF16 or F64 tensor, got ${dtype}`,
    );
  }
  return out;
}

/**
 * Writes float32 tensors and string metadata as a safetensors file. The
 * header is padded with spaces to a multiple of 8 bytes, as the reference
 * writer does, so the data that follows starts aligned.
 */
export function writeSafetensors(
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): Uint8Array<ArrayBuffer> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const { name, shape, data } of tensors) {
    if (name === METADATA_KEY || name in header) {
      throw new Error(`cannot write two tensors named "${name}"`);
    }
    if (elementCount(shape) !== data.length) {
      throw new Error(
        `${name}: shape [${shape.join(',')}] holds ${elementCount(shape)} ` +
          `values, got ${data.length}`,
      );
    }
    const end = offset + 4 * data.length;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const text = JSON.stringify(header) + ' '.repeat(padded - json.length);
    json = new TextEncoder().encode(text);
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { data } of tensors) {
    for (let i = 0; i < data.length; i++, at += 4) {
      view.setFloat32(at, data[i]!, true);
    }
  }
  return out;
}
