// Test-side archive writers, run in the page or in Node: a zip (stored or
// deflated entries, zip64 records on request) and a gzipped ustar tar.
// Enough to pack a test dataset the way mirrors ship one; the readers
// under test are src/data/formats.

export interface ArchiveEntry {
  path: string;
  bytes: Uint8Array;
  /** The bytes raw-deflated (see deflateEntries); stored when absent. */
  deflated?: Uint8Array;
}

export interface ZipOptions {
  /**
   * Writes every size and offset as 0xFFFFFFFF with the real values in
   * zip64 extra fields, and zip64 end records: the form archives over
   * 4 GB take, without writing 4 GB.
   */
  zip64?: boolean;
  /** Name bytes as given, without the UTF-8 flag (e.g. CP437). */
  rawNames?: Map<string, Uint8Array>;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function joined(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

type Field = [number, 2 | 4 | 8];

/** Little-endian fields, each [value, byte width]. */
function fields(...values: Field[]): Uint8Array {
  const out = new Uint8Array(values.reduce((n, [, w]) => n + w, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [value, width] of values) {
    if (width === 2) view.setUint16(at, value, true);
    else if (width === 4) view.setUint32(at, value, true);
    else view.setBigUint64(at, BigInt(value), true);
    at += width;
  }
  return out;
}

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The entries with their deflated bytes, for a zip of method 8. */
export async function deflateEntries(
  entries: ArchiveEntry[],
): Promise<ArchiveEntry[]> {
  return Promise.all(
    entries.map(async (e) => ({ ...e, deflated: await deflateRaw(e.bytes) })),
  );
}

const MAX32 = 0xffffffff;

/** A zip of the entries, stored or deflated, with UTF-8 names. */
export function writeZip(
  entries: ArchiveEntry[],
  options: ZipOptions = {},
): Uint8Array<ArrayBuffer> {
  const zip64 = options.zip64 ?? false;
  const encoder = new TextEncoder();
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { path, bytes, deflated } of entries) {
    const raw = options.rawNames?.get(path);
    const name = raw ?? encoder.encode(path);
    const data = deflated ?? bytes;
    const sizes: Field[] = zip64
      ? [
          [MAX32, 4],
          [MAX32, 4],
        ]
      : [
          [data.length, 4],
          [bytes.length, 4],
        ];
    const localExtra = zip64
      ? fields([1, 2], [16, 2], [bytes.length, 8], [data.length, 8])
      : new Uint8Array(0);
    const centralExtra = zip64
      ? fields(
          [1, 2],
          [24, 2],
          [bytes.length, 8],
          [data.length, 8],
          [offset, 8],
        )
      : new Uint8Array(0);
    // version needed, flags (bit 11: UTF-8 names), method, time, date
    const common = (extra: Uint8Array): Field[] => [
      [zip64 ? 45 : 20, 2],
      [raw ? 0 : 0x800, 2],
      [deflated ? 8 : 0, 2],
      [0, 2],
      [0x21, 2],
      [crc32(bytes), 4],
      ...sizes,
      [name.length, 2],
      [extra.length, 2],
    ];
    const header = joined([
      fields([0x04034b50, 4], ...common(localExtra)),
      name,
      localExtra,
    ]);
    local.push(header, data);
    central.push(
      fields(
        [0x02014b50, 4],
        [45, 2],
        ...common(centralExtra),
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 4],
        [zip64 ? MAX32 : offset, 4],
      ),
      name,
      centralExtra,
    );
    offset += header.length + data.length;
  }
  const directory = joined(central);
  const tail: Uint8Array[] = [];
  if (zip64) {
    const recordAt = offset + directory.length;
    tail.push(
      fields(
        [0x06064b50, 4],
        [44, 8],
        [45, 2],
        [45, 2],
        [0, 4],
        [0, 4],
        [entries.length, 8],
        [entries.length, 8],
        [directory.length, 8],
        [offset, 8],
      ),
      fields([0x07064b50, 4], [0, 4], [recordAt, 8], [1, 4]),
    );
  }
  tail.push(
    fields(
      [0x06054b50, 4],
      [0, 2],
      [0, 2],
      [zip64 ? 0xffff : entries.length, 2],
      [zip64 ? 0xffff : entries.length, 2],
      [zip64 ? MAX32 : directory.length, 4],
      [zip64 ? MAX32 : offset, 4],
      [0, 2],
    ),
  );
  return joined([...local, directory, ...tail]);
}

function tarHeader(
  path: string,
  size: number,
  type = '0',
  prefix = '',
): Uint8Array {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) =>
    header.set(new TextEncoder().encode(text), at);
  const octal = (value: number, width: number) =>
    value.toString(8).padStart(width - 1, '0') + '\0';
  put(path, 0);
  put(octal(0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(0, 12), 136);
  put('        ', 148);
  put(type, 156);
  put('ustar\u000000', 257);
  put(prefix, 345);
  const sum = header.reduce((n, b) => n + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return header;
}

/**
 * How a path of 100 bytes or more is written: split into the ustar prefix
 * and name fields, in a PAX extended header, or as a GNU long name.
 */
export type LongPaths = 'prefix' | 'pax' | 'gnu';

function padded(bytes: Uint8Array): Uint8Array[] {
  return [bytes, new Uint8Array((512 - (bytes.length % 512)) % 512)];
}

function paxRecord(key: string, value: string): string {
  // The length counts the whole record, its own digits included.
  const rest = ` ${key}=${value}\n`;
  let length = rest.length + 1;
  while (String(length).length + rest.length > length) length++;
  return `${length}${rest}`;
}

function tarEntry(entry: ArchiveEntry, long: LongPaths): Uint8Array[] {
  const { path, bytes } = entry;
  const size = bytes.length;
  const encoder = new TextEncoder();
  if (encoder.encode(path).length < 100) {
    return [tarHeader(path, size), ...padded(bytes)];
  }
  if (long === 'prefix') {
    const cut = path.lastIndexOf('/', 155);
    return [
      tarHeader(path.slice(cut + 1), size, '0', path.slice(0, cut)),
      ...padded(bytes),
    ];
  }
  const meta =
    long === 'pax'
      ? encoder.encode(paxRecord('path', path))
      : encoder.encode(`${path}\0`);
  const name = long === 'pax' ? 'PaxHeader' : '././@LongLink';
  return [
    tarHeader(name, meta.length, long === 'pax' ? 'x' : 'L'),
    ...padded(meta),
    tarHeader(path.slice(0, 99), size),
    ...padded(bytes),
  ];
}

/** A ustar tar, its end marked by two zero blocks. */
export function writeTar(
  entries: ArchiveEntry[],
  long: LongPaths = 'pax',
): Uint8Array<ArrayBuffer> {
  const parts = entries.flatMap((entry) => tarEntry(entry, long));
  parts.push(new Uint8Array(1024));
  return joined(parts);
}

/** A tar (see writeTar), gzipped with CompressionStream. */
export async function writeTgz(
  entries: ArchiveEntry[],
  long: LongPaths = 'pax',
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([writeTar(entries, long)])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
