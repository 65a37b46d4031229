// Exporting a fine-tuned run's weights as a user does: torchvision's
// ResNet-50 (seeded random weights, tests/reference) is downloaded through
// the Weights panel from a URL served in place of a real one, fine-tuned
// for one step on a small folder of car images imported with the import
// form, and saved with the Runs panel's three buttons.
// Each zip is then opened by what a user would run it with: torchvision
// (strict load), onnxruntime and tf.loadLayersModel, all of which must
// give the lab's own logits for the same images; the model cards must say
// what the run was.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import type { ModelCard } from '../../src/weights/model-card';
import type { PredictResult } from '../../src/weights/convert';
import { readSafetensors } from '../../src/weights/safetensors';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';
import { importFolderFromUi, writeCarsFolder } from './fixture-folder';
import { field } from './form';
import { encodePng } from './png-writer';
import {
  CACHE,
  expectLogitsClose,
  python,
  referenceFiles,
} from './weights-reference';
import { unzipAll } from '../zip-files';

const SHOTS = resolve(ROOT, 'test-results');
const TRAIN_TIMEOUT_MS = 600_000;
// The smallest run that still trains every layer once: one image of each
// class (the training subset takes as many of each) in one batch, one
// epoch, at 16 px (ResNet-50's last stage is then 1 x 1), on a folder of
// 40 images of 6 classes, so that validation takes seconds.
const SIZE = 16;
const LIMIT = 6;
const NUM_IMAGES = 40;
const DATASET = 'cars-export';
// ImageNet's statistics, the default of a file without its own
// (src/weights/info.ts).
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

let session: Session | null = null;
let server: Server | null = null;
const dir = mkdtempSync(join(tmpdir(), 'lab-export-ui-'));
afterAll(async () => {
  await session?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the test's server holds, by path. */
const served = new Map<string, Uint8Array>();

/**
 * Serves the files of `served` from localhost, as a weights host would
 * (CORS open); the origin. A real server, not page.route: 94 MB through
 * the DevTools protocol takes minutes.
 */
async function startServer(): Promise<string> {
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '');
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'access-control-allow-origin': '*',
    });
    response.end(body);
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

const unzip = (path: string) => unzipAll(new Blob([readFileSync(path)]));

const cardOf = (files: Map<string, Uint8Array>) =>
  JSON.parse(
    new TextDecoder().decode(files.get('model-card.json')),
  ) as ModelCard;

/** Clicks a download button and keeps the file; its path. */
async function save(page: Page, label: RegExp): Promise<string> {
  const group = page.getByRole('group', { name: 'Download the last run' });
  const button = group.getByRole('button', { name: label });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    button.click(),
  ]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

/** Seeded RGB noise images, PNG, at the run's size; and their pixels. */
function rgbImages(n: number): { png: Buffer; rgb: Uint8Array }[] {
  let state = 5;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) >> 23;
  return Array.from({ length: n }, () => {
    const rgb = Uint8Array.from({ length: SIZE * SIZE * 3 }, next);
    return { png: encodePng(SIZE, SIZE, rgb), rgb };
  });
}

test('a fine-tuned ResNet-50 downloads as safetensors, tfjs and ONNX that reproduce the lab', async () => {
  const started = new Date();
  const fixture = readFileSync(
    join(CACHE, referenceFiles().models.resnet50.file),
  );
  const host = await startServer();
  served.set('/timm/resnet50/model.safetensors', fixture);
  const weightsUrl = `${host}/timm/resnet50/model.safetensors`;
  session = await openApp();
  const { page } = session;
  await importFolderFromUi(
    page,
    await writeCarsFolder(dir, NUM_IMAGES),
    DATASET,
  );

  const panel = page.getByRole('region', { name: 'Weights' });
  await panel.getByLabel('Safetensors URL').fill(weightsUrl);
  await panel.getByRole('button', { name: 'Download URL' }).click();
  const cached = panel.locator(`li[data-weights-id="${weightsUrl}"]`);
  await expect.poll(() => cached.count(), { timeout: 120_000 }).toBe(1);
  await cached.getByRole('button', { name: 'Train from these' }).click();

  await field(page, 'Train on').selectOption(DATASET);
  await page.getByLabel('Image size (px)').fill(String(SIZE));
  await page.getByLabel('Batch size', { exact: true }).fill(String(LIMIT));
  await page.getByLabel('Training images (0 = all)').fill(String(LIMIT));
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  const trainButton = page.getByRole('button', { name: 'Train', exact: true });
  await expect
    .poll(() => trainButton.isEnabled(), { timeout: 120_000 })
    .toBe(true);
  await trainButton.click();
  const status = page.locator('.status-line');
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  expect(
    await status.innerText(),
    String(await page.locator('.error-box').allInnerTexts()),
  ).toMatch(/^Finished/);

  const safetensorsZip = await save(page, /^Download safetensors of /);
  const tfjsZip = await save(page, /^Download tfjs of /);
  const onnxZip = await save(page, /^Download ONNX of /);
  expect(await page.getByTestId('export-note').innerText()).toMatch(
    /^saved .*-onnx\.zip/,
  );
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SHOTS, 'export.png'), fullPage: true });

  // The model cards: what the run was, the same in all three.
  const row = page.locator('tr[data-run-id]').first();
  const best = Number(await row.getAttribute('data-best'));
  const zips = {
    safetensors: await unzip(safetensorsZip),
    tfjs: await unzip(tfjsZip),
    onnx: await unzip(onnxZip),
  };
  expect([...zips.safetensors.keys()]).toEqual([
    'model.safetensors',
    'model-card.json',
  ]);
  expect([...zips.tfjs.keys()]).toEqual([
    'model.json',
    'weights.bin',
    'model-card.json',
  ]);
  expect([...zips.onnx.keys()]).toEqual(['model.onnx', 'model-card.json']);
  const card = cardOf(zips.safetensors);
  expect(card).toMatchObject({
    model: { name: 'resnet50', width: 1, numClasses: 6 },
    weights: { files: ['model.safetensors'], startedFrom: weightsUrl },
    input: { size: SIZE, channels: 3 },
    recipe: {
      model: 'resnet50',
      pretrained: true,
      weights: weightsUrl,
      imageSize: SIZE,
      limit: LIMIT,
      epochs: 1,
    },
    dataset: { name: DATASET, numTrain: LIMIT },
    seed: card.recipe!.seed,
    metrics: { bestValTop1: best, bestEpoch: 1 },
    backend: { name: 'webgpu', adapter: expect.stringMatching(/\S/) },
  });
  // The dataset's own class names, one per class; its validation split.
  expect(card.classes).toHaveLength(6);
  expect(new Set(card.classes).size).toBe(6);
  expect(card.dataset!.numVal).toBeGreaterThan(0);
  expect(card.dataset!.numVal).toBeLessThan(NUM_IMAGES - LIMIT);
  card.input.normalization.mean.forEach((m, c) =>
    expect(m).toBeCloseTo(IMAGENET_MEAN[c]!, 6),
  );
  card.input.normalization.std.forEach((v, c) =>
    expect(v).toBeCloseTo(IMAGENET_STD[c]!, 6),
  );
  const date = Date.parse(card.date);
  expect(date).toBeGreaterThanOrEqual(started.getTime());
  expect(date).toBeLessThanOrEqual(Date.now());
  for (const other of [cardOf(zips.tfjs), cardOf(zips.onnx)]) {
    expect({ ...other, weights: null, date: null }).toEqual({
      ...card,
      weights: null,
      date: null,
    });
  }

  // The step moved the weights away from the file they started from.
  const exported = zips.safetensors.get('model.safetensors')!;
  const before = readSafetensors(fixture).tensors.get('fc.bias')!.bytes;
  const after = readSafetensors(exported).tensors.get('fc.bias')!.bytes;
  expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false);

  // The lab's logits: the exported file, run by the app's own predict.
  const images = rgbImages(3);
  const urls = images.map((image, i) => {
    served.set(`/fixtures/image-${i}.png`, image.png);
    return `${host}/fixtures/image-${i}.png`;
  });
  served.set('/fixtures/exported.safetensors', exported);
  const exportedUrl = `${host}/fixtures/exported.safetensors`;
  const lab = await page.evaluate((args) => window.recipeLab!.predict(args), {
    weightsUrl: exportedUrl,
    model: 'resnet50' as const,
    images: urls.map((url, i) => ({ name: `image-${i}.png`, url })),
    imageSize: SIZE,
    card: {
      classes: card.classes,
      normalization: card.input.normalization,
    },
  });
  const labLogits = (lab as PredictResult).predictions.flatMap((p) => p.logits);
  // The normalised images, NHWC as the lab and tfjs take them.
  const { mean, std } = card.input.normalization;
  const input = images.flatMap(({ rgb }) =>
    [...rgb].map((v, i) => (v / 255 - mean[i % 3]!) / std[i % 3]!),
  );
  const shape = [images.length, SIZE, SIZE, 3] as const;
  // And NCHW, as onnxruntime takes them.
  const planar = images.flatMap((_, n) =>
    Array.from({ length: 3 * SIZE * SIZE }, (_, j) => {
      const c = Math.floor(j / (SIZE * SIZE));
      const pixel = j % (SIZE * SIZE);
      return input[(n * SIZE * SIZE + pixel) * 3 + c]!;
    }),
  );

  // torchvision, strict, on the safetensors file.
  const weightsPath = join(dir, 'model.safetensors');
  const inputsPath = join(dir, 'inputs.json');
  await writeFile(weightsPath, exported);
  await writeFile(inputsPath, JSON.stringify({ input, inputShape: shape }));
  const torch = JSON.parse(
    python([
      'check_exported_weights.py',
      weightsPath,
      'resnet50',
      '6',
      inputsPath,
    ]),
  ) as { logits: number[] };
  expectLogitsClose(torch.logits, labLogits);

  // onnxruntime on the ONNX file.
  const onnx = await ort.InferenceSession.create(zips.onnx.get('model.onnx')!);
  const x = new ort.Tensor('float32', Float32Array.from(planar), [
    images.length,
    3,
    SIZE,
    SIZE,
  ]);
  const { logits } = await onnx.run({ input: x });
  await onnx.release();
  expectLogitsClose([...(logits!.data as Float32Array)], labLogits);

  // tf.loadLayersModel on model.json and the weight file it names.
  await tf.setBackend('cpu');
  const json = JSON.parse(
    new TextDecoder().decode(zips.tfjs.get('model.json')),
  ) as {
    modelTopology: object;
    weightsManifest: {
      paths: string[];
      weights: tf.io.WeightsManifestEntry[];
    }[];
  };
  const [manifest] = json.weightsManifest;
  const weightData = zips.tfjs.get(manifest!.paths[0]!)!;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest!.weights,
      weightData: weightData.slice().buffer,
    }),
  );
  const y = model.predict(tf.tensor4d(input, [...shape])) as tf.Tensor;
  expectLogitsClose([...(await y.data())], labLogits);
  model.dispose();
  y.dispose();
  expect(session.pageErrors).toEqual([]);
});
