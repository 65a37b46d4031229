// A MobileNetV3-Large run's export as the Worker builds it, in Node: the
// zip's safetensors file holds torchvision's mobilenet_v3_large state dict
// (names, order, layouts), loads back into the lab's network with the same
// logits, and loads strictly into torchvision's own network (Debian's
// python) with the logits the lab computes on the tfjs CPU backend; the
// ONNX zip runs in onnxruntime and the tfjs Layers zip in
// tf.loadLayersModel with the same logits.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readModelWeights } from '../../src/export/read-weights';
import {
  buildRunExport,
  type RunExportSource,
} from '../../src/export/run-export';
import { withReport } from '../../src/runs/record';
import {
  createMobileNet,
  disposeMobileNet,
  type MobileNetConfig,
  type MobileNetState,
} from '../../src/train/mobilenet';
import type { NamedWeights, TrainReport } from '../../src/train/protocol';
import { loadSafetensors } from '../../src/weights/load';
import type { ModelCard } from '../../src/weights/model-card';
import { readSafetensors } from '../../src/weights/safetensors';
import { stateDictEntries } from '../../src/weights/state-dict';
import {
  randomizeBatchNorm,
  settleBatchNorm,
} from '../../tools/fixtures/resnet-state';
import { record } from './runs-fixtures';
import { labLogits, randomImages } from './logit-checks';
import { unzipAll } from '../zip-files';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'];
const DATE = new Date('2026-12-04T12:00:00Z');
const SIZE = 32;

const configOf = (inChannels: number): MobileNetConfig => ({
  name: 'mobilenet_v3_large',
  numClasses: CLASSES.length,
  inChannels,
  widthMultiplier: 0.25,
});

const models: MobileNetState[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  models.splice(0).forEach(disposeMobileNet);
});

/** A network with seeded weights and batch-norm layers unlike the identity. */
function trainedLike(inChannels: number, seed: number): MobileNetState {
  const model = createMobileNet(configOf(inChannels), seed);
  randomizeBatchNorm(model, seed);
  settleBatchNorm(model, seed);
  models.push(model);
  return model;
}

async function sourceOf(model: MobileNetState): Promise<RunExportSource> {
  const { inChannels } = model.graph.config;
  const r = record('run-7', {
    name: 'mobile: ta_wide',
    recipe: {
      model: 'mobilenet_v3_large',
      width: 0.25,
      imageSize: SIZE,
      seed: 9,
    },
    top1: [0.3, 0.5],
  });
  const report = {
    epochs: r.epochs,
    bestValTop1: 0.5,
    bestEpoch: 2,
    stopped: false,
    normalization: {
      mean: Array(inChannels).fill(0.5),
      std: Array(inChannels).fill(0.25),
    },
    numTrainImages: 40,
    numValImages: 20,
  } as unknown as TrainReport;
  const weights: NamedWeights = {};
  for (const [name, { shape, data }] of await readModelWeights(model)) {
    weights[name] = { shape: [...shape], data };
  }
  return {
    record: { ...withReport(r, report, 1), hasWeights: true },
    weights,
    classNames: CLASSES,
    date: DATE,
  };
}

/** The lab's logits, as numbers. */
const logits = async (model: MobileNetState, x: tf.Tensor4D) => [
  ...(await labLogits(model, x)),
];

/** torchvision's eval-mode logits for the file, loaded strictly. */
function torchvisionLogits(
  file: Uint8Array,
  x: tf.Tensor4D,
  numClasses: number,
): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'lab-mobilenet-'));
  try {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, file);
    const inputs = join(dir, 'inputs.json');
    const input = [...x.dataSync()];
    writeFileSync(inputs, JSON.stringify({ input, inputShape: x.shape }));
    const run = spawnSync(
      '/usr/bin/python3',
      [
        'check_exported_weights.py',
        path,
        'mobilenet_v3_large',
        String(numClasses),
        '--width-mult',
        '0.25',
        inputs,
      ],
      {
        encoding: 'utf8',
        cwd: resolve(import.meta.dirname, '../reference'),
      },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return (JSON.parse(run.stdout) as { logits: number[] }).logits;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// As tests/browser/weights-reference.ts holds the lab to torchvision: the
// same float32 maths summed in another order differed here by 1.5e-6 of
// the largest logit at most (the networks' batch norms settled on noise,
// so that the logits depend on the input); a layout slip or a lost
// statistic moves them by tens of percent. ONNX and tfjs Layers, which
// also round folded or composed weights, are held to 1e-4 as in
// onnx-export-mobilenet.test.ts, which has the measurements.
const TOLERANCE = 2e-5;
const EXPORT_TOLERANCE = 1e-4;

function worstDifference(got: number[], want: number[]): number {
  const scale = Math.max(...want.map(Math.abs));
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
  return worst / scale;
}

// Python starts torch in a few seconds; a width-0.25 pass at 32 px is
// well under a second on the CPU backend.
const SLOW = 120_000;

describe('a MobileNetV3-Large run’s export', { timeout: SLOW }, () => {
  test("the zip holds torchvision's state dict and a model card", async () => {
    const model = trainedLike(3, 4);
    const source = await sourceOf(model);
    const built = await buildRunExport('safetensors', source);
    expect(built.fileName).toBe('mobile-ta_wide-safetensors.zip');
    expect(built.notes).toEqual([]);
    const files = await unzipAll(built.parts);
    expect([...files.keys()]).toEqual(['model.safetensors', 'model-card.json']);

    const file = readSafetensors(files.get('model.safetensors')!);
    const entries = stateDictEntries(model.graph);
    expect([...file.tensors.keys()]).toEqual(entries.map((e) => e.name));
    for (const e of entries) {
      expect(file.tensors.get(e.name)!.shape).toEqual(e.torchShape);
    }
    // A depthwise kernel is [channels, 1, kh, kw]; the head [K, hidden].
    expect(file.tensors.get('features.1.block.0.0.weight')!.shape).toEqual([
      8, 1, 3, 3,
    ]);
    expect(file.tensors.get('classifier.3.weight')!.shape).toEqual([4, 320]);

    const card = JSON.parse(
      new TextDecoder().decode(files.get('model-card.json')),
    ) as ModelCard;
    expect(card).toEqual(built.card);
    expect(card).toMatchObject({
      model: { name: 'mobilenet_v3_large', width: 0.25, numClasses: 4 },
      weights: { files: ['model.safetensors'], startedFrom: null },
      classes: CLASSES,
      input: {
        size: SIZE,
        channels: 3,
        normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
      },
      recipe: source.record.recipe,
      seed: 9,
      metrics: { bestValTop1: 0.5, bestEpoch: 2 },
    });
  });

  test.each([
    ['RGB', 3],
    ['gray', 1],
  ])(
    '%s: the file loads back, and strictly into torchvision, with the lab’s logits',
    async (_, inChannels) => {
      const model = trainedLike(inChannels, 10 + inChannels);
      const built = await buildRunExport('safetensors', await sourceOf(model));
      const bytes = (await unzipAll(built.parts)).get('model.safetensors')!;
      const x = randomImages(2, SIZE, inChannels, inChannels);
      const want = await logits(model, x);

      const copy = createMobileNet(configOf(inChannels), 99);
      models.push(copy);
      loadSafetensors(copy, bytes);
      expect(await logits(copy, x)).toEqual(want);

      const torch = torchvisionLogits(bytes, x, CLASSES.length);
      expect(torch).toHaveLength(want.length);
      const worst = worstDifference(torch, want);
      console.info(`${inChannels}-channel torchvision vs lab: ${worst}`);
      expect(worst).toBeLessThan(TOLERANCE);
      x.dispose();
    },
  );

  test('a MobileNet run as ONNX gives the lab’s logits in onnxruntime', async () => {
    const model = trainedLike(3, 21);
    const built = await buildRunExport('onnx', await sourceOf(model));
    const files = await unzipAll(built.parts);
    expect([...files.keys()]).toEqual(['model.onnx', 'model-card.json']);
    expect(built.card.weights.files).toEqual(['model.onnx']);

    const x = randomImages(2, SIZE, 3, 5);
    const session = await ort.InferenceSession.create(files.get('model.onnx')!);
    const nchw = x.transpose([0, 3, 1, 2]);
    const input = new ort.Tensor('float32', nchw.dataSync() as Float32Array, [
      2,
      3,
      SIZE,
      SIZE,
    ]);
    const out = await session.run({ input });
    await session.release();
    const got = [...(out.logits!.data as Float32Array)];
    const worst = worstDifference(got, await logits(model, x));
    expect(worst).toBeLessThan(EXPORT_TOLERANCE);
    expect(session.inputNames).toEqual(['input']);
    tf.dispose([x, nchw]);
  });

  test('a MobileNet run as tfjs layers gives the lab’s logits', async () => {
    const model = trainedLike(1, 31);
    const built = await buildRunExport('tfjs', await sourceOf(model));
    const files = await unzipAll(built.parts);
    expect([...files.keys()]).toEqual([
      'model.json',
      'weights.bin',
      'model-card.json',
    ]);
    const json = JSON.parse(new TextDecoder().decode(files.get('model.json')));
    const [manifest] = json.weightsManifest as tf.io.WeightsManifestConfig;
    const bin = files.get('weights.bin')!;
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: manifest!.weights,
        weightData: bin.slice().buffer as ArrayBuffer,
      }),
    );
    const x = randomImages(2, SIZE, 1, 6);
    const got = loaded.predict(x) as tf.Tensor;
    const want = await logits(model, x);
    const worst = worstDifference([...(await got.data())], want);
    expect(worst).toBeLessThan(EXPORT_TOLERANCE);
    tf.dispose([x, got]);
    loaded.dispose();
  });
});
