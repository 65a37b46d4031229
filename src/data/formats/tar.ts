// A tar reader over a stream, for .tar and (through gunzipStream) .tgz /
// .tar.gz files: entries come in archive order, and an entry's bytes can
// only be read before the walk moves on, since a stream cannot go back.
// Holds one entry at a time, never the archive.
//
// Reads: ustar headers with their name prefix, GNU long names ('L'),
// PAX extended headers ('x': path and size), base-256 sizes, and checks
// each header's checksum. Global PAX headers ('g') are passed over.
//
// Layout: POSIX.1-2017, pax "ustar Interchange Format" and "pax Header
// Block"; GNU tar manual, "Basic Tar Format".
import { decompress } from './bytes';
import { ArchiveFormatError } from './errors';

export interface TarEntry {
  path: string;
  size: number;
  type: 'file' | 'directory' | 'other';
  /** The entry's bytes; call before asking for the next entry. */
  bytes(): Promise<Uint8Array>;
}

const BLOCK = 512;

/** Reads exact byte counts from a stream of arbitrary chunks. */
class ChunkReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Bytes handed out so far, for messages. */
  offset = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** Exactly `n` bytes, or fewer if the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.at === this.chunk.length) {
        const value = await this.next();
        if (!value) break;
        this.chunk = value;
        this.at = 0;
        continue;
      }
      const take = Math.min(n - filled, this.chunk.length - this.at);
      out.set(this.chunk.subarray(this.at, this.at + take), filled);
      this.at += take;
      filled += take;
    }
    this.offset += filled;
    return filled === n ? out : out.subarray(0, filled);
  }

  /** Passes over `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.at === this.chunk.length) {
        const value = await this.next();
        if (!value) break;
        this.chunk = value;
        this.at = 0;
        continue;
      }
      const take = Math.min(left, this.chunk.length - this.at);
      this.at += take;
      left -= take;
    }
    this.offset += n - left;
    return n - left;
  }

  /** The next chunk, null at the end; a broken stream names the offset. */
  private async next(): Promise<Uint8Array | null> {
    try {
      const { done, value } = await this.reader.read();
      return done ? null : value;
    } catch (error) {
      // A damaged gzip member surfaces here, as the inflater's TypeError.
      throw new ArchiveFormatError(
        `reading the archive failed past byte ${this.offset}: ` +
          (error instanceof Error ? error.message : String(error)),
      );
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

function text(block: Uint8Array, at: number, length: number): string {
  const field = block.subarray(at, at + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

/** An octal field, or a base-256 one when its first byte has bit 7 set. */
function number(block: Uint8Array, at: number, length: number): number {
  if (block[at]! & 0x80) {
    let value = block[at]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + block[at + i]!;
    return value;
  }
  const digits = text(block, at, length).trim();
  return digits === '' ? 0 : parseInt(digits, 8);
}

function checkHeader(block: Uint8Array, offset: number): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  }
  const stored = number(block, 148, 8);
  if (stored !== sum) {
    throw new ArchiveFormatError(
      `expected a tar header at byte ${offset} with checksum ${stored}, ` +
        `got ${sum} (not a tar, or damaged)`,
    );
  }
}

/** PAX records: "<length> <key>=<value>\n", repeated. */
function paxRecords(bytes: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const all = new TextDecoder().decode(bytes);
  for (const line of all.split('\n')) {
    const match = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (match) records.set(match[1]!, match[2]!);
  }
  return records;
}

function isZeroBlock(block: Uint8Array): boolean {
  return block.every((b) => b === 0);
}

/** The tar entries of `stream`, in archive order. */
export async function* readTar(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<TarEntry> {
  const input = new ChunkReader(stream);
  let longName: string | null = null;
  let pax = new Map<string, string>();
  try {
    for (;;) {
      const headerAt = input.offset;
      const block = await input.read(BLOCK);
      // Archives end with two zero blocks; some writers stop without them.
      if (block.length === 0 || isZeroBlock(block)) return;
      if (block.length < BLOCK) {
        throw new ArchiveFormatError(
          `expected a 512-byte tar header at byte ${headerAt}, the ` +
            `archive ended after ${block.length} (truncated)`,
        );
      }
      checkHeader(block, headerAt);
      const flag = String.fromCharCode(block[156]!);
      const prefix =
        text(block, 257, 6) === 'ustar' ? text(block, 345, 155) : '';
      const name = text(block, 0, 100);
      const path =
        pax.get('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
      const size = Number(pax.get('size') ?? number(block, 124, 12));
      const padding = (BLOCK - (size % BLOCK)) % BLOCK;

      const readBody = async () => {
        const body = await input.read(size);
        if (body.length < size) {
          throw new ArchiveFormatError(
            `expected ${size} bytes of tar entry ${path}, the archive ` +
              `ended after ${body.length} (truncated)`,
          );
        }
        return body;
      };
      if (flag === 'L' || flag === 'x' || flag === 'g') {
        const body = await readBody();
        await input.skip(padding);
        if (flag === 'L') longName = text(body, 0, body.length);
        if (flag === 'x') pax = paxRecords(body);
        continue;
      }
      longName = null;
      pax = new Map();

      let read: Promise<Uint8Array> | null = null;
      yield {
        path,
        size,
        type:
          flag === '0' || flag === '\0' || flag === '7'
            ? 'file'
            : flag === '5'
              ? 'directory'
              : 'other',
        bytes: () => (read ??= readBody()),
      };
      if (read) await read;
      else if ((await input.skip(size)) < size) {
        throw new ArchiveFormatError(
          `expected ${size} bytes of tar entry ${path}, the archive ended ` +
            'first (truncated)',
        );
      }
      await input.skip(padding);
    }
  } finally {
    await input.cancel();
  }
}

/** Inflates a .tgz / .tar.gz as it is read. */
export function gunzipStream(blob: Blob): ReadableStream<Uint8Array> {
  return decompress(blob.stream(), 'gzip');
}
