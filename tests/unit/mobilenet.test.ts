// The lab's MobileNetV3-Large on tfjs's CPU backend against torchvision
// (tests/reference/make_mobilenet_expected.py): state-dict names and
// shapes both ways, eval logits and one training pass from the same
// weights, and the weight-decay groups.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createMobileNet,
  describeMobileNet,
  disposeMobileNet,
  forwardMobileNet,
  makeDivisible,
  updateMobileNetRunningStats,
  type MobileNetConfig,
} from '../../src/train/mobilenet';
import { activationValuesPerImage } from '../../src/train/model';
import type { BatchStats } from '../../src/train/ops/batch-norm';
import {
  modelNamedParams,
  setWeightDecay,
} from '../../src/train/optim/param-groups';
import { loadStateDict } from '../../src/train/state-dict';
import { stateDictEntries } from '../../src/weights/state-dict';
import { expectClose } from '../reference/compare';
import {
  decodeStateDict,
  inputNhwc,
  mobilenetExpected as expected,
} from '../reference/mobilenet-reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A width-0.25 network on the CPU backend: a second or two per pass alone,
// several on a loaded machine.
const SLOW = 60_000;

const weightsBytes = readFileSync(
  new URL('../reference/mobilenet-weights.bin', import.meta.url),
);
const referenceDict = () => decodeStateDict(expected, weightsBytes);

const SMALL: MobileNetConfig = {
  name: 'mobilenet_v3_large',
  numClasses: expected.config.numClasses,
  inChannels: 3,
  widthMultiplier: expected.config.width,
};

/** Lab entries as {name: torch shape}. */
function labKeys(config: MobileNetConfig): Record<string, number[]> {
  const entries = stateDictEntries(describeMobileNet(config));
  return Object.fromEntries(entries.map((e) => [e.name, e.torchShape]));
}

describe('MobileNetV3-Large layout', { timeout: SLOW }, () => {
  test('width 1 has exactly torchvision state-dict keys and shapes', () => {
    const lab = labKeys({ ...SMALL, widthMultiplier: 1 });
    expect(lab).toEqual(expected.fullWidthKeys);
  });

  test('width 0.25 has exactly the reference file keys and shapes', () => {
    const torch = Object.fromEntries(
      expected.tensors.map((t) => [t.name, t.shape]),
    );
    expect(labKeys(SMALL)).toEqual(torch);
  });

  test.each(expected.makeDivisible)(
    'makeDivisible(%s) is %s, as torchvision rounds channels',
    (v, rounded) => {
      expect(makeDivisible(v)).toBe(rounded);
    },
  );

  test('a grayscale stem takes one input channel', () => {
    const graph = describeMobileNet({ ...SMALL, inChannels: 1 });
    expect(graph.params[0]).toEqual({
      name: 'features.0.0.weight',
      shape: [3, 3, 1, 8],
      kind: 'conv',
    });
  });

  test.each(expected.largestActivation)(
    'largest activation at width $width, $size px matches torchvision',
    ({ width, size, values }) => {
      const config = { ...SMALL, widthMultiplier: width };
      expect(activationValuesPerImage(config, size)).toBe(values);
    },
  );

  test('a state dict with a wrong shape is refused by name', () => {
    const model = createMobileNet(SMALL, 1);
    const dict = referenceDict();
    const entry = dict.get('classifier.3.weight')!;
    dict.set('classifier.3.weight', { ...entry, shape: [10, 321] });
    expect(() => loadStateDict(model, dict)).toThrow(
      /"classifier.3.weight": expected shape \[10, 320\], got \[10, 321\]/,
    );
    disposeMobileNet(model);
  });
});

// Every tensor is read in the same order here and in torch, but the sums
// inside convolutions and matrix products are not: float32 differences
// stay near 1e-6 of the largest logit over 17 layers. A kernel in the
// wrong layout, a wrong epsilon or a lost residual moves them by 1e-2 or
// more.
const LOGIT_TOLERANCE = 1e-4;

describe('MobileNetV3-Large against torchvision', { timeout: SLOW }, () => {
  test('eval-mode logits match from the same weights', async () => {
    const model = createMobileNet(SMALL, 1);
    loadStateDict(model, referenceDict());
    const { values, shape } = inputNhwc(expected);
    const x = tf.tensor4d(values, shape);
    const y = tf.tidy(() => forwardMobileNet(model, x, null));
    expectClose(
      Array.from(await y.data()),
      expected.evalLogits,
      LOGIT_TOLERANCE,
    );
    tf.dispose([x, y]);
    disposeMobileNet(model);
  });

  test('a training pass: loss, gradients and running statistics', async () => {
    const model = createMobileNet({ ...SMALL, dropout: 0 }, 1);
    loadStateDict(model, referenceDict());
    const { values, shape } = inputNhwc(expected);
    const x = tf.tensor4d(values, shape);
    const labels = tf.oneHot(tf.tensor1d(expected.train.labels, 'int32'), 10);
    const stats: BatchStats = new Map();
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          forwardMobileNet(model, x, stats),
        ) as tf.Scalar,
      [...model.params.values()],
    );
    updateMobileNetRunningStats(model, stats);

    expect(await value.data()).toHaveLength(1);
    expectClose([(await value.data())[0]!], [expected.train.loss], 1e-5);
    const byName = new Map(
      [...model.params].map(([name, v]) => [name, grads[v.name]!]),
    );
    for (const [name, norm] of Object.entries(expected.train.gradNorms)) {
      const g = byName.get(name)!;
      const labNorm = (await tf.norm(g).data())[0]!;
      expect(Math.abs(labNorm - norm) / norm, name).toBeLessThan(1e-3);
    }
    for (const [name, wanted] of Object.entries(expected.train.runningStats)) {
      const v = model.buffers.get(name)!;
      expectClose(Array.from(await v.data()), wanted, 1e-5);
    }
    tf.dispose([x, labels, value, ...Object.values(grads)]);
    disposeMobileNet(model);
  });
});

describe('MobileNetV3-Large training behaviour', { timeout: SLOW }, () => {
  test('dropout draws a new seeded mask per pass; eval has none', async () => {
    const run = async () => {
      const model = createMobileNet(SMALL, 5);
      loadStateDict(model, referenceDict());
      const { values, shape } = inputNhwc(expected);
      const x = tf.tensor4d(values, shape);
      const logits = [];
      for (const training of [true, true, false, false]) {
        const stats: BatchStats | null = training ? new Map() : null;
        const y = forwardMobileNet(model, x, stats);
        logits.push(Array.from(await y.data()));
        for (const s of stats?.values() ?? []) s.stats.dispose();
        y.dispose();
      }
      x.dispose();
      disposeMobileNet(model);
      return logits;
    };
    const [a, b] = [await run(), await run()];
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[2]).toEqual(a[3]);
  });

  test('BN scales and shifts form the norm group; SE biases do not', () => {
    const model = createMobileNet(SMALL, 1);
    const groups = setWeightDecay(modelNamedParams(model), {
      weightDecay: 1e-5,
      normWeightDecay: 0,
      biasWeightDecay: null,
    });
    // torchvision's BN layers are exactly those with running statistics.
    const bnLayers = new Set(
      expected.tensors
        .filter((t) => t.name.endsWith('.running_mean'))
        .map((t) => t.name.replace(/\.running_mean$/, '')),
    );
    const isNorm = (name: string) =>
      bnLayers.has(name.replace(/\.(weight|bias)$/, ''));
    const trainable = expected.tensors
      .map((t) => t.name)
      .filter((n) => !/running_(mean|var)$/.test(n));
    const norm = groups.find((g) => g.key === 'norm')!;
    const other = groups.find((g) => g.key === 'other')!;
    expect(new Set(norm.names)).toEqual(new Set(trainable.filter(isNorm)));
    expect(new Set(other.names)).toEqual(
      new Set(trainable.filter((n) => !isNorm(n))),
    );
    expect(other.names).toContain('features.4.block.2.fc1.bias');
    disposeMobileNet(model);
  });

  test('initialisation follows torchvision', async () => {
    const model = createMobileNet({ ...SMALL, widthMultiplier: 1 }, 3);
    const std = async (name: string) => {
      const { variance } = tf.moments(model.params.get(name)!);
      const v = Math.sqrt((await variance.data())[0]!);
      variance.dispose();
      return v;
    };
    // features.16.0: a 1x1 conv 160 -> 960, fan-out 960.
    expect(await std('features.16.0.weight')).toBeCloseTo(
      Math.sqrt(2 / 960),
      3,
    );
    // features.14.block.1.0: depthwise 5x5 over 960 channels.
    expect(await std('features.14.block.1.0.weight')).toBeCloseTo(
      Math.sqrt(2 / (25 * 960)),
      3,
    );
    expect(await std('classifier.0.weight')).toBeCloseTo(0.01, 3);
    for (const name of ['classifier.0.bias', 'features.4.block.2.fc1.bias']) {
      expect(await model.params.get(name)!.abs().max().data()).toEqual(
        new Float32Array([0]),
      );
    }
    disposeMobileNet(model);
  });
});
