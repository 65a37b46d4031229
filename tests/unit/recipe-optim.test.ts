// RMSprop, Adam and AdamW against torch.optim over several steps with two
// parameter groups of their own weight decay and a changing LR, and the
// parameter groups against the reference's set_weight_decay rules
// (tests/reference/make_recipe_expected.py). tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { Adam, AdamW } from '../../src/train/optim/adam';
import type { Optimizer } from '../../src/train/optim/optimizer';
import {
  modelNamedParams,
  setWeightDecay,
} from '../../src/train/optim/param-groups';
import { Rmsprop } from '../../src/train/optim/rmsprop';
import {
  createResNet,
  disposeResNet,
  type ResNetName,
} from '../../src/train/resnet';
import { expectClose } from '../reference/compare';
import expected from '../reference/recipe.json';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type OptCase = (typeof expected.optimizers)[number];

function build(
  c: OptCase,
  groups: { variables: tf.Variable[]; weightDecay: number }[],
): Optimizer {
  const o = c.options as {
    alpha?: number;
    eps: number;
    momentum?: number;
    betas?: number[];
  };
  if (c.kind === 'rmsprop') {
    return new Rmsprop(groups, {
      alpha: o.alpha!,
      eps: o.eps,
      momentum: o.momentum!,
    });
  }
  const adam = { beta1: o.betas![0]!, beta2: o.betas![1]!, eps: o.eps };
  return c.kind === 'adamw' ? new AdamW(groups, adam) : new Adam(groups, adam);
}

describe('optimizers match torch.optim step by step', () => {
  test.each(expected.optimizers.map((c) => [c.kind, c] as const))(
    '%s',
    (_, c) => {
      const shapes = [[5], [2, 3]];
      const ws = c.start.map((v, i) =>
        tf.variable(
          tf.tensor(v, shapes[i]),
          true,
          `${c.kind}-${i}-${Math.random()}`,
        ),
      );
      const groups = ws.map((w, i) => ({
        variables: [w],
        weightDecay: c.weightDecays[i]!,
      }));
      const opt = build(c, groups);
      let afterFirst = 0;
      c.lrs.forEach((lr, step) => {
        const grads = tf.tidy(() =>
          Object.fromEntries(
            ws.map((w, i) => [
              w.name,
              tf.tensor(c.grads[step]![i]!, shapes[i]),
            ]),
          ),
        );
        opt.step(grads, lr);
        tf.dispose(Object.values(grads));
        // Slots are created on the first step; after it the count is flat.
        if (step === 0) afterFirst = tf.memory().numTensors;
        expect(tf.memory().numTensors).toBe(afterFirst);
        ws.forEach((w, i) =>
          expectClose(Array.from(w.dataSync()), c.after[step]![i]!, 1e-5),
        );
      });
      opt.dispose();
      tf.dispose(ws);
    },
  );

  test('a missing gradient names the variable', () => {
    const w = tf.variable(tf.zeros([2]), true, `lonely-${Math.random()}`);
    const opt = new AdamW([{ variables: [w], weightDecay: 0 }], {
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
    });
    expect(() => opt.step({}, 0.1)).toThrow(
      `no gradient for variable ${w.name}`,
    );
    opt.dispose();
    w.dispose();
  });
});

describe('param groups follow set_weight_decay on torchvision ResNets', () => {
  const label = (c: (typeof expected.paramGroups)[number]) =>
    `${c.model} wd ${c.weightDecay} norm ${c.normWeightDecay} bias ${c.biasWeightDecay}`;
  test.each(expected.paramGroups.map((c) => [label(c), c] as const))(
    '%s',
    (_, c) => {
      const model = createResNet(
        {
          name: c.model as ResNetName,
          numClasses: 10,
          inChannels: 3,
          widthMultiplier: 0.125,
        },
        1,
      );
      const groups = setWeightDecay(modelNamedParams(model), c);
      expect(
        groups.map((g) => ({ weightDecay: g.weightDecay, names: g.names })),
      ).toEqual(c.groups);
      groups.forEach((g) =>
        g.variables.forEach((v, i) =>
          expect(v).toBe(model.params.get(g.names[i]!)),
        ),
      );
      disposeResNet(model);
    },
  );
});
