// Imports the demo dataset file into the shard store as it downloads: the
// response is inflated and parsed chunk by chunk, and each shard is written
// as soon as it fills, so memory holds one chunk and one shard per split,
// never the file.
//
// Resuming: shards are written in file order and each write also updates
// the manifest, so an interrupted import leaves a manifest (complete=false)
// that says exactly which shards exist. A new import of the same file
// downloads it again (a gzip stream cannot be entered midway), skips the
// records of the stored shards and writes the rest.
import { DemoReader, type DemoHeader } from './demo-format';
import { DatasetFetchError, DatasetFormatError } from './errors';
import {
  FORMAT_VERSION,
  SPLIT_NAMES,
  type DatasetManifest,
  type SplitName,
} from './schema';
import type { ShardStore } from './shard-store';

export const DEMO_DATASET_NAME = 'fashion-mnist-demo';
export const DEMO_SHARD_SIZE = 1000;

/** Where the app serves the demo file (see public/datasets/README.md). */
export function demoDatasetUrl(): string {
  return `${import.meta.env.BASE_URL}datasets/${DEMO_DATASET_NAME}.bin`;
}

export interface ImportProgress {
  /** Images stored so far, counting those an earlier import stored. */
  imagesDone: number;
  imagesTotal: number;
}

export interface ImportOptions {
  /** Called once at the start and after every shard written. */
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** Images per shard for a new import; a resumed one keeps its own. */
  shardSize?: number;
}

export type ImportTarget = Pick<
  ShardStore,
  'getManifest' | 'putManifest' | 'putShard' | 'deleteDataset'
>;

async function openBody(
  url: string | URL,
  signal: AbortSignal | undefined,
): Promise<ReadableStream<Uint8Array>> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw new DatasetFetchError(
      `expected to download ${url}, got ${String(error)}`,
      { cause: error },
    );
  }
  if (!response.ok || response.body === null) {
    throw new DatasetFetchError(
      `expected HTTP 200 with a body from ${url}, got ` +
        `${response.status} ${response.statusText}`.trim(),
    );
  }
  return response.body;
}

/**
 * The inflated bytes of the file. A server that sends the .bin with
 * Content-Encoding: gzip has the browser inflate it already, so the first
 * bytes decide whether the stream still needs gunzip.
 */
async function inflate(
  body: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  let head = new Uint8Array(0);
  while (head.length < 2) {
    const { done, value } = await reader.read();
    if (done) break;
    const joined = new Uint8Array(head.length + value.length);
    joined.set(head);
    joined.set(value, head.length);
    head = joined;
  }
  let pending: Uint8Array | null = head;
  const joined = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== null) {
        controller.enqueue(pending);
        pending = null;
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const isGzip = head[0] === 0x1f && head[1] === 0x8b;
  return isGzip ? joined.pipeThrough(gunzip()) : joined;
}

function gunzip(): ReadableWritablePair<Uint8Array, Uint8Array> {
  // TypeScript's lib types the writable side as BufferSource, which its
  // checker will not accept where a Uint8Array stream is piped in.
  return new DecompressionStream('gzip') as ReadableWritablePair<
    Uint8Array,
    Uint8Array
  >;
}

function emptyManifest(header: DemoHeader, shardSize: number): DatasetManifest {
  const numClasses = header.classNames.length;
  const splits = Object.fromEntries(
    SPLIT_NAMES.map((name) => [
      name,
      { numImages: 0, numShards: 0, classCounts: Array(numClasses).fill(0) },
    ]),
  ) as DatasetManifest['splits'];
  return {
    name: header.name,
    formatVersion: FORMAT_VERSION,
    classNames: header.classNames,
    height: header.height,
    width: header.width,
    channels: header.channels,
    shardSize,
    splits,
    complete: false,
    source: header.source,
    licence: header.licence,
    sourceId: header.sourceId,
    createdAt: new Date().toISOString(),
  };
}

function isResumable(
  stored: DatasetManifest | undefined,
  header: DemoHeader,
): stored is DatasetManifest {
  return (
    stored !== undefined &&
    stored.formatVersion === FORMAT_VERSION &&
    stored.sourceId === header.sourceId
  );
}

/**
 * Collects the records of the shards that still have to be written and
 * hands each full shard to the store with the manifest that counts it.
 */
class ShardWriter {
  private readonly imageBytes: number;
  private readonly splitSizes: Map<SplitName, number>;
  private pixels: Uint8Array;
  private labels: Uint16Array;
  private fill = 0;
  imagesDone: number;

  constructor(
    private readonly store: ImportTarget,
    public manifest: DatasetManifest,
    header: DemoHeader,
  ) {
    const { height, width, channels, shardSize } = manifest;
    this.imageBytes = height * width * channels;
    this.splitSizes = new Map(header.splits.map((s) => [s.name, s.numImages]));
    this.pixels = new Uint8Array(shardSize * this.imageBytes);
    this.labels = new Uint16Array(shardSize);
    this.imagesDone = SPLIT_NAMES.reduce(
      (sum, name) => sum + manifest.splits[name].numImages,
      0,
    );
  }

  /** Takes one record; resolves once a shard it completed is stored. */
  async add(
    split: SplitName,
    index: number,
    label: number,
    pixels: Uint8Array,
  ): Promise<void> {
    const { shardSize } = this.manifest;
    const stored = this.manifest.splits[split];
    if (index < stored.numShards * shardSize) return;
    if (index !== stored.numImages + this.fill) {
      throw new DatasetFormatError(
        `expected ${split} record ${stored.numImages + this.fill} next, ` +
          `got record ${index}; the stored manifest does not match the file`,
      );
    }
    this.pixels.set(pixels, this.fill * this.imageBytes);
    this.labels[this.fill++] = label;
    const isLast = index === this.splitSizes.get(split)! - 1;
    if (this.fill === shardSize || isLast) await this.flush(split);
  }

  private async flush(split: SplitName): Promise<void> {
    const n = this.fill;
    const before = this.manifest.splits[split];
    const classCounts = [...before.classCounts];
    for (let i = 0; i < n; i++) classCounts[this.labels[i]!]!++;
    const after: DatasetManifest = {
      ...this.manifest,
      splits: {
        ...this.manifest.splits,
        [split]: {
          numImages: before.numImages + n,
          numShards: before.numShards + 1,
          classCounts,
        },
      },
    };
    await this.store.putShard(after, {
      dataset: this.manifest.name,
      split,
      index: before.numShards,
      numImages: n,
      pixels: this.pixels.slice(0, n * this.imageBytes),
      labels: this.labels.slice(0, n),
    });
    this.manifest = after;
    this.imagesDone += n;
    this.fill = 0;
  }
}

/**
 * Downloads the demo file at `url` into the store under the name its
 * header gives. Returns the complete manifest. An import of a file already
 * stored completely returns at once; an interrupted one resumes. A
 * StorageError (code 'quota' when the disk is full) or an abort leaves the
 * store consistent and the import resumable.
 */
export async function importDemoDataset(
  store: ImportTarget,
  url: string | URL,
  options: ImportOptions = {},
): Promise<DatasetManifest> {
  const { onProgress, signal, shardSize = DEMO_SHARD_SIZE } = options;
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new RangeError(
      `expected shardSize to be a whole number >= 1, got ${shardSize}`,
    );
  }
  signal?.throwIfAborted();
  const body = await inflate(await openBody(url, signal));
  const reader = body.getReader();
  const parser = new DemoReader();
  let writer: ShardWriter | null = null;
  let imagesTotal = 0;
  const report = () =>
    onProgress?.({ imagesDone: writer!.imagesDone, imagesTotal });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      for (const event of parser.push(value)) {
        if (event.type === 'header') {
          const { header } = event;
          imagesTotal = header.splits.reduce((n, s) => n + s.numImages, 0);
          const stored = await store.getManifest(header.name);
          if (isResumable(stored, header) && stored.complete) {
            onProgress?.({ imagesDone: imagesTotal, imagesTotal });
            return stored;
          }
          writer = await begin(store, stored, header, shardSize);
          report();
          continue;
        }
        const before = writer!.imagesDone;
        await writer!.add(event.split, event.index, event.label, event.pixels);
        if (writer!.imagesDone !== before) report();
        signal?.throwIfAborted();
      }
    }
    parser.finish();
    const manifest = { ...writer!.manifest, complete: true };
    await store.putManifest(manifest);
    return manifest;
  } finally {
    // Stops the download when the import ends early; a no-op otherwise.
    reader.cancel().catch(() => undefined);
  }
}

async function begin(
  store: ImportTarget,
  stored: DatasetManifest | undefined,
  header: DemoHeader,
  shardSize: number,
): Promise<ShardWriter> {
  if (isResumable(stored, header)) {
    return new ShardWriter(store, stored, header);
  }
  // Another file (or an older format) under this name: it is replaced.
  if (stored !== undefined) await store.deleteDataset(header.name);
  const manifest = emptyManifest(header, shardSize);
  await store.putManifest(manifest);
  return new ShardWriter(store, manifest, header);
}
