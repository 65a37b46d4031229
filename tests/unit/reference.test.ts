// The lab's maths on the tfjs CPU backend against PyTorch/torchvision
// outputs written by tests/reference/make_expected.py.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { describeResNet, RESNET_NAMES } from '../../src/train/resnet';
import { computeAll } from '../reference/check-cases';
import { compareAll, expected } from '../reference/compare';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** torchvision's shape of a lab parameter ([kh,kw,in,out] -> OIHW etc.). */
function torchShape(name: string, shape: number[]): number[] {
  if (shape.length === 4) return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (name === 'fc.weight') return [shape[1]!, shape[0]!];
  return shape;
}

describe('ResNet layout', () => {
  test.each(RESNET_NAMES)(
    '%s has exactly torchvision state-dict keys and shapes',
    (name) => {
      const graph = describeResNet({
        name,
        numClasses: 10,
        inChannels: 3,
        widthMultiplier: 1,
      });
      const lab = Object.fromEntries([
        ...graph.params.map((p) => [p.name, torchShape(p.name, p.shape)]),
        ...graph.buffers.map((b) => [b.name, b.shape]),
      ]);
      const torch = Object.fromEntries(
        Object.entries(expected.stateDicts[name]).filter(
          ([key]) => !key.endsWith('num_batches_tracked'),
        ),
      );
      expect(lab).toEqual(torch);
    },
  );
});

test('batch norm, SGD, convolution, pooling and loss match PyTorch', async () => {
  compareAll(await computeAll(expected));
});
