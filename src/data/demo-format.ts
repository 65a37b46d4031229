// The demo dataset file: a small format of our own, built to be read front
// to back from a stream, so that an importer never holds the whole file.
// The file on disk is gzip-compressed; this module sees the inflated bytes.
//
// Layout, integers little-endian:
//   bytes 0-3   magic "RLDS"
//   bytes 4-7   uint32 format version (DEMO_FORMAT_VERSION)
//   bytes 8-11  uint32 n, the byte length of the header
//   n bytes     header, UTF-8 JSON (DemoHeader)
//   records     for each split in header.splits order, numImages records of
//               1 byte class id + height * width * channels pixel bytes (HWC)
//   nothing after the last record.
//
// One label byte per record limits a file to 256 classes; a bigger dataset
// would need a new format version.
//
// Pure: no DOM, no IndexedDB, so Node tests feed it chunks of any size.
import { DatasetFormatError } from './errors';
import { SPLIT_NAMES, type SplitName } from './schema';

export const DEMO_MAGIC = 'RLDS';
export const DEMO_FORMAT_VERSION = 1;
const PREAMBLE_BYTES = 12;
const MAX_CLASSES = 256;
// A header is a few hundred bytes; a huge length means a corrupt file, and
// reading it would mean buffering the whole download.
const MAX_HEADER_BYTES = 1 << 20;

export interface DemoSplit {
  name: SplitName;
  numImages: number;
}

export interface DemoHeader {
  name: string;
  /** Class names indexed by class id. */
  classNames: string[];
  height: number;
  width: number;
  channels: 1 | 3;
  /** The splits in the order their records follow the header. */
  splits: DemoSplit[];
  /** Where the images came from, for people. */
  source: string;
  licence: string;
  /** A fingerprint of the records, so a second import is recognised. */
  sourceId: string;
}

export type DemoEvent =
  | { type: 'header'; header: DemoHeader }
  | {
      type: 'record';
      split: SplitName;
      /** Position of the image within its split. */
      index: number;
      label: number;
      /** height * width * channels bytes; the reader never writes to it. */
      pixels: Uint8Array;
    };

function fail(message: string): never {
  throw new DatasetFormatError(message);
}

function isPositiveInt(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

function checkSplits(value: unknown): DemoSplit[] {
  if (!Array.isArray(value)) {
    fail(`expected header.splits to be a list, got ${typeof value}`);
  }
  const seen = new Set<string>();
  return value.map((split: Partial<DemoSplit>, i) => {
    const name = split?.name as SplitName;
    if (!SPLIT_NAMES.includes(name) || seen.has(name)) {
      fail(
        `expected header.splits[${i}].name to be a new one of ` +
          `${SPLIT_NAMES.join(', ')}, got ${JSON.stringify(name)}`,
      );
    }
    seen.add(name);
    const numImages = split.numImages;
    if (!Number.isInteger(numImages) || (numImages as number) < 0) {
      fail(
        `expected header.splits[${i}].numImages to be a whole number ` +
          `>= 0, got ${JSON.stringify(numImages)}`,
      );
    }
    return { name, numImages: numImages as number };
  });
}

/** Checks a parsed header object field by field. */
export function checkDemoHeader(value: unknown): DemoHeader {
  if (typeof value !== 'object' || value === null) {
    fail(`expected the header to be a JSON object, got ${typeof value}`);
  }
  const h = value as Record<string, unknown>;
  for (const key of ['name', 'source', 'licence', 'sourceId']) {
    if (typeof h[key] !== 'string' || h[key] === '') {
      fail(`expected header.${key} to be a non-empty string, got ${h[key]}`);
    }
  }
  const classNames = h.classNames;
  if (
    !Array.isArray(classNames) ||
    classNames.length < 1 ||
    classNames.length > MAX_CLASSES ||
    !classNames.every((c) => typeof c === 'string')
  ) {
    fail(`expected header.classNames to be 1-${MAX_CLASSES} strings`);
  }
  if (!isPositiveInt(h.height) || !isPositiveInt(h.width)) {
    fail(`expected a positive whole height and width, got ${h.height}`);
  }
  if (h.channels !== 1 && h.channels !== 3) {
    fail(`expected header.channels to be 1 or 3, got ${h.channels}`);
  }
  return {
    name: h.name as string,
    classNames: classNames as string[],
    height: h.height as number,
    width: h.width as number,
    channels: h.channels,
    splits: checkSplits(h.splits),
    source: h.source as string,
    licence: h.licence as string,
    sourceId: h.sourceId as string,
  };
}

export function recordBytes(header: DemoHeader): number {
  return 1 + header.height * header.width * header.channels;
}

type Stage = 'preamble' | 'header' | 'records' | 'done';

/**
 * Push parser for the demo format. Feed it the inflated bytes in chunks of
 * any size; each push returns the events those bytes completed. Record
 * pixels are views into the pushed chunks (or a fresh buffer when a record
 * spans chunks), so keep the chunks unchanged while the views are in use.
 */
export class DemoReader {
  private stage: Stage = 'preamble';
  private need = PREAMBLE_BYTES;
  private partial: Uint8Array | null = null;
  private partialFill = 0;
  private header: DemoHeader | null = null;
  private splitIndex = 0;
  private recordIndex = 0;
  private bytesRead = 0;

  get done(): boolean {
    return this.stage === 'done';
  }

  push(chunk: Uint8Array): DemoEvent[] {
    const events: DemoEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.stage === 'done') {
        fail(
          `expected the file to end after its last record (byte ` +
            `${this.bytesRead}), got ${chunk.length - pos} more bytes`,
        );
      }
      const missing = this.need - this.partialFill;
      const available = chunk.length - pos;
      if (this.partial === null && available >= this.need) {
        const item = chunk.subarray(pos, pos + this.need);
        pos += this.need;
        this.consume(item, events);
        continue;
      }
      this.partial ??= new Uint8Array(this.need);
      const n = Math.min(missing, available);
      this.partial.set(chunk.subarray(pos, pos + n), this.partialFill);
      this.partialFill += n;
      pos += n;
      if (this.partialFill === this.need) {
        const item = this.partial;
        this.partial = null;
        this.partialFill = 0;
        this.consume(item, events);
      }
    }
    return events;
  }

  /** Call once the input has ended: throws if the file was cut short. */
  finish(): void {
    if (this.stage === 'done') return;
    const at = this.bytesRead + this.partialFill;
    if (this.stage === 'records' && this.header) {
      const split = this.header.splits[this.splitIndex]!;
      fail(
        `expected ${split.numImages} ${split.name} records, got ` +
          `${this.recordIndex} before the file ended at byte ${at}`,
      );
    }
    fail(`expected a complete ${this.stage}, got end of file at byte ${at}`);
  }

  private consume(item: Uint8Array, events: DemoEvent[]): void {
    this.bytesRead += item.length;
    if (this.stage === 'preamble') this.readPreamble(item);
    else if (this.stage === 'header') this.readHeader(item, events);
    else this.readRecord(item, events);
  }

  private readPreamble(item: Uint8Array): void {
    const magic = String.fromCharCode(...item.subarray(0, 4));
    if (magic !== DEMO_MAGIC) {
      fail(`expected magic ${DEMO_MAGIC}, got ${JSON.stringify(magic)}`);
    }
    const view = new DataView(item.buffer, item.byteOffset, item.length);
    const version = view.getUint32(4, true);
    if (version !== DEMO_FORMAT_VERSION) {
      fail(
        `expected format version ${DEMO_FORMAT_VERSION}, got ${version}; ` +
          `this file was written by another version of the lab`,
      );
    }
    const headerBytes = view.getUint32(8, true);
    if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) {
      fail(
        `expected a header of 2-${MAX_HEADER_BYTES} bytes, got ${headerBytes}`,
      );
    }
    this.stage = 'header';
    this.need = headerBytes;
  }

  private readHeader(item: Uint8Array, events: DemoEvent[]): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        new TextDecoder('utf-8', { fatal: true }).decode(item),
      );
    } catch (cause) {
      throw new DatasetFormatError(
        `expected the header to be UTF-8 JSON, got ${String(cause)}`,
        { cause },
      );
    }
    const header = checkDemoHeader(parsed);
    this.header = header;
    this.stage = 'records';
    this.need = recordBytes(header);
    events.push({ type: 'header', header });
    this.skipEmptySplits();
  }

  private readRecord(item: Uint8Array, events: DemoEvent[]): void {
    const header = this.header!;
    const split = header.splits[this.splitIndex]!;
    const label = item[0]!;
    if (label >= header.classNames.length) {
      fail(
        `expected a class id below ${header.classNames.length}, got ` +
          `${label} in ${split.name} record ${this.recordIndex}`,
      );
    }
    events.push({
      type: 'record',
      split: split.name,
      index: this.recordIndex,
      label,
      pixels: item.subarray(1),
    });
    this.recordIndex++;
    this.skipEmptySplits();
  }

  /** Moves past finished (or empty) splits; the file ends after the last. */
  private skipEmptySplits(): void {
    const splits = this.header!.splits;
    while (
      this.splitIndex < splits.length &&
      this.recordIndex === splits[this.splitIndex]!.numImages
    ) {
      this.splitIndex++;
      this.recordIndex = 0;
    }
    if (this.splitIndex === splits.length) this.stage = 'done';
  }
}

/** The records of one split, as the encoder takes them. */
export interface DemoSplitData {
  labels: Uint8Array;
  /** labels.length x height x width x channels bytes. */
  pixels: Uint8Array;
}

/**
 * Writes the inflated bytes of a demo file. The caller compresses them; the
 * split data must follow header.splits in order and size.
 */
export function encodeDemo(
  header: DemoHeader,
  data: readonly DemoSplitData[],
): Uint8Array {
  const checked = checkDemoHeader(header);
  const imageBytes = recordBytes(checked) - 1;
  if (data.length !== checked.splits.length) {
    fail(`expected ${checked.splits.length} splits, got ${data.length}`);
  }
  const headerJson = new TextEncoder().encode(JSON.stringify(checked));
  let total = PREAMBLE_BYTES + headerJson.length;
  checked.splits.forEach((split, i) => {
    const { labels, pixels } = data[i]!;
    if (
      labels.length !== split.numImages ||
      pixels.length !== split.numImages * imageBytes
    ) {
      fail(
        `expected ${split.numImages} ${split.name} images of ` +
          `${imageBytes} bytes, got ${labels.length} labels and ` +
          `${pixels.length} pixel bytes`,
      );
    }
    const bad = labels.findIndex((l) => l >= checked.classNames.length);
    if (bad >= 0) {
      fail(
        `expected class ids below ${checked.classNames.length}, got ` +
          `${labels[bad]} for ${split.name} image ${bad}`,
      );
    }
    total += split.numImages * (imageBytes + 1);
  });
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(DEMO_MAGIC), 0);
  view.setUint32(4, DEMO_FORMAT_VERSION, true);
  view.setUint32(8, headerJson.length, true);
  out.set(headerJson, PREAMBLE_BYTES);
  let pos = PREAMBLE_BYTES + headerJson.length;
  for (const { labels, pixels } of data) {
    for (let i = 0; i < labels.length; i++) {
      out[pos++] = labels[i]!;
      out.set(pixels.subarray(i * imageBytes, (i + 1) * imageBytes), pos);
      pos += imageBytes;
    }
  }
  return out;
}
