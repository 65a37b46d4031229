// Zero-initialised state tensors of an optimizer, one per variable and slot
// name, created on first use like torch.optim's lazily built state.
import * as tf from '@tensorflow/tfjs';

let nextSlotsId = 0;

export class Slots {
  private readonly slots = new Map<string, tf.Variable>();
  /** tfjs variable names are global; each optimizer prefixes its own. */
  private readonly prefix = `opt${nextSlotsId++}/`;

  /** The slot `name` of `w`, created as zeros the first time. */
  get(w: tf.Variable, name: string): tf.Variable {
    const key = `${w.name}/${name}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = tf.tidy(() =>
        tf.variable(tf.zerosLike(w), false, this.prefix + key),
      );
      this.slots.set(key, slot);
    }
    return slot;
  }

  get all(): ReadonlyMap<string, tf.Variable> {
    return this.slots;
  }

  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
  }
}
