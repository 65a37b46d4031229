// Weight conversion and prediction in the page, for `lab convert` and
// `lab predict`: files come from and go to URLs the driver serves (fetch
// and PUT), so large files never cross the automation channel as text.
import * as tf from '@tensorflow/tfjs';
import { exportOnnx } from '../export/model-onnx';
import { readModelWeights } from '../export/read-weights';
import { RESNET_MODEL_NAMES, type ModelName } from '../recipe/recipe';
import { initBackend, type Backend } from '../train/backend';
import {
  createModel,
  disposeModel,
  forwardModel,
  type LabModel,
  type ModelConfig,
} from '../train/model';
import { normalization } from '../train/step';
import { MODEL_CARD_FILE, type WeightFormatName } from './formats';
import { exportSafetensors, loadSafetensors } from './load';
import { buildModelCard, type ModelCard } from './model-card';
import type { LoadReport } from './plan';
import { readSafetensors } from './safetensors';
import { exportTfjsLayers } from './tfjs-layers';
import type { Normalization } from './sources';

type Writer = (
  model: LabModel,
  input: { normalization: Normalization; classNames: string[] },
) => Promise<{ name: string; bytes: Uint8Array }[]>;

/** One writer per format of formats.ts. */
const WRITERS: Record<WeightFormatName, Writer> = {
  safetensors: async (model) => [
    { name: 'model.safetensors', bytes: await exportSafetensors(model) },
  ],
  tfjs: exportTfjsLayers,
  onnx: async (model, input) => {
    const weights = await readModelWeights(model);
    const bytes = exportOnnx(model.graph, weights, input);
    return [{ name: 'model.onnx', bytes }];
  },
};

let backend: Promise<Backend> | null = null;

function ready(): Promise<Backend> {
  backend ??= initBackend('lab');
  return backend;
}

async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(
      `reading ${url}: expected HTTP 200, got ${response.status}`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

async function putBytes(url: string, bytes: Uint8Array): Promise<void> {
  const body = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const response = await fetch(url, { method: 'PUT', body });
  if (!response.ok) {
    throw new Error(
      `writing ${url}: expected HTTP 200, got ${response.status}`,
    );
  }
}

export interface ConvertArgs {
  weightsUrl: string;
  /** Where files are PUT: `${outputUrl}${name}`. */
  outputUrl: string;
  model: ModelName;
  numClasses: number;
  inChannels: number;
  width: number;
  formats: WeightFormatName[];
  /** Recorded in the model card. */
  startedFrom: string;
  inputSize: number;
  date: string;
}

export interface ConvertResult {
  report: LoadReport;
  backend: string;
  files: { name: string; bytes: number }[];
}

/** Loads a weight file into the lab's model and writes it in `formats`. */
export async function convertWeights(
  args: ConvertArgs,
): Promise<ConvertResult> {
  const { info } = await ready();
  const config: ModelConfig = {
    name: args.model,
    numClasses: args.numClasses,
    inChannels: args.inChannels,
    widthMultiplier: args.width,
  };
  const model = createModel(config, 0);
  try {
    const report = loadSafetensors(model, await fetchBytes(args.weightsUrl));
    const files: ConvertResult['files'] = [];
    const write = async (name: string, bytes: Uint8Array) => {
      await putBytes(`${args.outputUrl}${name}`, bytes);
      files.push({ name, bytes: bytes.length });
    };
    const classNames = Array.from({ length: args.numClasses }, (_, i) =>
      String(i),
    );
    // Weights from elsewhere carry no dataset statistics: the lab's
    // fallback, ImageNet's for RGB.
    const norm = normalization({
      height: args.inputSize,
      width: args.inputSize,
      channels: args.inChannels,
    });
    for (const format of args.formats) {
      const input = { normalization: norm, classNames };
      for (const file of await WRITERS[format](model, input)) {
        await write(file.name, file.bytes);
      }
    }
    const card = buildModelCard({
      config,
      weightsFiles: files.map((f) => f.name),
      classes: classNames,
      inputSize: args.inputSize,
      normalization: norm,
      startedFrom: args.startedFrom,
      backend: {
        name: info.backend,
        adapter: info.adapter,
        tfjsVersion: info.tfjsVersion,
      },
      date: new Date(args.date),
    });
    const json = `${JSON.stringify(card, null, 2)}\n`;
    await write(MODEL_CARD_FILE, new TextEncoder().encode(json));
    return { report, backend: info.backend, files };
  } finally {
    disposeModel(model);
  }
}

export interface PredictArgs {
  weightsUrl: string;
  model: ModelName;
  images: { name: string; url: string }[];
  /** Side the images are resized to; images already this size are not. */
  imageSize: number;
  /**
   * From a model card beside the weights: class names (class indices
   * otherwise), normalisation, and the width when the card is for --model.
   */
  card:
    | (Pick<ModelCard, 'classes'> & {
        normalization: Normalization;
        width?: number;
      })
    | null;
}

export interface Prediction {
  image: string;
  logits: number[];
  top5: { class: string; prob: number }[];
}

export interface PredictResult {
  backend: string;
  config: ModelConfig;
  predictions: Prediction[];
}

/**
 * The tensors that size a network in a file: the first convolution ([out,
 * in, k, k]) gives the input channels, the last bias the classes, and the
 * widest convolution over its width-1 channels the width.
 */
const SIZING = {
  resnet: { stem: 'conv1.weight', head: 'fc.bias', kernel: 7, base: 64 },
  mobilenet: {
    stem: 'features.0.0.weight',
    head: 'classifier.3.bias',
    kernel: 3,
    // features.16.0, the head's convolution: 960 channels at width 1.
    base: 960,
  },
} as const;

/**
 * The network a file holds: classes from its head, input channels from
 * its stem, width from the card when there is one, else from the stem
 * (a ResNet) or the head's convolution (a MobileNet).
 */
function configOf(
  name: ModelName,
  bytes: Uint8Array,
  cardWidth: number | undefined,
): ModelConfig {
  const file = readSafetensors(bytes);
  const isResNet = (RESNET_MODEL_NAMES as readonly string[]).includes(name);
  const { stem, head, kernel, base } =
    SIZING[isResNet ? 'resnet' : 'mobilenet'];
  const stemShape = file.tensors.get(stem)?.shape;
  const headShape = file.tensors.get(head)?.shape;
  const widest = isResNet
    ? stemShape
    : file.tensors.get('features.16.0.weight')?.shape;
  if (stemShape?.length !== 4 || headShape?.length !== 1 || !widest) {
    throw new Error(
      `expected ${stem} [out, in, ${kernel}, ${kernel}] and ${head} ` +
        `[classes] in the weights, got ${JSON.stringify(stemShape)} and ` +
        JSON.stringify(headShape),
    );
  }
  return {
    name,
    numClasses: headShape[0]!,
    inChannels: stemShape[1]!,
    widthMultiplier: cardWidth ?? widest[0]! / base,
  };
}

/** An image as a normalised [1, size, size, channels] tensor. */
async function imageTensor(
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  size: number,
  channels: number,
  norm: Normalization,
): Promise<tf.Tensor4D> {
  const blob = new Blob([bytes]);
  const probe = await createImageBitmap(blob).catch((e: unknown) => {
    throw new Error(
      `${name}: expected an image the browser decodes (${String(e)})`,
    );
  });
  const same = probe.width === size && probe.height === size;
  const bitmap = same
    ? probe
    : await createImageBitmap(blob, {
        resizeWidth: size,
        resizeHeight: size,
        resizeQuality: 'high',
      });
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, size, size).data;
  const out = new Float32Array(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = [rgba[4 * p]!, rgba[4 * p + 1]!, rgba[4 * p + 2]!];
    const values = channels === 1 ? [(r + g + b) / 3] : [r, g, b];
    values.forEach((v, c) => {
      out[p * channels + c] = (v / 255 - norm.mean[c]!) / norm.std[c]!;
    });
  }
  return tf.tensor4d(out, [1, size, size, channels]);
}

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Runs the weights on each image, in eval mode. */
export async function predictImages(args: PredictArgs): Promise<PredictResult> {
  const { info } = await ready();
  const bytes = await fetchBytes(args.weightsUrl);
  const config = configOf(args.model, bytes, args.card?.width);
  const classes =
    args.card?.classes ??
    Array.from({ length: config.numClasses }, (_, i) => String(i));
  const norm =
    args.card?.normalization ??
    normalization({ height: 0, width: 0, channels: config.inChannels });
  const model = createModel(config, 0);
  try {
    loadSafetensors(model, bytes);
    const predictions: Prediction[] = [];
    for (const image of args.images) {
      const x = await imageTensor(
        image.name,
        await fetchBytes(image.url),
        args.imageSize,
        config.inChannels,
        norm,
      );
      const y = tf.tidy(() => forwardModel(model, x, null));
      const logits = [...(await y.data())];
      tf.dispose([x, y]);
      const probs = softmax(logits);
      const top5 = probs
        .map((prob, i) => ({ class: classes[i]!, prob }))
        .sort((a, b) => b.prob - a.prob)
        .slice(0, 5);
      predictions.push({ image: image.name, logits, top5 });
    }
    return { backend: info.backend, config, predictions };
  } finally {
    disposeModel(model);
  }
}
