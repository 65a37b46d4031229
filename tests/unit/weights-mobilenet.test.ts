// MobileNetV3-Large weight files through the same path as a ResNet's, on
// the tfjs CPU backend: torchvision's state-dict order, the committed
// width-0.25 reference (tests/reference/mobilenet.json) written as
// safetensors and loaded as the app loads a file, and the same bridges
// and refusals as a ResNet's (another head, a gray stem, misfits named).
// Full-width logits on WebGPU are in tests/browser/weights.test.ts.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  createMobileNet,
  describeMobileNet,
  disposeMobileNet,
  forwardMobileNet,
  type MobileNetConfig,
  type MobileNetState,
} from '../../src/train/mobilenet';
import { loadSafetensors, readStateDict } from '../../src/weights/load';
import { WeightsMismatchError } from '../../src/weights/plan';
import {
  writeSafetensors,
  type NamedTensor,
} from '../../src/weights/safetensors';
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

const models: MobileNetState[] = [];
afterEach(() => {
  models.splice(0).forEach(disposeMobileNet);
});

const SMALL: MobileNetConfig = {
  name: 'mobilenet_v3_large',
  numClasses: expected.config.numClasses,
  inChannels: 3,
  widthMultiplier: expected.config.width,
};

function model(config: Partial<MobileNetConfig>, seed: number) {
  const m = createMobileNet({ ...SMALL, ...config }, seed);
  models.push(m);
  return m;
}

/** The committed torchvision state dict as a safetensors file. */
async function referenceFile(): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  const bin = await readFile(
    new URL('../reference/mobilenet-weights.bin', import.meta.url),
  );
  const dict = decodeStateDict(expected, new Uint8Array(bin));
  const tensors: NamedTensor[] = [...dict].map(([name, t]) => ({
    name,
    shape: t.shape,
    data: t.values,
  }));
  return writeSafetensors(tensors, { format: 'pt' });
}

async function logits(m: MobileNetState, x: tf.Tensor4D): Promise<number[]> {
  const y = tf.tidy(() => forwardMobileNet(m, x, null));
  const values = [...(await y.data())];
  y.dispose();
  return values;
}

function mismatchOf(fn: () => unknown): WeightsMismatchError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WeightsMismatchError);
    return e as WeightsMismatchError;
  }
  throw new Error('expected a WeightsMismatchError, none came');
}

// A width-0.25 network at 32 px: about a second a pass on the CPU.
const SLOW = 60_000;

describe('MobileNetV3-Large weight files', { timeout: SLOW }, () => {
  test("entries follow torchvision's state_dict order", () => {
    const names = stateDictEntries(describeMobileNet(SMALL)).map((e) => e.name);
    expect(names).toEqual(expected.tensors.map((t) => t.name));
  });

  test("torchvision's weights load from safetensors and give its logits", async () => {
    const m = model({}, 2);
    const report = loadSafetensors(m, await referenceFile());
    expect(report).toEqual({
      numLoaded: expected.tensors.length,
      headReplaced: null,
      inputConvSummed: null,
      numIgnored: 0,
    });
    const { values, shape } = inputNhwc(expected);
    const x = tf.tensor4d(values, shape);
    // As tests/unit/mobilenet.test.ts holds the same logits.
    expectClose(await logits(m, x), expected.evalLogits, 1e-4);
    x.dispose();
  });

  test('a round trip through safetensors gives the same network', async () => {
    const source = model({}, 1);
    for (const [name, v] of source.buffers) {
      v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', name.length));
    }
    const target = model({}, 2);
    const file = writeSafetensors(await readStateDict(source));
    loadSafetensors(target, file);
    const x = tf.randomNormal<tf.Rank.R4>([2, 32, 32, 3], 0, 1, 'float32', 3);
    expect(await logits(target, x)).toEqual(await logits(source, x));
  });

  test('another class count keeps the fresh classifier.3 and says so', async () => {
    const target = model({ numClasses: 4 }, 2);
    const fresh = model({ numClasses: 4 }, 2);
    const report = loadSafetensors(target, await referenceFile());
    expect(report.headReplaced).toEqual({ fileClasses: 10, numClasses: 4 });
    expect(report.numLoaded).toBe(expected.tensors.length - 2);
    const head = async (m: MobileNetState) => [
      ...(await m.params.get('classifier.3.weight')!.data()),
    ];
    expect(await head(target)).toEqual(await head(fresh));
  });

  test('an RGB stem is summed for gray images', async () => {
    const rgb = model({}, 1);
    const gray = model({ inChannels: 1 }, 2);
    const report = loadSafetensors(
      gray,
      writeSafetensors(await readStateDict(rgb)),
    );
    expect(report.inputConvSummed).toEqual({ fileChannels: 3, inChannels: 1 });
    const x = tf.randomNormal<tf.Rank.R4>([2, 32, 32, 1], 0, 1, 'float32', 9);
    const want = await logits(rgb, x.tile([1, 1, 1, 3]) as tf.Tensor4D);
    expectClose(await logits(gray, x), want, 1e-4);
  });

  test('a file of another width names each misfit', async () => {
    const bytes = writeSafetensors(await readStateDict(model({}, 1)));
    const e = mismatchOf(() =>
      loadSafetensors(model({ widthMultiplier: 0.5 }, 2), bytes),
    );
    expect(e.missing).toEqual([]);
    expect(e.misshapen).toContain(
      'features.16.0.weight: expected [480,80,1,1], got [240,40,1,1]',
    );
    expect(e.message).toMatch(
      /^the weights do not fit mobilenet_v3_large \(width 0.5, 10 classes, 3 input channels\):/,
    );
  });

  test("timm's layout is refused with what the lab reads instead", async () => {
    const bytes = writeSafetensors([
      {
        name: 'conv_stem.weight',
        shape: [16, 3, 3, 3],
        data: new Float32Array(432),
      },
      {
        name: 'blocks.0.0.conv_dw.weight',
        shape: [16, 1, 3, 3],
        data: new Float32Array(144),
      },
    ]);
    const e = mismatchOf(() => loadSafetensors(model({}, 2), bytes));
    expect(e.unexpected).toEqual([
      'conv_stem.weight',
      'blocks.0.0.conv_dw.weight',
    ]);
    expect(e.missing).toContain('features.0.0.weight');
    expect(e.message).toContain(
      "this is timm's MobileNetV3 layout (conv_stem, blocks.N.M, conv_head), " +
        "which the lab does not read: expected torchvision's " +
        'mobilenet_v3_large names (features.N, classifier.N)',
    );
  });
});
