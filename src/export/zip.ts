// A zip writer for downloads of several files: stored entries (no
// compression: float weights hardly deflate), each with its CRC-32, UTF-8
// names (general purpose flag bit 11), one local header before each
// entry's bytes and a central directory at the end. Sizes are known up
// front, so no data descriptors. No zip64: an archive past 4 GiB or 65,535
// entries is refused, naming the limit.
//
// Layout: PKWARE's APPNOTE.TXT 6.3, section 4.3 (local file header,
// central directory header, end of central directory record). The reader
// beside it is src/data/formats/zip.ts.
import { crc32 } from '../data/formats/zip';

export interface ZipInput {
  /** Path inside the archive, '/' separated. */
  name: string;
  bytes: Uint8Array;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const EOCD = 0x06054b50;
const UTF8_NAMES = 1 << 11;
const VERSION = 20; // 2.0: the oldest that readers of stored entries expect
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

/** MS-DOS date and time (2 s steps, years 1980-2107) of `d` in UTC. */
export function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time:
      (d.getUTCHours() << 11) |
      (d.getUTCMinutes() << 5) |
      (d.getUTCSeconds() >> 1),
  };
}

interface Placed {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

function header(size: number, fill: (v: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(new DataView(bytes.buffer));
  return bytes;
}

function checkName(name: string): void {
  if (name === '' || name.startsWith('/') || name.includes('\\')) {
    throw new Error(
      `zip entry name: expected a relative path with '/' separators, got ` +
        JSON.stringify(name),
    );
  }
}

/**
 * The archive as a list of byte arrays to concatenate (or hand to a Blob,
 * which spares the copy): each entry's data is the caller's array itself.
 * Times are stored as UTC.
 */
export function zipParts(
  files: readonly ZipInput[],
  modified: Date = new Date(),
): Uint8Array[] {
  if (files.length > MAX_ENTRIES) {
    throw new Error(
      `zip: expected at most ${MAX_ENTRIES} entries (no zip64), got ` +
        files.length,
    );
  }
  const { date, time } = dosDateTime(modified);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const placed: Placed[] = [];
  let offset = 0;
  for (const file of files) {
    checkName(file.name);
    const name = encoder.encode(file.name);
    const entry = {
      name,
      crc: crc32(file.bytes),
      size: file.bytes.length,
      offset,
    };
    const local = header(30 + name.length, (v) => {
      v.setUint32(0, LOCAL, true);
      v.setUint16(4, VERSION, true);
      v.setUint16(6, UTF8_NAMES, true);
      v.setUint16(8, 0, true); // method: stored
      v.setUint16(10, time, true);
      v.setUint16(12, date, true);
      v.setUint32(14, entry.crc, true);
      v.setUint32(18, entry.size, true);
      v.setUint32(22, entry.size, true);
      v.setUint16(26, name.length, true);
      v.setUint16(28, 0, true);
    });
    local.set(name, 30);
    parts.push(local, file.bytes);
    placed.push(entry);
    offset += local.length + file.bytes.length;
    if (offset > MAX_32) {
      throw new Error(
        `zip: expected at most 4 GiB of entries (no zip64), got more by ` +
          `"${file.name}"`,
      );
    }
  }

  const centralStart = offset;
  for (const entry of placed) {
    const central = header(46 + entry.name.length, (v) => {
      v.setUint32(0, CENTRAL, true);
      v.setUint16(4, VERSION, true); // made by: MS-DOS attributes
      v.setUint16(6, VERSION, true);
      v.setUint16(8, UTF8_NAMES, true);
      v.setUint16(10, 0, true);
      v.setUint16(12, time, true);
      v.setUint16(14, date, true);
      v.setUint32(16, entry.crc, true);
      v.setUint32(20, entry.size, true);
      v.setUint32(24, entry.size, true);
      v.setUint16(28, entry.name.length, true);
      // Extra, comment, disk number, internal and external attributes: 0.
      v.setUint32(42, entry.offset, true);
    });
    central.set(entry.name, 46);
    parts.push(central);
    offset += central.length;
  }
  if (offset > MAX_32) {
    throw new Error('zip: expected at most 4 GiB in all (no zip64), got more');
  }
  parts.push(
    header(22, (v) => {
      v.setUint32(0, EOCD, true);
      v.setUint16(8, placed.length, true);
      v.setUint16(10, placed.length, true);
      v.setUint32(12, offset - centralStart, true);
      v.setUint32(16, centralStart, true);
    }),
  );
  return parts;
}

/** The archive as one array. */
export function zipBytes(
  files: readonly ZipInput[],
  modified?: Date,
): Uint8Array<ArrayBuffer> {
  const parts = zipParts(files, modified);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
