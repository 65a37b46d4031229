// What every optimizer of the lab offers the training step. Slots (momentum,
// averages) are matched to variables by name, never by position, and the
// learning rate is an argument of each step so schedules need no rebuild.
import type * as tf from '@tensorflow/tfjs';
import type { ParamGroup } from './sgd';

export type { ParamGroup };

export type OptimizerName = 'sgd' | 'sgd-nesterov' | 'rmsprop' | 'adamw';

export interface Optimizer {
  /** Applies one update; `grads` is keyed by variable name. */
  step(grads: tf.NamedTensorMap, lr: number): void;
  /** The state slots by `variable name/slot` (for checkpoints). */
  readonly state: ReadonlyMap<string, tf.Variable>;
  dispose(): void;
}

/** The gradient of `w`, or an error naming the variable that has none. */
export function gradientOf(
  grads: tf.NamedTensorMap,
  w: tf.Variable,
): tf.Tensor {
  const grad = grads[w.name];
  if (!grad) throw new Error(`no gradient for variable ${w.name}`);
  return grad;
}
