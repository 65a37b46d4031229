// What every optimizer of the lab offers the training step. Slots (momentum,
// averages) are matched to variables by name, never by position, and the
// learning rate is an argument of each step so schedules need no rebuild.
import type * as tf from '@tensorflow/tfjs';
import type { ParamGroup } from './sgd';

export type { ParamGroup };

export type OptimizerName = 'sgd' | 'sgd-nesterov' | 'rmsprop' | 'adamw';

/** One state tensor of an optimizer and the variable it belongs to. */
export interface SlotEntry {
  /** The tfjs name of the variable. */
  variable: string;
  slot: string;
  value: tf.Variable;
}

export interface Optimizer {
  /** Applies one update; `grads` is keyed by variable name. */
  step(grads: tf.NamedTensorMap, lr: number): void;
  /** The state slots by `variable name/slot` (for checkpoints). */
  readonly state: ReadonlyMap<string, tf.Variable>;
  /** Every slot made so far, with its variable (for checkpoints). */
  slotEntries(): SlotEntry[];
  /** Sets (creating if need be) the slot `slot` of `w` to a copy of `value`. */
  setSlot(w: tf.Variable, slot: string, value: tf.Tensor): void;
  /** Updates per variable name, where the update depends on them. */
  numSteps(): Record<string, number>;
  setNumSteps(counts: Readonly<Record<string, number>>): void;
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
