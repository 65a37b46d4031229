// The ONNX export of MobileNetV3-Large in Node: the graph run by
// onnxruntime against the lab's eval-mode forward pass on the tfjs CPU
// backend, and its nodes read back with the tests' own protobuf reader:
// depthwise Convs by group, squeeze-and-excitation as ONNX ops, batch norm
// folded with MobileNet's eps, no dropout.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportOnnx } from '../../src/export/model-onnx';
import { readModelWeights } from '../../src/export/read-weights';
import {
  createMobileNet,
  disposeMobileNet,
  type MobileNetConfig,
  type MobileNetState,
} from '../../src/train/mobilenet';
import { Message } from './proto-decode';
import {
  labLogits,
  randomImages,
  relativeError,
  runOnnx,
} from './logit-checks';
import {
  randomizeBatchNorm,
  settleBatchNorm,
} from '../../tools/fixtures/resnet-state';

const models: MobileNetState[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  models.splice(0).forEach(disposeMobileNet);
});

const RGB: MobileNetConfig = {
  name: 'mobilenet_v3_large',
  numClasses: 10,
  inChannels: 3,
  widthMultiplier: 0.25,
};

const GRAY: MobileNetConfig = {
  ...RGB,
  numClasses: 5,
  inChannels: 1,
  widthMultiplier: 0.5,
};

/** A network whose batch norms all differ from the identity. */
async function trainedLike(config: MobileNetConfig, seed: number) {
  const state = createMobileNet(config, seed);
  randomizeBatchNorm(state, seed);
  settleBatchNorm(state, seed);
  models.push(state);
  return { state, weights: await readModelWeights(state) };
}

// The networks' batch norms are settled on seeded noise (as training
// leaves them; tools/fixtures/resnet-state.ts), so their logits depend on
// the input. Float32 on both sides; the export differs from the lab by
// roundings at each layer (other summation orders, the folded weights
// rounded once, HardSigmoid as x * float32(1/6) + 0.5): measured here up
// to 3.7e-6 of the largest logit. The slips this must catch moved them by
// 5e-2 or more: ONNX's default HardSigmoid slope 0.2 by 5e-2 to 0.36, eps
// 1e-5 for MobileNet's 1e-3 by 0.48 to 2.9, a depthwise kernel with rows
// and columns swapped by 0.33 to 0.92.
const TOLERANCE = 1e-4;

// A width-0.5 pass at 64 px takes about a second on the CPU backend.
const SLOW = 60_000;

describe('MobileNetV3-Large as ONNX', { timeout: SLOW }, () => {
  test.each([
    ['width 0.25, RGB, 32 px', RGB, 32],
    ['width 0.5, grayscale, 64 px', GRAY, 64],
  ])('%s: onnxruntime reproduces the lab’s logits', async (_, config, size) => {
    const { state, weights } = await trainedLike(config, 11);
    const x = randomImages(3, size, config.inChannels);
    const expected = await labLogits(state, x);
    const got = await runOnnx(exportOnnx(state.graph, weights), x);
    expect(got.dims).toEqual([3, config.numClasses]);
    const error = relativeError(got.data, expected);
    console.info(`${config.widthMultiplier}x ${size} px: ${error}`);
    expect(error).toBeLessThan(TOLERANCE);
    x.dispose();
  });

  test('batch and image size are dynamic', async () => {
    const { state, weights } = await trainedLike(RGB, 5);
    const bytes = exportOnnx(state.graph, weights);
    for (const [n, size] of [
      [1, 48],
      [4, 40],
    ] as const) {
      const x = randomImages(n, size, 3, n + size);
      const got = await runOnnx(bytes, x);
      expect(got.dims).toEqual([n, 10]);
      const error = relativeError(got.data, await labLogits(state, x));
      console.info(`${n} x ${size} px: ${error}`);
      expect(error).toBeLessThan(TOLERANCE);
      x.dispose();
    }
  });

  test('the graph: grouped depthwise Convs, SE as ops, no BN or dropout', async () => {
    const { state, weights } = await trainedLike(RGB, 2);
    const graph = new Message(exportOnnx(state.graph, weights)).message(7);
    const nodes = graph.messages(1);
    const opTypes = nodes.map((n) => n.string(4));
    expect(new Set(opTypes)).toEqual(
      new Set(['Conv', 'HardSwish', 'Relu', 'GlobalAveragePool'])
        .add('HardSigmoid')
        .add('Mul')
        .add('Add')
        .add('Flatten')
        .add('Gemm'),
    );
    const blocks = state.graph.blocks;
    const numSe = blocks.filter((b) => b.se).length;
    const numConvBn = state.graph.buffers.length / 2;
    const count = (t: string) => opTypes.filter((o) => o === t).length;
    expect(count('Conv')).toBe(numConvBn + 2 * numSe);
    expect(count('Mul')).toBe(numSe);
    expect(count('HardSigmoid')).toBe(numSe);
    expect(count('Add')).toBe(blocks.filter((b) => b.residual).length);
    expect(count('Gemm')).toBe(2);

    const attribute = (node: Message, name: string) =>
      node.messages(5).find((a) => a.string(1) === name);
    for (const block of blocks) {
      const conv = nodes.find((n) => n.string(3) === block.depthwise.conv)!;
      const channels = BigInt(block.depthwise.outChannels);
      expect(attribute(conv, 'group')!.int(3)).toBe(channels);
      const init = graph
        .messages(5)
        .find((i) => i.string(8) === `${block.depthwise.conv}.weight`)!;
      const k = BigInt(block.depthwise.kernel);
      expect(init.packedInts(1)).toEqual([channels, 1n, k, k]);
    }
    const sigmoid = nodes.find((n) => n.string(4) === 'HardSigmoid')!;
    expect(attribute(sigmoid, 'alpha')!.float(2)).toBeCloseTo(1 / 6, 7);
    expect(attribute(sigmoid, 'beta')!.float(2)).toBe(0.5);
  });
});
