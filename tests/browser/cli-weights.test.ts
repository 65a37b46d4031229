// `lab convert`, `lab predict` and `lab weights` as a user runs them:
// torchvision's ResNet-18 file converted for another class count
// (safetensors and tfjs layers), then run on PNG files at their own size,
// against torchvision on the converted file; a MobileNetV3 file in
// torchvision's layout converted to every format, each read back by what a
// user would use (torchvision, onnxruntime, tf.loadLayersModel), and run by
// predict; torchvision's MobileNetV3 file stored in a profile's weights
// cache and listed by another browser.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createMobileNet,
  disposeMobileNet,
  forwardMobileNet,
} from '../../src/train/mobilenet';
import { readStateDict } from '../../src/weights/load';
import type { ModelCard } from '../../src/weights/model-card';
import { writeSafetensors } from '../../src/weights/safetensors';
import {
  randomizeBatchNorm,
  settleBatchNorm,
} from '../../tools/fixtures/resnet-state';
import type { Prediction } from '../../src/weights/convert';
import { lab } from './cli-run';
import { encodePng } from './png-writer';
import {
  CACHE,
  expectLogitsClose,
  python,
  referenceFiles,
} from './weights-reference';

const SIZE = 64;
let dir: string;
let source: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-cli-weights-'));
  source = join(CACHE, referenceFiles().models.resnet18.file);
  // Seeded noise images, already at the size predict is asked for.
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) >> 23;
  await writeFile(join(dir, 'notes.txt'), 'not an image\n');
  for (const name of ['b.png', 'a.png', 'c.png']) {
    const rgb = Uint8Array.from({ length: SIZE * SIZE * 3 }, next);
    await writeFile(join(dir, name), encodePng(SIZE, SIZE, rgb));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('convert refits the head, writes safetensors and a card; predict matches torchvision', async () => {
  const out = join(dir, 'converted');
  const converted = await lab(
    [
      'convert',
      '--in',
      source,
      '--model',
      'resnet18',
      '--classes',
      '4',
      '--out',
      out,
      '--image-size',
      String(SIZE),
      '--format',
      'safetensors,tfjs',
    ],
    300_000,
  );
  expect(converted.stderr).toBe('');
  expect(converted.code).toBe(0);
  expect(converted.stdout).toContain(
    "note: the file's head has 10 classes; a freshly initialised head for " +
      '4 classes replaces it',
  );
  for (const file of ['model.safetensors', 'model.json', 'weights.bin']) {
    expect(converted.stdout).toContain(`wrote ${join(out, file)}`);
  }
  const card = JSON.parse(
    await readFile(join(out, 'model-card.json'), 'utf8'),
  ) as ModelCard;
  expect(card.classes).toEqual(['0', '1', '2', '3']);
  expect(card.weights.files).toEqual([
    'model.safetensors',
    'model.json',
    'weights.bin',
  ]);
  expect(card.input.size).toBe(SIZE);

  const json = join(dir, 'predictions.json');
  const predicted = await lab(
    [
      'predict',
      '--weights',
      join(out, 'model.safetensors'),
      '--model',
      'resnet18',
      '--images',
      dir,
      '--json',
      json,
    ],
    300_000,
  );
  expect(predicted.code).toBe(0);
  const report = JSON.parse(await readFile(json, 'utf8')) as {
    imageSize: number;
    predictions: Prediction[];
  };
  expect(report.imageSize).toBe(SIZE);
  expect(report.predictions.map((p) => p.image)).toEqual([
    'a.png',
    'b.png',
    'c.png',
  ]);
  for (const p of report.predictions) {
    expect(p.top5).toHaveLength(4);
    const sum = p.top5.reduce((s, t) => s + t.prob, 0);
    expect(sum).toBeCloseTo(1, 5);
    expect(p.top5[0]!.prob).toBeGreaterThanOrEqual(p.top5[1]!.prob);
  }
  const torch = JSON.parse(
    python([
      'check_exported_weights.py',
      join(out, 'model.safetensors'),
      'resnet18',
      '4',
      '--images',
      dir,
    ]),
  ) as { logits: number[] };
  expectLogitsClose(
    report.predictions.flatMap((p) => p.logits),
    torch.logits,
  );
});

test('convert names the tensors that do not fit, and a missing file', async () => {
  const wrong = await lab(
    [
      'convert',
      '--in',
      source,
      '--model',
      'resnet50',
      '--classes',
      '10',
      '--out',
      join(dir, 'wrong'),
    ],
    300_000,
  );
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain(
    'the weights do not fit resnet50 (width 1, 10 classes, 3 input channels)',
  );
  expect(wrong.stderr).toContain('missing (');
  expect(wrong.stderr).toContain(
    'layer1.0.conv1.weight: expected [64,64,1,1], got [64,64,3,3]',
  );

  const missing = await lab(
    [
      'convert',
      '--in',
      join(dir, 'none.safetensors'),
      '--classes',
      '2',
      '--out',
      dir,
    ],
    60_000,
  );
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(
    `--in: expected a safetensors file, got ${join(dir, 'none.safetensors')}`,
  );
});

/** The largest difference over the largest magnitude of `want`. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>) {
  let [diff, scale] = [0, 0];
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

// A width-0.25 MobileNet whose batch norms are settled on noise, so that
// its logits depend on the input (torchvision's reference MobileNet would
// not do: its logits hardly vary with it). Held to torch as the reference
// checks are (2e-5), and to 1e-4 where weights are folded or composed
// (ONNX, tfjs Layers), as tests/unit/onnx-export-mobilenet.test.ts
// explains, or WebGPU sums in its own order (predict: 7e-6 here, where a
// rounding of the input alone moves such a network by up to 6.8e-6); a
// slip moves the logits by 5e-2 or more.
const TORCH_TOLERANCE = 2e-5;
const EXPORT_TOLERANCE = 1e-4;

test('convert writes a MobileNetV3 in every format that torchvision, onnxruntime and tfjs read; predict runs it', async () => {
  await tf.setBackend('cpu');
  const model = createMobileNet(
    {
      name: 'mobilenet_v3_large',
      numClasses: 10,
      inChannels: 3,
      widthMultiplier: 0.25,
    },
    5,
  );
  randomizeBatchNorm(model, 5);
  settleBatchNorm(model, 5);
  const source = join(dir, 'mobilenet-source.safetensors');
  await writeFile(source, writeSafetensors(await readStateDict(model)));
  const x = tf.randomUniform<tf.Rank.R4>(
    [2, SIZE, SIZE, 3],
    -2,
    2,
    'float32',
    8,
  );
  const input = [...(await x.data())];
  const inputShape = x.shape;
  const y = forwardMobileNet(model, x, null);
  const labLogits = [...(await y.data())];
  tf.dispose([x, y]);
  disposeMobileNet(model);

  const out = join(dir, 'mobilenet');
  const converted = await lab(
    [
      'convert',
      '--in',
      source,
      '--model',
      'mobilenet_v3_large',
      '--width',
      '0.25',
      '--classes',
      '10',
      '--out',
      out,
      '--format',
      'safetensors,onnx,tfjs',
      '--image-size',
      String(SIZE),
    ],
    300_000,
  );
  expect(converted.stderr).toBe('');
  expect(converted.code).toBe(0);
  expect(converted.stdout).toContain(
    'into mobilenet_v3_large (width 0.25, 10 classes, 3 input channels)',
  );
  expect(converted.stdout).toContain(`wrote ${join(out, 'model.onnx')}`);
  const card = JSON.parse(
    await readFile(join(out, 'model-card.json'), 'utf8'),
  ) as ModelCard;
  expect(card.model).toEqual({
    name: 'mobilenet_v3_large',
    width: 0.25,
    numClasses: 10,
  });
  expect(card.weights.files).toEqual([
    'model.safetensors',
    'model.onnx',
    'model.json',
    'weights.bin',
  ]);

  // torchvision loads the converted file strictly.
  const inputs = join(dir, 'inputs.json');
  await writeFile(inputs, JSON.stringify({ input, inputShape }));
  const torch = JSON.parse(
    python([
      'check_exported_weights.py',
      join(out, 'model.safetensors'),
      'mobilenet_v3_large',
      '10',
      '--width-mult',
      '0.25',
      inputs,
    ]),
  ) as { logits: number[] };
  const errors: Record<string, number> = {};
  errors.torchvision = relativeError(torch.logits, labLogits);

  // onnxruntime on the same input, NHWC moved to NCHW.
  const [n, h, w, c] = inputShape;
  const nchw = new Float32Array(input.length);
  for (let i = 0; i < n * h * w; i++) {
    const [b, p] = [Math.floor(i / (h * w)), i % (h * w)];
    for (let k = 0; k < c; k++) {
      nchw[(b * c + k) * h * w + p] = input[i * c + k]!;
    }
  }
  const session = await ort.InferenceSession.create(
    await readFile(join(out, 'model.onnx')),
  );
  const result = await session.run({
    input: new ort.Tensor('float32', nchw, [n, c, h, w]),
  });
  await session.release();
  errors.onnx = relativeError(result.logits!.data as Float32Array, labLogits);

  // tf.loadLayersModel on the tfjs files, on tfjs's CPU backend here.
  const topology = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  const [manifest] = topology.weightsManifest as tf.io.WeightsManifestConfig;
  const bin = await readFile(join(out, 'weights.bin'));
  const layers = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: topology.modelTopology,
      weightSpecs: manifest!.weights,
      weightData: new Uint8Array(bin).buffer,
    }),
  );
  const xs = tf.tensor4d(input, inputShape);
  const ys = layers.predict(xs) as tf.Tensor;
  errors.tfjs = relativeError(await ys.data(), labLogits);
  tf.dispose([xs, ys]);
  layers.dispose();

  // predict on the PNG files (in the page, on WebGPU), with the card
  // beside the file, against torchvision on the same files.
  const json = join(dir, 'mobilenet-predictions.json');
  const predicted = await lab(
    [
      'predict',
      '--weights',
      join(out, 'model.safetensors'),
      '--model',
      'mobilenet_v3_large',
      '--images',
      dir,
      '--json',
      json,
    ],
    300_000,
  );
  expect(predicted.stderr).toBe('');
  expect(predicted.code).toBe(0);
  const report = JSON.parse(await readFile(json, 'utf8')) as {
    imageSize: number;
    model: { widthMultiplier: number };
    predictions: Prediction[];
  };
  expect(report.imageSize).toBe(SIZE);
  expect(report.model.widthMultiplier).toBe(0.25);
  const onImages = JSON.parse(
    python([
      'check_exported_weights.py',
      join(out, 'model.safetensors'),
      'mobilenet_v3_large',
      '10',
      '--width-mult',
      '0.25',
      '--images',
      dir,
    ]),
  ) as { logits: number[] };
  errors.predict = relativeError(
    report.predictions.flatMap((p) => p.logits),
    onImages.logits,
  );
  console.log('MobileNet convert, of the largest logit:', errors);
  expect(errors.torchvision).toBeLessThan(TORCH_TOLERANCE);
  expect(errors.predict).toBeLessThan(EXPORT_TOLERANCE);
  expect(errors.onnx).toBeLessThan(EXPORT_TOLERANCE);
  expect(errors.tfjs).toBeLessThan(EXPORT_TOLERANCE);
});

test('weights add stores a file in the profile, list shows it, a bad file is refused', async () => {
  const profile = join(dir, 'profile');
  const mobilenet = join(
    CACHE,
    referenceFiles().models.mobilenet_v3_large.file,
  );
  const mb = ((await stat(mobilenet)).size / 2 ** 20).toFixed(1);
  const line =
    'mnv3  mobilenet_v3_large width 1, 10 classes, 3 input channels, ' +
    `${mb} MB, normalisation from ImageNet defaults`;
  const added = await lab(
    ['weights', 'add', mobilenet, '--id', 'mnv3', '--profile', profile],
    120_000,
  );
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  expect(added.stdout).toContain(`cached ${line}`);
  expect(added.stdout).toContain(
    'train --pretrained true --weights mnv3 --profile',
  );

  const bad = await lab(
    ['weights', 'add', join(dir, 'notes.txt'), '--profile', profile],
    120_000,
  );
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain(
    'notes.txt: expected a safetensors file, got one that is not',
  );

  // A new browser on the same profile reads the entry back from IndexedDB.
  const listed = await lab(['weights', 'list', '--profile', profile], 120_000);
  expect(listed.code).toBe(0);
  expect(listed.stdout.trim().split('\n')).toEqual([line]);
});
