// Builds public/datasets/fashion-mnist-demo.bin, the small dataset the lab
// offers before a user brings their own: a seeded, class-balanced subset of
// Fashion-MNIST in the format of src/data/demo-format.ts, gzip-compressed.
//
//   npx tsx tools/make-demo-dataset.ts [--source DIR] [--out FILE]
//
// The same input gives the same bytes: the subset and the order come from a
// fixed seed, and the gzip header carries no time stamp and no OS.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  encodeDemo,
  type DemoHeader,
  type DemoSplitData,
} from '../src/data/demo-format';
import type { SplitName } from '../src/data/schema';
import { createRng, deriveSeed, shuffleInPlace } from '../src/lib/random';

const ROOT = resolve(import.meta.dirname, '..');
const DEFAULT_SOURCE = '/usr/share/datasets/fashion-mnist';
const DEFAULT_OUT = join(ROOT, 'public/datasets/fashion-mnist-demo.bin');
const SEED = 1;

// Class ids as Zalando Research's README lists them.
const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

interface SplitPlan {
  name: SplitName;
  /** File prefix in the Debian package: train or t10k. */
  file: string;
  numPerClass: number;
}

const PLAN: SplitPlan[] = [
  { name: 'train', file: 'train', numPerClass: 1650 },
  { name: 'val', file: 't10k', numPerClass: 100 },
];

interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** Reads an IDX file of unsigned bytes (type code 0x08). */
function readIdx(path: string): Idx {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = view.getUint32(0, false);
  const numDims = magic & 0xff;
  if (magic >>> 8 !== 0x08 || numDims < 1 || numDims > 3) {
    throw new Error(
      `${path}: expected an IDX file of unsigned bytes, got magic ` +
        `0x${magic.toString(16).padStart(8, '0')}`,
    );
  }
  const dims = Array.from({ length: numDims }, (_, i) =>
    view.getUint32(4 + 4 * i, false),
  );
  const start = 4 + 4 * numDims;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== expected) {
    throw new Error(
      `${path}: expected ${expected} data bytes for dims ${dims}, got ` +
        `${bytes.length - start}`,
    );
  }
  return { dims, data: bytes.subarray(start) };
}

function readSplit(dir: string, plan: SplitPlan): DemoSplitData {
  const images = readIdx(join(dir, `${plan.file}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(dir, `${plan.file}-labels-idx1-ubyte.gz`));
  const [count, height, width] = images.dims;
  if (height !== 28 || width !== 28 || labels.dims[0] !== count) {
    throw new Error(
      `${plan.file}: expected N x 28 x 28 images and N labels, got ` +
        `${images.dims} images and ${labels.dims} labels`,
    );
  }
  const picked = pickBalanced(labels.data, plan);
  const imageBytes = height * width;
  const out = {
    labels: new Uint8Array(picked.length),
    pixels: new Uint8Array(picked.length * imageBytes),
  };
  picked.forEach((source, i) => {
    out.labels[i] = labels.data[source]!;
    const from = source * imageBytes;
    out.pixels.set(
      images.data.subarray(from, from + imageBytes),
      i * imageBytes,
    );
  });
  return out;
}

/**
 * numPerClass source indices of each class, drawn without replacement, then
 * one shuffle of the lot so that classes are interleaved in the file.
 */
function pickBalanced(labels: Uint8Array, plan: SplitPlan): number[] {
  const byClass = CLASS_NAMES.map(() => [] as number[]);
  labels.forEach((label, i) => byClass[label]?.push(i));
  const picked: number[] = [];
  byClass.forEach((indices, c) => {
    if (indices.length < plan.numPerClass) {
      throw new Error(
        `${plan.file}: expected at least ${plan.numPerClass} images of ` +
          `class ${c}, got ${indices.length}`,
      );
    }
    shuffleInPlace(indices, createRng(deriveSeed(SEED, plan.name, 'pick', c)));
    picked.push(...indices.slice(0, plan.numPerClass));
  });
  shuffleInPlace(picked, createRng(deriveSeed(SEED, plan.name, 'order')));
  return picked;
}

/** gzip with the OS byte set to "unknown", so every platform agrees. */
function gzipStable(bytes: Uint8Array): Buffer {
  const out = gzipSync(bytes, { level: 9 });
  out[9] = 0xff;
  return out;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: DEFAULT_SOURCE },
      out: { type: 'string', default: DEFAULT_OUT },
    },
  });
  const data = PLAN.map((plan) => readSplit(values.source, plan));
  const header: DemoHeader = {
    name: 'fashion-mnist-demo',
    classNames: CLASS_NAMES,
    height: 28,
    width: 28,
    channels: 1,
    splits: PLAN.map((plan, i) => ({
      name: plan.name,
      numImages: data[i]!.labels.length,
    })),
    source:
      'Fashion-MNIST by Zalando Research, from the Debian package ' +
      'dataset-fashion-mnist; 1,650 train images per class from the train ' +
      `file, 100 val images per class from the t10k file, seed ${SEED}`,
    licence: 'MIT, Copyright (c) 2017 Zalando SE',
    sourceId: 'pending',
  };
  // The fingerprint covers everything but itself: header and records.
  const draft = encodeDemo(header, data);
  const digest = createHash('sha256').update(draft).digest('hex');
  header.sourceId = `sha256:${digest.slice(0, 32)}`;
  const file = gzipStable(encodeDemo(header, data));
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, file);
  console.log(
    `wrote ${values.out}: ${file.length} bytes, ` +
      `${header.splits.map((s) => `${s.numImages} ${s.name}`).join(', ')}, ` +
      header.sourceId,
  );
}

main();
