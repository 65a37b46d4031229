// `lab convert`, `lab predict` and `lab weights` as a user runs them:
// torchvision's ResNet-18 file converted for another class count
// (safetensors and tfjs layers), then run on PNG files at their own size,
// against torchvision on the converted file; torchvision's MobileNetV3 file
// converted to every format, each read back by what a user would use
// (torchvision, onnxruntime, tf.loadLayersModel), and stored in a
// profile's weights cache and listed by another browser.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ModelCard } from '../../src/weights/model-card';
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

test('convert writes a MobileNetV3 in every format; torchvision, onnxruntime and tfjs give its logits', async () => {
  const expected = referenceFiles();
  const reference = expected.models.mobilenet_v3_large;
  const out = join(dir, 'mobilenet');
  const converted = await lab(
    [
      'convert',
      '--in',
      join(CACHE, reference.file),
      '--model',
      'mobilenet_v3_large',
      '--classes',
      String(reference.numClasses),
      '--out',
      out,
      '--format',
      'safetensors,onnx,tfjs',
    ],
    300_000,
  );
  expect(converted.stderr).toBe('');
  expect(converted.code).toBe(0);
  expect(converted.stdout).toContain(
    'into mobilenet_v3_large (width 1, 10 classes, 3 input channels)',
  );
  expect(converted.stdout).toContain(`wrote ${join(out, 'model.onnx')}`);
  const card = JSON.parse(
    await readFile(join(out, 'model-card.json'), 'utf8'),
  ) as ModelCard;
  expect(card.model).toEqual({
    name: 'mobilenet_v3_large',
    width: 1,
    numClasses: 10,
  });
  expect(card.weights.files).toEqual([
    'model.safetensors',
    'model.onnx',
    'model.json',
    'weights.bin',
  ]);

  // torchvision loads the converted file strictly: the reference logits.
  const inputs = join(dir, 'inputs.json');
  const { input, inputShape } = expected;
  await writeFile(inputs, JSON.stringify({ input, inputShape }));
  const torch = JSON.parse(
    python([
      'check_exported_weights.py',
      join(out, 'model.safetensors'),
      'mobilenet_v3_large',
      '10',
      inputs,
    ]),
  ) as { logits: number[] };
  expectLogitsClose(torch.logits, reference.logits);

  // onnxruntime on the same input, NHWC moved to NCHW.
  const [n, h, w, c] = inputShape;
  const nchw = new Float32Array(input.length);
  for (let i = 0; i < n * h * w; i++) {
    const [b, p] = [Math.floor(i / (h * w)), i % (h * w)];
    for (let k = 0; k < c; k++)
      nchw[(b * c + k) * h * w + p] = input[i * c + k]!;
  }
  const bytes = await readFile(join(out, 'model.onnx'));
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({
    input: new ort.Tensor('float32', nchw, [n, c, h, w]),
  });
  await session.release();
  expectLogitsClose(
    [...(result.logits!.data as Float32Array)],
    reference.logits,
  );

  // tf.loadLayersModel on the tfjs files, on tfjs's CPU backend here.
  await tf.setBackend('cpu');
  const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  const [manifest] = json.weightsManifest as tf.io.WeightsManifestConfig;
  const bin = await readFile(join(out, 'weights.bin'));
  const layers = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest!.weights,
      weightData: new Uint8Array(bin).buffer,
    }),
  );
  const x = tf.tensor4d(input, inputShape);
  const y = layers.predict(x) as tf.Tensor;
  expectLogitsClose([...(await y.data())], reference.logits);
  tf.dispose([x, y]);
  layers.dispose();
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
