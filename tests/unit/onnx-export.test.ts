// The ONNX export in Node: the ModelProto's fields read back with the
// tests' own protobuf reader, and the exported graph run by onnxruntime
// against the lab's eval-mode forward pass on the tfjs CPU backend. The
// browser test repeats the comparison with the logits of WebGPU.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import {
  readModelWeights,
  type NamedArray,
} from '../../src/export/read-weights';
import { exportOnnx } from '../../src/export/model-onnx';
import { foldBatchNorm } from '../../src/export/onnx-builder';
import { BN_EPSILON } from '../../src/train/ops/batch-norm';
import {
  createResNet,
  describeResNet,
  disposeResNet,
  type ResNetConfig,
} from '../../src/train/resnet';
import { Message } from './proto-decode';
import {
  labLogits,
  randomImages,
  relativeError,
  runOnnx,
} from './logit-checks';
import { randomizeBatchNorm } from '../../tools/fixtures/resnet-state';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const RESNET18: ResNetConfig = {
  name: 'resnet18',
  numClasses: 10,
  inChannels: 3,
  widthMultiplier: 0.125,
};

const RESNET50: ResNetConfig = {
  name: 'resnet50',
  numClasses: 7,
  inChannels: 1,
  widthMultiplier: 0.0625,
};

/** A model whose BN layers all differ from the identity. */
async function trainedLike(config: ResNetConfig, seed: number) {
  const state = createResNet(config, seed);
  randomizeBatchNorm(state, seed);
  return { state, weights: await readModelWeights(state) };
}

// Float32 throughout on both sides; what differs is the order of each
// convolution's sums and the one rounding of the folded weights, each about
// 1e-7 relative, over some 50 layers. A layout mistake (a kernel
// transposed, a bias or padding lost) moves the logits by order one.
const TOLERANCE = 1e-4;

test.each([
  ['ResNet-18 width 0.125, RGB', RESNET18],
  ['ResNet-50 width 0.0625, grayscale', RESNET50],
])('%s: onnxruntime reproduces the lab’s logits', async (_, config) => {
  const { state, weights } = await trainedLike(config, 11);
  const x = randomImages(3, 32, config.inChannels);
  const expected = await labLogits(state, x);
  const got = await runOnnx(exportOnnx(state.graph, weights), x);
  expect(got.dims).toEqual([3, config.numClasses]);
  expect(relativeError(got.data, expected)).toBeLessThan(TOLERANCE);
  x.dispose();
  disposeResNet(state);
});

test('the batch size and, unless fixed, the image size are dynamic', async () => {
  const { state, weights } = await trainedLike(RESNET18, 5);
  const bytes = exportOnnx(state.graph, weights);
  for (const [n, size] of [
    [1, 32],
    [5, 32],
    [2, 48],
  ] as const) {
    const x = randomImages(n, size, 3, n + size);
    const got = await runOnnx(bytes, x);
    expect(got.dims).toEqual([n, 10]);
    expect(relativeError(got.data, await labLogits(state, x))).toBeLessThan(
      TOLERANCE,
    );
    x.dispose();
  }
  const fixed = exportOnnx(state.graph, weights, { imageSize: 32 });
  const x = randomImages(1, 48, 3);
  await expect(runOnnx(fixed, x)).rejects.toThrow(/dimension|shape/i);
  x.dispose();
  disposeResNet(state);
});

const CLASS_NAMES = [...'abcdefghij'];

// onnx.proto field numbers, as the reader below uses them.
const MODEL = { irVersion: 1, producer: 2, graph: 7, opset: 8, meta: 14 };
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 };

function dimsOf(valueInfo: Message): (bigint | string)[] {
  const shape = valueInfo.message(2).message(1).message(2);
  return shape.messages(1).map((d) => d.string(2) ?? d.int(1)!);
}

test('the ModelProto: IR 8, opset 17, named dynamic batch, raw float32', async () => {
  const { state, weights } = await trainedLike(RESNET18, 2);
  const normalization = {
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
  };
  const bytes = exportOnnx(state.graph, weights, {
    imageSize: 32,
    normalization,
    classNames: CLASS_NAMES,
  });
  const model = new Message(bytes);
  expect(model.int(MODEL.irVersion)).toBe(8n);
  expect(model.string(MODEL.producer)).toBe('recipe-lab');
  const opset = model.message(MODEL.opset);
  expect([opset.string(1), opset.int(2)]).toEqual(['', 17n]);
  const meta = Object.fromEntries(
    model.messages(MODEL.meta).map((e) => [e.string(1), e.string(2)]),
  );
  expect(JSON.parse(meta.input_mean!)).toEqual(normalization.mean);
  expect(JSON.parse(meta.class_names!)).toEqual(CLASS_NAMES);
  expect(meta.input_layout).toBe('NCHW');

  const graph = model.message(MODEL.graph);
  const [input] = graph.messages(GRAPH.input);
  const [output] = graph.messages(GRAPH.output);
  expect(input!.string(1)).toBe('input');
  expect(dimsOf(input!)).toEqual(['N', 3n, 32n, 32n]);
  expect(output!.string(1)).toBe('logits');
  expect(dimsOf(output!)).toEqual(['N', 10n]);

  // One Conv with a bias per ConvBn; no BatchNormalization left.
  const nodes = graph.messages(GRAPH.node);
  const opTypes = nodes.map((n) => n.string(4));
  const numConvBn = state.graph.buffers.length / 2;
  expect(opTypes.filter((t) => t === 'Conv')).toHaveLength(numConvBn);
  expect(new Set(opTypes)).toEqual(
    new Set(['Conv', 'Relu', 'MaxPool', 'Add', 'GlobalAveragePool'])
      .add('Flatten')
      .add('Gemm'),
  );
  for (const conv of nodes.filter((n) => n.string(4) === 'Conv')) {
    expect(conv.strings(1)).toHaveLength(3);
  }

  // Initialisers: FLOAT (1), raw little-endian data of the dims' size.
  const inits = graph.messages(GRAPH.initializer);
  expect(inits).toHaveLength(numConvBn * 2 + 2);
  for (const init of inits) {
    const size = init.packedInts(1).reduce((a, b) => a * b, 1n);
    expect(init.int(2)).toBe(1n);
    expect(BigInt(init.bytes(9)!.length)).toBe(size * 4n);
  }
  const fc = inits.find((i) => i.string(8) === 'fc.weight')!;
  expect(fc.packedInts(1)).toEqual([10n, 64n]);
  disposeResNet(state);
});

test('folding: a 1x1 convolution worked by hand', () => {
  // Two output channels from one input: W = [2, -1], gamma = [3, 1],
  // beta = [0.5, 0], mean = [1, -2], var = [4 - eps, 1 - eps], so the scale
  // is gamma / sqrt(var + eps) = [1.5, 1].
  const layer = describeResNet(RESNET18).stem;
  const arr = (shape: number[], values: number[]): NamedArray => ({
    shape,
    data: Float32Array.from(values),
  });
  const weights = new Map([
    [`${layer.conv}.weight`, arr([1, 1, 1, 2], [2, -1])],
    [`${layer.bn}.weight`, arr([2], [3, 1])],
    [`${layer.bn}.bias`, arr([2], [0.5, 0])],
    [`${layer.bn}.running_mean`, arr([2], [1, -2])],
    [`${layer.bn}.running_var`, arr([2], [4 - BN_EPSILON, 1 - BN_EPSILON])],
  ]);
  const { weight, bias } = foldBatchNorm(weights, layer);
  expect(weight.dims).toEqual([2, 1, 1, 1]);
  expect(Array.from(weight.data)).toEqual([3, -1]);
  // beta - mean * scale = [0.5 - 1.5, 0 + 2].
  expect(Array.from(bias.data)).toEqual([-1, 2]);
});

test('folding moves the kernel from [kh, kw, in, out] to [out, in, kh, kw]', () => {
  const layer = describeResNet(RESNET18).stem;
  const [kh, kw, numIn, numOut] = [2, 3, 2, 4];
  const w = Float32Array.from(
    { length: kh * kw * numIn * numOut },
    (_, i) => i,
  );
  const ones = { shape: [numOut], data: new Float32Array(numOut).fill(1) };
  const zeros = { shape: [numOut], data: new Float32Array(numOut) };
  const weights = new Map([
    [`${layer.conv}.weight`, { shape: [kh, kw, numIn, numOut], data: w }],
    [`${layer.bn}.weight`, ones],
    [`${layer.bn}.bias`, zeros],
    [`${layer.bn}.running_mean`, zeros],
    [
      `${layer.bn}.running_var`,
      { ...ones, data: ones.data.map(() => 1 - BN_EPSILON) },
    ],
  ]);
  const { weight } = foldBatchNorm(weights, layer);
  const expected = tf.tidy(() =>
    tf.tensor4d(w, [kh, kw, numIn, numOut]).transpose([3, 2, 0, 1]).dataSync(),
  );
  expect(Array.from(weight.data)).toEqual(Array.from(expected));
});

test('missing or misshapen weights are refused by name', async () => {
  const graph = describeResNet(RESNET18);
  const { state, weights } = await trainedLike(RESNET18, 1);
  disposeResNet(state);
  const without = new Map(weights);
  without.delete('layer2.0.downsample.1.running_var');
  expect(() => exportOnnx(graph, without)).toThrow(
    'missing weight "layer2.0.downsample.1.running_var": expected shape [16]',
  );
  const transposed = new Map(weights);
  const fc = weights.get('fc.weight')!;
  transposed.set('fc.weight', { shape: [10, 64], data: fc.data });
  expect(() => exportOnnx(graph, transposed)).toThrow(
    'weight "fc.weight": expected shape [64, 10] (640 values), got [10, 64] (640 values)',
  );
});

test('options that do not fit the network are refused', async () => {
  const { state, weights } = await trainedLike(RESNET18, 1);
  disposeResNet(state);
  const graph = state.graph;
  expect(() => exportOnnx(graph, weights, { imageSize: 0 })).toThrow(
    'imageSize: expected a positive integer, got 0',
  );
  const gray = { mean: [0.5], std: [0.5] };
  expect(() => exportOnnx(graph, weights, { normalization: gray })).toThrow(
    'normalization.mean: expected 3 values (one per input channel), got 1',
  );
  expect(() => exportOnnx(graph, weights, { classNames: ['a'] })).toThrow(
    'classNames: expected 10 names, got 1',
  );
});
