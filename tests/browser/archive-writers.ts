// Test-side archive writers, run in the page: a zip with stored (not
// deflated) entries and a gzipped ustar tar. Enough to pack a test dataset
// the way mirrors ship one; the readers under test are src/data/formats.

export interface ArchiveEntry {
  path: string;
  bytes: Uint8Array;
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

/** Little-endian fields, each [value, byte width]. */
function fields(...values: [number, 2 | 4][]): Uint8Array {
  const out = new Uint8Array(values.reduce((n, [, w]) => n + w, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [value, width] of values) {
    if (width === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value, true);
    at += width;
  }
  return out;
}

/** A zip of stored entries (method 0), UTF-8 names. */
export function writeZip(entries: ArchiveEntry[]): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { path, bytes } of entries) {
    const name = encoder.encode(path);
    const crc = crc32(bytes);
    const size = bytes.length;
    // version, flags (bit 11: UTF-8 names), method 0, time, date
    const common: [number, 2 | 4][] = [
      [20, 2],
      [0x800, 2],
      [0, 2],
      [0, 2],
      [0x21, 2],
      [crc, 4],
      [size, 4],
      [size, 4],
      [name.length, 2],
      [0, 2],
    ];
    const header = joined([fields([0x04034b50, 4], ...common), name]);
    local.push(header, bytes);
    central.push(
      fields(
        [0x02014b50, 4],
        [20, 2],
        ...common,
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 4],
        [offset, 4],
      ),
      name,
    );
    offset += header.length + size;
  }
  const directory = joined(central);
  const end = fields(
    [0x06054b50, 4],
    [0, 2],
    [0, 2],
    [entries.length, 2],
    [entries.length, 2],
    [directory.length, 4],
    [offset, 4],
    [0, 2],
  );
  return joined([...local, directory, end]);
}

function tarHeader(path: string, size: number): Uint8Array {
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
  put('0', 156);
  put('ustar\u000000', 257);
  const sum = header.reduce((n, b) => n + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return header;
}

/** A ustar tar (paths under 100 bytes), gzipped with CompressionStream. */
export async function writeTgz(
  entries: ArchiveEntry[],
): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = [];
  for (const { path, bytes } of entries) {
    parts.push(tarHeader(path, bytes.length), bytes);
    parts.push(new Uint8Array((512 - (bytes.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  const stream = new Blob([joined(parts)])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
