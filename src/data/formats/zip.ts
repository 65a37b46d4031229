// A zip reader with random access into a Blob (a dropped File): it reads
// the central directory from the end of the file, then each entry's bytes
// on demand, so a 2 GB archive is never held in memory at once.
//
// Reads: stored (method 0) and deflated (method 8) entries, zip64 sizes,
// offsets and counts, UTF-8 names (flag bit 11) and CP437 names, and
// entries written with a data descriptor (flag bit 3: the central
// directory holds their sizes). Checks each entry's CRC-32.
// Does not read: encrypted entries, other compression methods (an
// ArchiveFormatError names the method), archives split over several files.
//
// Layout: PKWARE's APPNOTE.TXT 6.3, sections 4.3 (structure) and 4.5.3
// (the zip64 extended information extra field).
import { decompress, readAllBytes } from './bytes';
import { ArchiveFormatError } from './errors';

export interface ZipEntry {
  path: string;
  /** Uncompressed size in bytes. */
  size: number;
  isDirectory: boolean;
  /** Reads, inflates and checks the entry. */
  bytes(): Promise<Uint8Array>;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA = 0x0001;

async function sliceBytes(
  blob: Blob,
  start: number,
  end: number,
): Promise<DataView> {
  return new DataView(await blob.slice(start, end).arrayBuffer());
}

/** A 64-bit little-endian field, refused beyond what a double holds. */
function u64(view: DataView, at: number, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ArchiveFormatError(
      `expected ${what} below 2^53, got ${value} (a damaged zip64 record?)`,
    );
  }
  return Number(value);
}

interface Directory {
  offset: number;
  size: number;
  numEntries: number;
}

/**
 * Where the end-of-central-directory record starts in `tail`, -1 if none.
 * The comment after the record may itself hold the signature: the record
 * whose comment reaches the end of the file wins, else the last one.
 */
function findEocd(tail: DataView): number {
  let last = -1;
  for (let at = tail.byteLength - EOCD_SIZE; at >= 0; at--) {
    if (tail.getUint32(at, true) !== EOCD) continue;
    const commentLength = tail.getUint16(at + 20, true);
    if (at + EOCD_SIZE + commentLength === tail.byteLength) return at;
    if (last < 0) last = at;
  }
  return last;
}

/** Finds the end-of-central-directory record and, for zip64, its twin. */
async function findDirectory(blob: Blob): Promise<Directory> {
  if (blob.size < EOCD_SIZE) {
    throw new ArchiveFormatError(
      `expected a zip of at least ${EOCD_SIZE} bytes, got ${blob.size}`,
    );
  }
  const tailStart = Math.max(0, blob.size - EOCD_SIZE - MAX_COMMENT);
  const tail = await sliceBytes(blob, tailStart, blob.size);
  const at = findEocd(tail);
  if (at < 0) {
    throw new ArchiveFormatError(
      'expected a zip end-of-central-directory record in the last ' +
        `${tail.byteLength} bytes, found none (not a zip, or truncated)`,
    );
  }
  const directory = {
    numEntries: tail.getUint16(at + 10, true),
    size: tail.getUint32(at + 12, true),
    offset: tail.getUint32(at + 16, true),
  };
  const eocdOffset = tailStart + at;
  const locatorAt = eocdOffset - 20;
  if (locatorAt < 0) return directory;
  const locator = await sliceBytes(blob, locatorAt, eocdOffset);
  if (locator.getUint32(0, true) !== ZIP64_LOCATOR) return directory;
  const recordAt = u64(locator, 8, 'the zip64 record offset');
  const record = await sliceBytes(blob, recordAt, recordAt + 56);
  if (record.byteLength < 56 || record.getUint32(0, true) !== ZIP64_EOCD) {
    throw new ArchiveFormatError(
      `expected a zip64 end-of-central-directory record at byte ` +
        `${recordAt}, found none`,
    );
  }
  return {
    numEntries: u64(record, 32, 'the number of entries'),
    size: u64(record, 40, 'the central directory size'),
    offset: u64(record, 48, 'the central directory offset'),
  };
}

// Code page 437, bytes 128-255: what zip tools wrote before UTF-8 names.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(bytes: Uint8Array, isUtf8: boolean): string {
  if (isUtf8) return new TextDecoder().decode(bytes);
  // Many tools write UTF-8 without setting the flag; CP437 text is rarely
  // valid UTF-8 as well, so UTF-8 is tried first.
  try {
    return utf8.decode(bytes);
  } catch {
    return String.fromCharCode(
      ...[...bytes].map((b) => (b < 128 ? b : CP437_HIGH.charCodeAt(b - 128))),
    );
  }
}

interface CentralEntry {
  path: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** Replaces 0xFFFFFFFF fields by the zip64 extra field's values. */
function applyZip64(
  entry: CentralEntry,
  extra: DataView,
  raw: { size: number; compressedSize: number; localOffset: number },
): void {
  for (let at = 0; at + 4 <= extra.byteLength;) {
    const id = extra.getUint16(at, true);
    const length = extra.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA) {
      // Only the fields that overflowed are present, in this order.
      let p = at + 4;
      const take = (what: string) => {
        const value = u64(extra, p, what);
        p += 8;
        return value;
      };
      if (raw.size === 0xffffffff) entry.size = take('an entry size');
      if (raw.compressedSize === 0xffffffff) {
        entry.compressedSize = take('a compressed size');
      }
      if (raw.localOffset === 0xffffffff) {
        entry.localOffset = take('an entry offset');
      }
      return;
    }
    at += 4 + length;
  }
}

function readCentral(view: DataView, numEntries: number): CentralEntry[] {
  const entries: CentralEntry[] = [];
  let at = 0;
  for (let i = 0; i < numEntries; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== CENTRAL) {
      throw new ArchiveFormatError(
        `expected central directory entry ${i + 1} of ${numEntries} at ` +
          `directory byte ${at}, found none (a damaged zip?)`,
      );
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const flags = view.getUint16(at + 8, true);
    const name = new Uint8Array(
      view.buffer,
      view.byteOffset + at + 46,
      nameLength,
    );
    const raw = {
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    const entry: CentralEntry = {
      path: decodeName(name, (flags & 0x800) !== 0),
      flags,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      ...raw,
    };
    const extraAt = view.byteOffset + at + 46 + nameLength;
    applyZip64(entry, new DataView(view.buffer, extraAt, extraLength), raw);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
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

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

async function readEntry(blob: Blob, entry: CentralEntry): Promise<Uint8Array> {
  const where = `zip entry ${entry.path}`;
  if (entry.flags & 1) {
    throw new ArchiveFormatError(
      `expected an unencrypted ${where}, got an encrypted one`,
    );
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw new ArchiveFormatError(
      `expected ${where} to be stored or deflated, got compression ` +
        `method ${entry.method}`,
    );
  }
  const header = await sliceBytes(
    blob,
    entry.localOffset,
    entry.localOffset + 30,
  );
  if (header.byteLength < 30 || header.getUint32(0, true) !== LOCAL) {
    throw new ArchiveFormatError(
      `expected the local header of ${where} at byte ${entry.localOffset}, ` +
        'found none (a damaged or truncated zip?)',
    );
  }
  const start =
    entry.localOffset +
    30 +
    header.getUint16(26, true) +
    header.getUint16(28, true);
  const end = start + entry.compressedSize;
  if (end > blob.size) {
    throw new ArchiveFormatError(
      `expected ${where} to end at byte ${end}, but the file ends at ` +
        `${blob.size} (truncated)`,
    );
  }
  const data = blob.slice(start, end);
  const bytes =
    entry.method === 0
      ? new Uint8Array(await data.arrayBuffer())
      : await readAllBytes(
          decompress(data.stream(), 'deflate-raw'),
          entry.size,
          (n) => {
            throw new ArchiveFormatError(
              `expected ${entry.size} bytes in ${where}, inflated ${n}`,
            );
          },
        ).catch((error: unknown) => {
          if (error instanceof ArchiveFormatError) throw error;
          throw new ArchiveFormatError(
            `inflating ${where} failed: ${(error as Error).message}`,
          );
        });
  if (bytes.length !== entry.size) {
    throw new ArchiveFormatError(
      `expected ${entry.size} bytes in ${where}, got ${bytes.length}`,
    );
  }
  if (crc32(bytes) !== entry.crc) {
    throw new ArchiveFormatError(
      `expected CRC-32 ${entry.crc.toString(16)} for ${where}, got ` +
        `${crc32(bytes).toString(16)} (a damaged zip)`,
    );
  }
  return bytes;
}

/** Lists a zip; each entry reads its own bytes when asked. */
export async function openZip(blob: Blob): Promise<{ entries: ZipEntry[] }> {
  const directory = await findDirectory(blob);
  const end = directory.offset + directory.size;
  if (end > blob.size) {
    throw new ArchiveFormatError(
      `expected the central directory to end at byte ${end}, but the ` +
        `file ends at ${blob.size} (truncated)`,
    );
  }
  const view = await sliceBytes(blob, directory.offset, end);
  const entries = readCentral(view, directory.numEntries);
  return {
    entries: entries.map((entry) => ({
      path: entry.path,
      size: entry.size,
      isDirectory: entry.path.endsWith('/'),
      bytes: () => readEntry(blob, entry),
    })),
  };
}
