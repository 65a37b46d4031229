// An exponential moving average of the weights and BN buffers, as the
// classification reference keeps it (`--model-ema`): its
// ExponentialMovingAverage (references/classification/utils.py) is
// torch.optim.swa_utils.AveragedModel with use_buffers=True and
//   avg = decay * avg + (1 - decay) * value,
// where the first update after construction or a reset copies the values
// (n_averaged = 0). train.py updates it after the optimizer step when
// step-in-epoch % model-ema-steps == 0, resets n_averaged to 0 after each
// update during the warmup epochs (so the average keeps copying), and does
// not use `--model-ema-decay` as is: see effectiveEmaDecay (ema-decay.ts).
import * as tf from '@tensorflow/tfjs';
import { isEmaUpdateStep } from './ema-decay';

export {
  effectiveEmaDecay,
  isEmaUpdateStep,
  type ModelEmaParams,
} from './ema-decay';

let nextEmaId = 0;

export class ExponentialMovingAverage {
  /** Updates since construction or the last reset, as n_averaged. */
  numAveraged = 0;
  private readonly averages = new Map<string, tf.Variable>();
  private readonly prefix = `ema${nextEmaId++}/`;

  /** `decay` is the per-update decay (effectiveEmaDecay of the flags). */
  constructor(readonly decay: number) {
    if (!(decay >= 0 && decay <= 1)) {
      throw new Error(`EMA decay must be in [0, 1], got ${String(decay)}`);
    }
  }

  /** Folds `values` (parameters and buffers by name) into the average. */
  update(values: ReadonlyMap<string, tf.Tensor>): void {
    const copy = this.numAveraged === 0;
    for (const [name, value] of values) {
      const avg = this.averages.get(name);
      if (!avg) {
        if (!copy) throw new Error(`EMA has no average for "${name}"`);
        const init = tf.tidy(() =>
          tf.variable(value.clone(), false, this.prefix + name),
        );
        this.averages.set(name, init);
        continue;
      }
      if (copy) {
        avg.assign(value);
        continue;
      }
      tf.tidy(() => {
        avg.assign(avg.mul(this.decay).add(value.mul(1 - this.decay)));
      });
    }
    this.numAveraged += 1;
  }

  /** The next update copies the values again (the warmup reset). */
  reset(): void {
    this.numAveraged = 0;
  }

  /**
   * One training step's share of the reference's EMA: update on every
   * `modelEmaSteps`-th step of an epoch, and reset while warmup lasts.
   */
  afterStep(
    values: ReadonlyMap<string, tf.Tensor>,
    at: { epoch: number; stepInEpoch: number },
    p: { modelEmaSteps: number; lrWarmupEpochs: number },
  ): void {
    if (!isEmaUpdateStep(at.stepInEpoch, p.modelEmaSteps)) return;
    this.update(values);
    if (at.epoch < p.lrWarmupEpochs) this.reset();
  }

  /**
   * Replaces the averages with copies of `values` and the update count
   * with `numAveraged` (restoring a checkpoint).
   */
  load(values: ReadonlyMap<string, tf.Tensor>, numAveraged: number): void {
    this.dispose();
    for (const [name, value] of values) {
      const copy = tf.tidy(() =>
        tf.variable(value.clone(), false, this.prefix + name),
      );
      this.averages.set(name, copy);
    }
    this.numAveraged = numAveraged;
  }

  /** The averaged tensors by name. */
  get values(): ReadonlyMap<string, tf.Variable> {
    return this.averages;
  }

  dispose(): void {
    for (const v of this.averages.values()) v.dispose();
    this.averages.clear();
  }
}
