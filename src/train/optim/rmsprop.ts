// RMSprop with torch.optim.RMSprop's update (not centered), as the
// classification reference builds it for `--opt rmsprop`: alpha 0.9,
// eps 0.0316, momentum from `--momentum`. Per variable:
//   g = grad + weightDecay * w
//   v = alpha * v + (1 - alpha) * g^2
//   d = g / (sqrt(v) + eps)            (eps added after the square root)
//   momentum > 0: buf = momentum * buf + d; w -= lr * buf
//   otherwise:    w -= lr * d
import * as tf from '@tensorflow/tfjs';
import {
  gradientOf,
  type Optimizer,
  type ParamGroup,
  type SlotEntry,
} from './optimizer';
import { Slots } from './slots';

export interface RmspropOptions {
  alpha: number;
  eps: number;
  momentum: number;
}

/** The constants train.py passes to torch.optim.RMSprop. */
export const REFERENCE_RMSPROP: Omit<RmspropOptions, 'momentum'> = {
  alpha: 0.9,
  eps: 0.0316,
};

export class Rmsprop implements Optimizer {
  private readonly slots = new Slots();

  constructor(
    private readonly groups: ParamGroup[],
    private readonly options: RmspropOptions,
  ) {}

  step(grads: tf.NamedTensorMap, lr: number): void {
    const { alpha, eps, momentum } = this.options;
    for (const { variables, weightDecay } of this.groups) {
      for (const w of variables) {
        const grad = gradientOf(grads, w);
        const squareAvg = this.slots.get(w, 'square_avg');
        const buf = momentum > 0 ? this.slots.get(w, 'momentum') : null;
        tf.tidy(() => {
          const g = weightDecay ? grad.add(w.mul(weightDecay)) : grad;
          const v = squareAvg.mul(alpha).add(g.square().mul(1 - alpha));
          const d = g.div(v.sqrt().add(eps));
          squareAvg.assign(v);
          if (!buf) {
            w.assign(w.sub(d.mul(lr)));
            return;
          }
          const newBuf = buf.mul(momentum).add(d);
          buf.assign(newBuf);
          w.assign(w.sub(newBuf.mul(lr)));
        });
      }
    }
  }

  get state(): ReadonlyMap<string, tf.Variable> {
    return this.slots.all;
  }

  slotEntries(): SlotEntry[] {
    return this.slots.entries();
  }

  setSlot(w: tf.Variable, slot: string, value: tf.Tensor): void {
    this.slots.set(w, slot, value);
  }

  numSteps(): Record<string, number> {
    return {};
  }

  setNumSteps(): void {}

  dispose(): void {
    this.slots.dispose();
  }
}
