// Page-side helpers for import.test.ts. They draw known images, encode them
// as real JPEGs, pack them as a dropped folder (File objects with paths),
// run the import through ImportClient (so through the real Worker), and
// compare what the store holds with crops computed here from the decoded
// JPEGs. Everything returns plain data.
import { ImportClient } from '../../src/data/import/client';
import type {
  ImportOptions,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
  ImportSource,
} from '../../src/data/import/types';
import type { DatasetManifest, SplitName } from '../../src/data/schema';
import { openShardStore } from '../../src/data/shard-store';
import {
  deflateEntries,
  writeTgz,
  writeZip,
  type ArchiveEntry,
} from './archive-writers';
import { writeImageParquet } from './parquet-writer';

export interface ImageSpec {
  path: string;
  width: number;
  height: number;
  seed: number;
  /** Breaks the file after encoding. */
  damage?: 'truncate' | 'corrupt' | 'text';
}

export interface FolderSpec {
  images: ImageSpec[];
  /** Other files (annotations) as base64, written by the Node side. */
  files: { path: string; base64: string }[];
  /** Packs every file into one archive, dropped alone. */
  pack?: 'zip' | 'zip64' | 'tgz';
  /** Instead of a folder: parquet files of these images and labels. */
  parquet?: ParquetSpec[];
}

export interface ParquetSpec {
  path: string;
  rows: { image: ImageSpec; label: number }[];
  labelNames?: string[];
}

/** A smooth colour pattern whose phase moves visibly with each pixel. */
export function pixelAt(x: number, y: number, seed: number): number[] {
  return [
    128 + 110 * Math.sin(x * 0.35 + seed),
    128 + 110 * Math.cos(y * 0.3 + seed * 2),
    128 + 90 * Math.sin((x + y) * 0.2 + seed * 3),
  ];
}

async function drawJpeg(spec: ImageSpec): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(spec.width, spec.height);
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(spec.width, spec.height);
  for (let y = 0; y < spec.height; y++) {
    for (let x = 0; x < spec.width; x++) {
      const at = (y * spec.width + x) * 4;
      image.data.set([...pixelAt(x, y, spec.seed), 255], at);
    }
  }
  context.putImageData(image, 0, 0);
  const blob = await canvas.convertToBlob({
    type: 'image/jpeg',
    quality: 0.95,
  });
  return new Uint8Array(await blob.arrayBuffer());
}

function damage(bytes: Uint8Array, how: ImageSpec['damage']): Uint8Array {
  if (how === 'truncate') return bytes.slice(0, Math.floor(bytes.length / 2));
  if (how === 'corrupt') {
    const out = bytes.slice();
    out.fill(0x00, 3, 64);
    return out;
  }
  if (how === 'text') return new TextEncoder().encode('not a picture\n');
  return bytes;
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const jpegs = new Map<string, Uint8Array>();

async function jpegOf(spec: ImageSpec): Promise<Uint8Array> {
  const key = `${spec.width}x${spec.height}:${spec.seed}`;
  if (!jpegs.has(key)) jpegs.set(key, await drawJpeg(spec));
  return jpegs.get(key)!;
}

async function buildParquet(specs: ParquetSpec[]): Promise<ImportSource> {
  const files = [];
  for (const spec of specs) {
    const rows = [];
    for (const { image, label } of spec.rows) {
      rows.push({ image: damage(await jpegOf(image), image.damage), label });
    }
    const options = spec.labelNames ? { labelNames: spec.labelNames } : {};
    const bytes = writeImageParquet(rows, { ...options, rowGroupSize: 3 });
    files.push({ path: spec.path, file: new File([bytes], spec.path) });
  }
  return { files };
}

export async function buildFolder(spec: FolderSpec): Promise<ImportSource> {
  if (spec.parquet) return buildParquet(spec.parquet);
  const entries: ArchiveEntry[] = [];
  for (const image of spec.images) {
    const bytes = damage(await jpegOf(image), image.damage);
    entries.push({ path: image.path, bytes });
  }
  for (const { path, base64 } of spec.files) {
    entries.push({ path, bytes: fromBase64(base64) });
  }
  const file = (path: string, bytes: Uint8Array) => ({
    path,
    file: new File([bytes as Uint8Array<ArrayBuffer>], path),
  });
  if (spec.pack === 'zip') {
    return { files: [file('dataset.zip', writeZip(entries))] };
  }
  if (spec.pack === 'zip64') {
    const zip = writeZip(await deflateEntries(entries), { zip64: true });
    return { files: [file('dataset.zip', zip)] };
  }
  if (spec.pack === 'tgz') {
    return { files: [file('dataset.tgz', await writeTgz(entries))] };
  }
  return { files: entries.map((e) => file(e.path, e.bytes)) };
}

export interface Outcome {
  report: ImportReport | null;
  progress: ImportProgress[];
  error: { name: string; code?: string; message: string } | null;
}

function describeError(error: unknown): NonNullable<Outcome['error']> {
  const e = error as { name?: string; workerCode?: string; message?: string };
  return {
    name: String(e?.name),
    code: e?.workerCode,
    message: String(e?.message ?? error),
  };
}

/**
 * Imports a folder; cancels at the first progress event of the importing
 * phase that counts `cancelAtImages` images done.
 */
export async function importFolder(
  dbName: string,
  spec: FolderSpec,
  options: ImportOptions,
  cancelAtImages = Infinity,
): Promise<Outcome> {
  const client = new ImportClient({ dbName });
  const progress: ImportProgress[] = [];
  try {
    const report = await client.start(await buildFolder(spec), options, (p) => {
      progress.push(p);
      if (p.phase === 'importing' && p.imagesDone >= cancelAtImages) {
        client.cancel();
      }
    });
    return { report, progress, error: null };
  } catch (error) {
    return { report: null, progress, error: describeError(error) };
  } finally {
    client.dispose();
  }
}

export async function inspectFolder(
  dbName: string,
  spec: FolderSpec,
  options: ImportOptions,
): Promise<ImportPlanSummary | { error: string }> {
  const client = new ImportClient({ dbName });
  try {
    return await client.inspect(await buildFolder(spec), options);
  } catch (error) {
    return { error: String((error as Error).message) };
  } finally {
    client.dispose();
  }
}

declare global {
  var runningImport: Promise<unknown> | undefined;
}

/** Starts an import and returns at once; the test reloads the page. */
export async function startImport(
  dbName: string,
  spec: FolderSpec,
  options: ImportOptions,
): Promise<void> {
  const source = await buildFolder(spec);
  globalThis.runningImport = new ImportClient({ dbName })
    .start(source, options, () => undefined)
    .catch(() => undefined);
}

export async function readManifest(
  dbName: string,
  name: string,
): Promise<DatasetManifest | null> {
  const store = await openShardStore({ dbName });
  try {
    return (await store.getManifest(name)) ?? null;
  } finally {
    store.close();
  }
}

/** An image that should be stored, as the test predicts it. */
export interface Expected {
  split: SplitName;
  image: ImageSpec;
  /** 1-based inclusive box, or null for the whole image. */
  box: { x1: number; y1: number; x2: number; y2: number } | null;
  classId: number;
}

async function decodedPixels(spec: ImageSpec): Promise<ImageData> {
  const bitmap = await createImageBitmap(
    new Blob([(await jpegOf(spec)) as Uint8Array<ArrayBuffer>]),
  );
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  return context.getImageData(0, 0, bitmap.width, bitmap.height);
}

/**
 * Reference crop and resize: each output pixel averages an n x n grid of
 * bilinear samples over its footprint in the (clamped) crop, n at least 4
 * and two samples per source pixel.
 */
export function referenceCrop(
  image: ImageData,
  rect: { x: number; y: number; width: number; height: number },
  size: number,
  fit: 'squash' | 'keep-aspect' = 'squash',
): Float32Array {
  // keep-aspect: the crop scaled to fit, centred, the rest black.
  const scale = size / Math.max(rect.width, rect.height);
  const outW = fit === 'squash' ? size : Math.round(rect.width * scale);
  const outH = fit === 'squash' ? size : Math.round(rect.height * scale);
  const left = Math.floor((size - outW) / 2);
  const top = Math.floor((size - outH) / 2);
  const out = new Float32Array(size * size * 3);
  const sample = (x: number, y: number, c: number) => {
    const cx = Math.min(Math.max(x - 0.5, 0), image.width - 1);
    const cy = Math.min(Math.max(y - 0.5, 0), image.height - 1);
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const x1 = Math.min(x0 + 1, image.width - 1);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const fx = cx - x0;
    const fy = cy - y0;
    const at = (xx: number, yy: number) =>
      image.data[(yy * image.width + xx) * 4 + c]!;
    return (
      (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) +
      (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy
    );
  };
  const sx = rect.width / outW;
  const sy = rect.height / outH;
  const n = Math.max(4, Math.ceil(2 * Math.max(sx, sy)));
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let j = 0; j < n; j++) {
          for (let i = 0; i < n; i++) {
            const x = rect.x + (ox + (i + 0.5) / n) * sx;
            const y = rect.y + (oy + (j + 0.5) / n) * sy;
            sum += sample(x, y, c);
          }
        }
        out[((top + oy) * size + left + ox) * 3 + c] = sum / (n * n);
      }
    }
  }
  return out;
}

function clampBox(
  box: Expected['box'],
  width: number,
  height: number,
  shift: number,
) {
  if (box === null) return { x: 0, y: 0, width, height };
  const x = Math.max(0, box.x1 - 1 + shift);
  const y = Math.max(0, box.y1 - 1 + shift);
  const right = Math.min(width, box.x2 + shift);
  const bottom = Math.min(height, box.y2 + shift);
  return { x, y, width: right - x, height: bottom - y };
}

function meanAbs(
  stored: Uint8Array,
  from: number,
  expected: Float32Array,
): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    sum += Math.abs(stored[from + i]! - expected[i]!);
  }
  return sum / expected.length;
}

export interface StoredCheck {
  /** Per split, the stored labels in store order. */
  labels: Record<SplitName, number[]>;
  /** Per expected image: mean |stored - reference| at the box. */
  errors: number[];
  /** The same against the box read as 0-based (one pixel off). */
  shiftedErrors: number[];
}

/** Compares the stored images, in store order, with `expected`. */
export async function checkStored(
  dbName: string,
  name: string,
  expected: Expected[],
  fit: 'squash' | 'keep-aspect' = 'squash',
): Promise<StoredCheck> {
  const store = await openShardStore({ dbName });
  try {
    const manifest = (await store.getManifest(name))!;
    const size = manifest.width;
    const bytes = size * size * 3;
    const check: StoredCheck = {
      labels: { train: [], val: [] },
      errors: [],
      shiftedErrors: [],
    };
    const cursor = { train: 0, val: 0 };
    for (const split of ['train', 'val'] as const) {
      for (let index = 0; ; index++) {
        const shard = await store.getShard(name, split, index);
        if (!shard) break;
        check.labels[split].push(...shard.labels);
      }
    }
    for (const want of expected) {
      const position = cursor[want.split]++;
      const shardIndex = Math.floor(position / manifest.shardSize);
      const shard = await store.getShard(name, want.split, shardIndex);
      if (!shard) {
        check.errors.push(Infinity);
        check.shiftedErrors.push(Infinity);
        continue;
      }
      const from = (position % manifest.shardSize) * bytes;
      const image = await decodedPixels(want.image);
      const { width, height } = image;
      for (const [shift, list] of [
        [0, check.errors],
        [1, check.shiftedErrors],
      ] as const) {
        const rect = clampBox(want.box, width, height, shift);
        list.push(
          meanAbs(shard.pixels, from, referenceCrop(image, rect, size, fit)),
        );
      }
    }
    return check;
  } finally {
    store.close();
  }
}
