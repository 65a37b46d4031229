// Page-side helpers for weights.test.ts: the lab's networks on WebGPU, as the
// training Worker sets it up (initBackend), loading weight files served by
// the dev server and exporting its own (safetensors, tfjs layers).
// Results are plain data.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { initBackend, type Backend } from '../../src/train/backend';
import {
  modelNamedParams,
  setWeightDecay,
} from '../../src/train/optim/param-groups';
import {
  createModel,
  forwardModel,
  type LabModel,
  type ModelConfig,
} from '../../src/train/model';
import { createResNet, type ResNetConfig } from '../../src/train/resnet';
import { trainStep, type Trainee } from '../../src/train/step';
import { buildOptimizer } from '../../src/train/trainee';
import { exportSafetensors, loadSafetensors } from '../../src/weights/load';
import type { LoadReport } from '../../src/weights/plan';
import { exportTfjsLayers } from '../../src/weights/tfjs-layers';

let backend: Backend | null = null;

async function ready(): Promise<Backend> {
  backend ??= await initBackend('lab');
  return backend;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function logitsOf(
  model: LabModel,
  input: number[],
  shape: [number, number, number, number],
): Promise<number[]> {
  const logits = tf.tidy(() =>
    forwardModel(model, tf.tensor4d(input, shape), null),
  );
  const values = [...(await logits.data())];
  logits.dispose();
  return values;
}

export interface LoadedLogits {
  backend: string;
  adapter: string;
  report: LoadReport;
  logits: number[];
  gpuError: string | null;
}

/** Loads a weight file into a new full-width model and runs it in eval. */
export async function loadAndRun(
  url: string,
  config: ModelConfig,
  input: number[],
  shape: [number, number, number, number],
): Promise<LoadedLogits> {
  const { info, fault } = await ready();
  const model = createModel(config, 0);
  const report = loadSafetensors(model, await fetchBytes(url));
  const logits = await logitsOf(model, input, shape);
  return {
    backend: info.backend,
    adapter: info.adapter,
    report,
    logits,
    gpuError: fault()?.message ?? null,
  };
}

export interface TrainedExport {
  /** The exported file, base64. */
  file: string;
  logits: number[];
  /** How far the steps moved the stem's kernel (max abs change). */
  stemChange: number;
  gpuError: string | null;
}

/**
 * Loads a file, trains `numSteps` SGD steps on seeded random batches
 * (weights and BN running statistics move), then exports the model and
 * returns its eval logits for `input`.
 */
export async function trainAndExport(
  url: string,
  config: ModelConfig,
  numSteps: number,
  input: number[],
  shape: [number, number, number, number],
): Promise<TrainedExport> {
  const { fault } = await ready();
  const model = createModel(config, 0);
  loadSafetensors(model, await fetchBytes(url));
  const stem = model.params.get(model.graph.params[0]!.name)!;
  const before = stem.clone();
  const groups = setWeightDecay(modelNamedParams(model), DEFAULT_RECIPE);
  const trainee: Trainee = {
    model,
    params: model.graph.params.map((p) => model.params.get(p.name)!),
    optimizer: buildOptimizer(groups, DEFAULT_RECIPE),
    numClasses: config.numClasses,
  };
  // Batches of 8 at 64 px leave 32 values per channel on the last 2x2
  // maps. At 32 px (8 values on 1x1 maps) batch norm's gradients blew
  // up: one step took the MobileNet's logits from 2.6 to 27-240, and at
  // that scale float order alone broke the tolerance.
  for (let step = 0; step < numSteps; step++) {
    const x = tf.randomNormal<tf.Rank.R4>(
      [8, 64, 64, 3],
      0,
      1,
      'float32',
      step,
    );
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    tf.dispose([trainStep(trainee, x, labels, 0.01), x, labels]);
  }
  const change = tf.tidy(() => stem.sub(before).abs().max());
  const stemChange = (await change.data())[0]!;
  tf.dispose([before, change]);
  const logits = await logitsOf(model, input, shape);
  const bytes = await exportSafetensors(model, { note: 'browser test' });
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return {
    file: btoa(binary),
    logits,
    stemChange,
    gpuError: fault()?.message ?? null,
  };
}

/**
 * A seeded model with random BN statistics, written in the tfjs layers
 * format, read back with tf.loadLayersModel: both models' logits.
 */
export async function layersRoundTrip(
  config: ResNetConfig,
  input: number[],
  shape: [number, number, number, number],
): Promise<{ lab: number[]; layers: number[]; files: string[] }> {
  await ready();
  const model = createResNet(config, 4);
  for (const [name, v] of model.buffers) {
    const low = name.endsWith('running_var') ? 0.5 : -0.2;
    v.assign(tf.randomUniform(v.shape, low, low + 1, 'float32', v.size));
  }
  const lab = await logitsOf(model, input, shape);
  const files = await exportTfjsLayers(model);
  const json = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights,
      weightData: files[1]!.bytes.buffer,
    }),
  );
  const y = loaded.predict(tf.tensor4d(input, shape)) as tf.Tensor;
  const layers = [...(await y.data())];
  tf.dispose([y]);
  loaded.dispose();
  return { lab, layers, files: files.map((f) => f.name) };
}
