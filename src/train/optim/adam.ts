// Adam and AdamW with torch.optim's updates (amsgrad off). Per variable,
// with t its own step count from 1:
//   AdamW: w *= 1 - lr * weightDecay        (decoupled decay, first)
//   Adam:  g = grad + weightDecay * w       (L2 in the gradient)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// The reference builds AdamW for `--opt adamw` with torch's defaults:
// betas (0.9, 0.999), eps 1e-8.
import * as tf from '@tensorflow/tfjs';
import {
  gradientOf,
  type Optimizer,
  type ParamGroup,
  type SlotEntry,
} from './optimizer';
import { Slots } from './slots';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

/** torch.optim.AdamW's defaults, which train.py keeps. */
export const REFERENCE_ADAMW: AdamOptions = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
};

export class Adam implements Optimizer {
  private readonly slots = new Slots();
  private readonly stepCounts = new Map<string, number>();

  constructor(
    private readonly groups: ParamGroup[],
    private readonly options: AdamOptions,
    private readonly decoupledWeightDecay = false,
  ) {}

  step(grads: tf.NamedTensorMap, lr: number): void {
    const { beta1, beta2, eps } = this.options;
    for (const { variables, weightDecay } of this.groups) {
      for (const w of variables) {
        const grad = gradientOf(grads, w);
        const m = this.slots.get(w, 'exp_avg');
        const v = this.slots.get(w, 'exp_avg_sq');
        const t = (this.stepCounts.get(w.name) ?? 0) + 1;
        this.stepCounts.set(w.name, t);
        const stepSize = lr / (1 - Math.pow(beta1, t));
        const correction2 = Math.sqrt(1 - Math.pow(beta2, t));
        tf.tidy(() => {
          let param: tf.Tensor = w;
          let g = grad;
          if (weightDecay && this.decoupledWeightDecay) {
            param = w.mul(1 - lr * weightDecay);
          } else if (weightDecay) {
            g = grad.add(w.mul(weightDecay));
          }
          const newM = m.mul(beta1).add(g.mul(1 - beta1));
          const newV = v.mul(beta2).add(g.square().mul(1 - beta2));
          const denom = newV.sqrt().div(correction2).add(eps);
          m.assign(newM);
          v.assign(newV);
          w.assign(param.sub(newM.div(denom).mul(stepSize)));
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
    return Object.fromEntries(this.stepCounts);
  }

  setNumSteps(counts: Readonly<Record<string, number>>): void {
    this.stepCounts.clear();
    for (const [name, t] of Object.entries(counts)) {
      this.stepCounts.set(name, t);
    }
  }

  dispose(): void {
    this.slots.dispose();
    this.stepCounts.clear();
  }
}

/** AdamW: Adam with weight decay applied to the weights, not the gradient. */
export class AdamW extends Adam {
  constructor(groups: ParamGroup[], options: AdamOptions) {
    super(groups, options, true);
  }
}
