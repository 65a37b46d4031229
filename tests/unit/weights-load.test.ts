// Weight files into the lab's ResNet on the tfjs CPU backend: torchvision's
// names, order and layouts, a round trip through safetensors, and files
// that do not fit, refused with every difference named. Logits against
// torchvision's own are checked in tests/browser/weights.test.ts.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  createResNet,
  describeResNet,
  disposeResNet,
  forwardResNet,
  RESNET_NAMES,
  type ResNetConfig,
  type ResNetState,
} from '../../src/train/resnet';
import { loadSafetensors, readStateDict } from '../../src/weights/load';
import { WeightsMismatchError } from '../../src/weights/plan';
import {
  writeSafetensors,
  type NamedTensor,
} from '../../src/weights/safetensors';
import {
  fromTorchLayout,
  stateDictEntries,
  toTorchLayout,
} from '../../src/weights/state-dict';
import { expected } from '../reference/compare';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const models: ResNetState[] = [];
afterEach(() => {
  models.splice(0).forEach(disposeResNet);
});

const TINY: ResNetConfig = {
  name: 'resnet18',
  numClasses: 10,
  inChannels: 3,
  widthMultiplier: 0.125,
};

function model(config: Partial<ResNetConfig>, seed: number): ResNetState {
  const m = createResNet({ ...TINY, ...config }, seed);
  models.push(m);
  return m;
}

async function fileOf(
  m: ResNetState,
  edit: (t: NamedTensor[]) => NamedTensor[] = (t) => t,
): Promise<Uint8Array> {
  return writeSafetensors(edit(await readStateDict(m)));
}

async function values(m: ResNetState): Promise<Map<string, number[]>> {
  const all = [...m.params, ...m.buffers];
  const out = new Map<string, number[]>();
  for (const [name, v] of all) out.set(name, [...(await v.data())]);
  return out;
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

describe('state-dict layout', () => {
  test.each(RESNET_NAMES)(
    '%s lists torchvision state_dict names, order and shapes',
    (name) => {
      const graph = describeResNet({ ...TINY, name, widthMultiplier: 1 });
      const torch = Object.entries(expected.stateDicts[name]).filter(
        ([k]) => !k.endsWith('num_batches_tracked'),
      );
      expect(
        stateDictEntries(graph).map((e) => [e.name, e.torchShape]),
      ).toEqual(torch);
    },
  );

  test('conv kernels move between [kh,kw,in,out] and [out,in,kh,kw]', () => {
    const lab = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const torch = toTorchLayout('conv', lab, data);
    // lab (y=1, x=2, in=3, out=4) is torch (out=4, in=3, y=1, x=2).
    const labIndex = ((1 * 3 + 2) * 4 + 3) * 5 + 4;
    expect(torch[((4 * 4 + 3) * 2 + 1) * 3 + 2]).toBe(data[labIndex]);
    expect([...fromTorchLayout('conv', lab, torch)]).toEqual([...data]);
    const fc = toTorchLayout('fc-weight', [3, 2], data.subarray(0, 6));
    expect([...fc]).toEqual([0, 2, 4, 1, 3, 5]);
  });
});

describe('loading safetensors', () => {
  test('a round trip restores every parameter and running statistic', async () => {
    const source = model({}, 1);
    // Running statistics unlike a new model's zeros and ones.
    for (const [name, v] of source.buffers) {
      v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', name.length));
    }
    const target = model({}, 2);
    const report = loadSafetensors(target, await fileOf(source));
    expect(report).toEqual({
      numLoaded: 62 + 40,
      headReplaced: null,
      inputConvSummed: null,
      numIgnored: 0,
    });
    expect(await values(target)).toEqual(await values(source));
    const x = tf.randomNormal<tf.Rank.R4>([2, 32, 32, 3], 0, 1, 'float32', 5);
    const a = await forwardResNet(source, x, null).data();
    const b = await forwardResNet(target, x, null).data();
    expect([...b]).toEqual([...a]);
  });

  test('step counters are ignored and counted', async () => {
    const source = model({}, 1);
    const bytes = await fileOf(source, (t) => [
      ...t,
      { name: 'bn1.num_batches_tracked', shape: [], data: new Float32Array(1) },
    ]);
    const report = loadSafetensors(model({}, 2), bytes);
    expect(report.numIgnored).toBe(1);
  });

  test('another class count keeps the fresh head and says so', async () => {
    const source = model({ numClasses: 10 }, 1);
    const target = model({ numClasses: 4 }, 2);
    const untouched = model({ numClasses: 4 }, 2);
    const report = loadSafetensors(target, await fileOf(source));
    expect(report.headReplaced).toEqual({ fileClasses: 10, numClasses: 4 });
    expect(report.numLoaded).toBe(100);
    const got = await values(target);
    const fresh = await values(untouched);
    const loaded = await values(source);
    expect(got.get('fc.weight')).toEqual(fresh.get('fc.weight'));
    expect(got.get('fc.bias')).toEqual(fresh.get('fc.bias'));
    expect(got.get('layer4.1.conv2.weight')).toEqual(
      loaded.get('layer4.1.conv2.weight'),
    );
  });

  test('an RGB stem summed over channels sees gray as RGB sees it repeated', async () => {
    const rgb = model({ inChannels: 3 }, 1);
    const gray = model({ inChannels: 1 }, 2);
    const report = loadSafetensors(gray, await fileOf(rgb));
    expect(report.inputConvSummed).toEqual({ fileChannels: 3, inChannels: 1 });
    const x = tf.randomNormal<tf.Rank.R4>([2, 32, 32, 1], 0, 1, 'float32', 9);
    const want = await forwardResNet(rgb, x.tile([1, 1, 1, 3]), null).data();
    const got = await forwardResNet(gray, x, null).data();
    const scale = Math.max(...[...want].map(Math.abs));
    [...got].forEach((v, i) =>
      expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5 * scale),
    );
  });

  test('a file for another width names each shape that differs', async () => {
    const source = model({ widthMultiplier: 0.125 }, 1);
    const target = model({ widthMultiplier: 0.25 }, 2);
    const before = await values(target);
    const bytes = await fileOf(source);
    const error = mismatchOf(() => loadSafetensors(target, bytes));
    expect(error.missing).toEqual([]);
    expect(error.unexpected).toEqual([]);
    expect(error.misshapen).toContain(
      'layer1.0.conv1.weight: expected [16,16,3,3], got [8,8,3,3]',
    );
    expect(error.misshapen).toContain(
      'fc.weight: expected [10,128], got [10,64]',
    );
    expect(error.message).toMatch(
      /^the weights do not fit resnet18 \(width 0.25, 10 classes, 3 input channels\):\nshapes that differ \(torch layout\):\n {2}conv1.weight: expected \[16,3,7,7\], got \[8,3,7,7\]\n/,
    );
    expect(await values(target)).toEqual(before);
  });

  test('missing and unexpected tensors are listed by name', async () => {
    const source = model({}, 1);
    const bytes = await fileOf(source, (t) => [
      ...t.filter((x) => !x.name.startsWith('layer2.0.downsample')),
      { name: 'head.fc.weight', shape: [1], data: new Float32Array(1) },
    ]);
    const error = mismatchOf(() => loadSafetensors(model({}, 2), bytes));
    expect(error.missing).toEqual([
      'layer2.0.downsample.0.weight',
      'layer2.0.downsample.1.weight',
      'layer2.0.downsample.1.bias',
      'layer2.0.downsample.1.running_mean',
      'layer2.0.downsample.1.running_var',
    ]);
    expect(error.unexpected).toEqual(['head.fc.weight']);
    expect(error.message).toContain(
      '\nmissing (5): layer2.0.downsample.0.weight, ',
    );
    expect(error.message).toContain('\nunexpected (1): head.fc.weight');
  });

  test('a ResNet-50 file does not load into a ResNet-18', async () => {
    const r50 = model({ name: 'resnet50' }, 1);
    const bytes = await fileOf(r50);
    const e = mismatchOf(() => loadSafetensors(model({}, 2), bytes));
    expect(e.unexpected).toContain('layer1.0.conv3.weight');
    expect(e.misshapen.length).toBeGreaterThan(0);
  });
});
