// A synthetic Stanford Cars devkit for `lab bench-import --synthetic N`:
// N JPEGs of photo-like sizes with a box each, in cars_train/ and
// cars_test/, and the devkit's .mat files (class names, train and test
// annotations, test labels). Classes follow a long tail, as fine-grained
// sets do. The JPEGs are encoded by Chromium (no encoder in Node), in a
// browser of their own, so the browser under measurement starts clean.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeMat, type WriteValue } from '../fixtures/mat5-writer';
import { launchChromium } from './browser';

export interface SyntheticImage {
  split: 'train' | 'test';
  fname: string;
  width: number;
  height: number;
  seed: number;
  /** 1-based, inclusive, as the devkit stores boxes. */
  box: [number, number, number, number];
  /** 1-based. */
  classId: number;
}

/** One image in TEST_EVERY goes to cars_test (a validation split). */
const TEST_EVERY = 7;
const BATCH = 40;

/** mulberry32: a small seeded generator, enough for picking sizes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Classes for N images: one each first, the rest on a long tail. */
export function syntheticClasses(numImages: number, random: () => number) {
  const numClasses = Math.max(2, Math.min(196, Math.floor(numImages / 6)));
  const weights = Array.from({ length: numClasses }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: numImages }, (_, i) => {
    if (i < numClasses) return i + 1;
    let r = random() * total;
    let k = 0;
    while (k < numClasses - 1 && (r -= weights[k]!) > 0) k++;
    return k + 1;
  });
}

/** The images of a synthetic set: sizes, boxes, classes, splits. */
export function planSynthetic(numImages: number, seed = 1): SyntheticImage[] {
  const random = rng(seed);
  const classes = syntheticClasses(numImages, random);
  const next = { train: 0, test: 0 };
  return classes.map((classId, i) => {
    const split = i % TEST_EVERY === TEST_EVERY - 1 ? 'test' : 'train';
    const width = 320 + Math.floor(random() * 160);
    const height = 220 + Math.floor(random() * 120);
    const w = Math.floor(width * (0.4 + 0.5 * random()));
    const h = Math.floor(height * (0.4 + 0.5 * random()));
    const x1 = 1 + Math.floor(random() * (width - w));
    const y1 = 1 + Math.floor(random() * (height - h));
    return {
      split,
      fname: `${String(++next[split]).padStart(5, '0')}.jpg`,
      width,
      height,
      seed: i + 1,
      box: [x1, y1, x1 + w - 1, y1 + h - 1],
      classId,
    };
  });
}

const scalar = (v: number): WriteValue => ({
  kind: 'numeric',
  class: v > 255 ? 'uint16' : 'uint8',
  dims: [1, 1],
  data: [v],
});

function annotations(images: SyntheticImage[], labelled: boolean) {
  const fieldNames = ['bbox_x1', 'bbox_y1', 'bbox_x2', 'bbox_y2'];
  if (labelled) fieldNames.push('class');
  fieldNames.push('fname');
  const elements = images.map((image) => {
    const [x1, y1, x2, y2] = image.box;
    const row: Record<string, WriteValue> = {
      bbox_x1: scalar(x1),
      bbox_y1: scalar(y1),
      bbox_x2: scalar(x2),
      bbox_y2: scalar(y2),
      fname: { kind: 'char', rows: [image.fname] },
    };
    if (labelled) row.class = scalar(image.classId);
    return row;
  });
  const value: WriteValue = {
    kind: 'struct',
    dims: [1, images.length],
    fieldNames,
    elements,
  };
  return writeMat([['annotations', value]], { compress: true });
}

function classNames(images: SyntheticImage[]): Uint8Array {
  const numClasses = Math.max(...images.map((i) => i.classId));
  const values: WriteValue[] = Array.from({ length: numClasses }, (_, k) => ({
    kind: 'char',
    rows: [`Synthetic Car ${String(k + 1).padStart(3, '0')}`],
  }));
  return writeMat(
    [['class_names', { kind: 'cell', dims: [1, numClasses], values }]],
    { compress: true },
  );
}

type Spec = Pick<SyntheticImage, 'width' | 'height' | 'seed'>;

// Runs in the page. Written without inner named functions: the page gets
// this function's source text, and helpers a bundler adds for names would
// not exist there.
async function encodeInPage(specs: Spec[]): Promise<string[]> {
  const out: string[] = [];
  for (const { width, height, seed } of specs) {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d')!;
    const image = context.createImageData(width, height);
    const d = image.data;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // Smooth colour fields plus hashed noise: JPEGs that cost about
        // what photos cost to decode, not flat colour.
        const noise =
          ((x * 73856093) ^ (y * 19349663) ^ (seed * 83492791)) & 63;
        const at = (y * width + x) * 4;
        d[at] = 120 + 90 * Math.sin(x * 0.03 + seed) + noise - 32;
        d[at + 1] = 120 + 90 * Math.cos(y * 0.05 + seed * 2) + noise - 32;
        d[at + 2] = 120 + 80 * Math.sin((x + y) * 0.02 + seed * 3);
        d[at + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
    const blob = await canvas.convertToBlob({
      type: 'image/jpeg',
      quality: 0.9,
    });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    out.push(btoa(text));
  }
  return out;
}

/**
 * Writes a synthetic devkit of `numImages` images under `dir`; returns
 * its folder. `onProgress` hears the images written so far.
 */
export async function writeSyntheticDevkit(
  dir: string,
  numImages: number,
  onProgress: (written: number) => void = () => {},
): Promise<string> {
  const root = join(dir, `synthetic-cars-${numImages}`);
  const images = planSynthetic(numImages);
  for (const sub of ['cars_train', 'cars_test', 'devkit']) {
    await mkdir(join(root, sub), { recursive: true });
  }
  const browser = await launchChromium({ webgpu: false });
  try {
    const page = await browser.newPage();
    for (let i = 0; i < images.length; i += BATCH) {
      const batch = images.slice(i, i + BATCH);
      const specs = batch.map(({ width, height, seed }) => ({
        width,
        height,
        seed,
      }));
      const encoded = await page.evaluate(encodeInPage, specs);
      for (const [k, image] of batch.entries()) {
        const path = join(root, `cars_${image.split}`, image.fname);
        await writeFile(path, Buffer.from(encoded[k]!, 'base64'));
      }
      onProgress(i + batch.length);
    }
  } finally {
    await browser.close();
  }
  const train = images.filter((i) => i.split === 'train');
  const test = images.filter((i) => i.split === 'test');
  const files: [string, Uint8Array][] = [
    ['devkit/cars_meta.mat', classNames(images)],
    ['devkit/cars_train_annos.mat', annotations(train, true)],
    ['devkit/cars_test_annos.mat', annotations(test, false)],
    ['cars_test_annos_withlabels.mat', annotations(test, true)],
  ];
  for (const [path, bytes] of files) await writeFile(join(root, path), bytes);
  return root;
}
