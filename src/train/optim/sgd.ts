// SGD with momentum, optionally Nesterov, with PyTorch's semantics
// (`torch.optim.SGD`): g = grad + weightDecay * w; buf = momentum * buf +
// (1 - dampening) * g; w -= lr * (nesterov ? g + momentum * buf : buf).
// Buffers are matched to variables by name, never by position, and the
// learning rate is an argument of each step so schedules need no rebuild.
import * as tf from '@tensorflow/tfjs';
import { hasLabKernels } from '../kernels/register';
import type { SlotEntry } from './optimizer';

/** The slot name of the momentum buffer, as torch.optim.SGD's state. */
const MOMENTUM_SLOT = 'momentum_buffer';

export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  dampening: number;
}

export interface ParamGroup {
  variables: tf.Variable[];
  weightDecay: number;
}

export class Sgd {
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    private readonly groups: ParamGroup[],
    private readonly options: SgdOptions,
  ) {}

  /** Applies one update; `grads` is keyed by variable name. */
  step(grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, nesterov, dampening } = this.options;
    const lab = hasLabKernels();
    for (const { variables, weightDecay } of this.groups) {
      for (const w of variables) {
        const grad = grads[w.name];
        if (!grad) throw new Error(`no gradient for variable ${w.name}`);
        const buf = this.buffer(w);
        tf.tidy(() => {
          if (lab) {
            const engine = tf.engine();
            const attrs = { lr, momentum, weightDecay, dampening, nesterov };
            const newBuf = engine.runKernel(
              'LabSgdBuffer',
              { buf, grad, w },
              attrs,
            ) as tf.Tensor;
            const newW = engine.runKernel(
              'LabSgdWeight',
              { w, grad, buf: newBuf },
              attrs,
            ) as tf.Tensor;
            buf.assign(newBuf);
            w.assign(newW);
            return;
          }
          const g = weightDecay ? grad.add(w.mul(weightDecay)) : grad;
          const newBuf = buf.mul(momentum).add(g.mul(1 - dampening));
          const direction = nesterov ? g.add(newBuf.mul(momentum)) : newBuf;
          buf.assign(newBuf);
          w.assign(w.sub(direction.mul(lr)));
        });
      }
    }
  }

  /** The momentum buffers by variable name (for checkpoints). */
  get state(): ReadonlyMap<string, tf.Variable> {
    return this.buffers;
  }

  slotEntries(): SlotEntry[] {
    return [...this.buffers].map(([variable, value]) => ({
      variable,
      slot: MOMENTUM_SLOT,
      value,
    }));
  }

  setSlot(w: tf.Variable, slot: string, value: tf.Tensor): void {
    if (slot !== MOMENTUM_SLOT) {
      throw new Error(
        `SGD keeps one slot, "${MOMENTUM_SLOT}", per variable; got "${slot}"`,
      );
    }
    this.buffer(w).assign(value);
  }

  numSteps(): Record<string, number> {
    return {};
  }

  setNumSteps(): void {}

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }

  private buffer(w: tf.Variable): tf.Variable {
    let buf = this.buffers.get(w.name);
    if (!buf) {
      buf = tf.variable(tf.zerosLike(w), false, `${w.name}/momentum`);
      this.buffers.set(w.name, buf);
    }
    return buf;
  }
}
