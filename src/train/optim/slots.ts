// Zero-initialised state tensors of an optimizer, one per variable and slot
// name, created on first use like torch.optim's lazily built state.
import * as tf from '@tensorflow/tfjs';
import type { SlotEntry } from './optimizer';

let nextSlotsId = 0;

export class Slots {
  private readonly slots = new Map<string, tf.Variable>();
  private readonly owners = new Map<
    string,
    { variable: string; slot: string }
  >();
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
      this.owners.set(key, { variable: w.name, slot: name });
    }
    return slot;
  }

  /** Sets the slot `name` of `w` to a copy of `value`. */
  set(w: tf.Variable, name: string, value: tf.Tensor): void {
    this.get(w, name).assign(value);
  }

  entries(): SlotEntry[] {
    return [...this.slots].map(([key, value]) => ({
      ...this.owners.get(key)!,
      value,
    }));
  }

  get all(): ReadonlyMap<string, tf.Variable> {
    return this.slots;
  }

  dispose(): void {
    for (const s of this.slots.values()) s.dispose();
    this.slots.clear();
    this.owners.clear();
  }
}
