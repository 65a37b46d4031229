// What every lab network holds, whatever its family, and a strict loader
// of a torchvision state dict into it for the reference tests. Names and
// shapes are torchvision's; the layouts are converted by
// src/weights/state-dict.ts, the one place that knows them. Weight files
// go through src/weights/plan.ts, which also bridges another head or a
// gray stem.
import * as tf from '@tensorflow/tfjs';
import { fromTorchLayout, stateDictEntries } from '../weights/state-dict';

/** What a trainable parameter is, which fixes its layout and its init. */
export type ParamKind =
  | 'conv'
  | 'depthwise'
  | 'conv-bias'
  | 'bn-weight'
  | 'bn-bias'
  | 'fc-weight'
  | 'fc-bias';

export interface ParamSpec {
  name: string;
  /** Shape in tfjs layout. */
  shape: number[];
  kind: ParamKind;
}

/** What every lab network holds, whatever its family. */
export interface ModelVariables {
  graph: {
    params: readonly ParamSpec[];
    buffers: readonly { name: string; shape: number[] }[];
  };
  params: Map<string, tf.Variable>;
  buffers: Map<string, tf.Variable>;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Assigns a state dict (PyTorch layout, by name) to a network's variables.
 * Every entry the network has must be there with torchvision's shape, and
 * nothing else may be (num_batches_tracked excepted); otherwise it throws
 * before assigning anything, naming what was expected and what came.
 */
export function loadStateDict(
  model: ModelVariables,
  dict: ReadonlyMap<string, { shape: number[]; values: Float32Array }>,
): void {
  const entries = stateDictEntries(model.graph);
  const known = new Set(entries.map((e) => e.name));
  const extra = [...dict.keys()].filter(
    (k) => !known.has(k) && !k.endsWith('num_batches_tracked'),
  );
  if (extra.length > 0) {
    throw new Error(
      `state dict has ${extra.length} entries this model lacks: ` +
        extra.slice(0, 5).join(', '),
    );
  }
  for (const e of entries) {
    const got = dict.get(e.name);
    if (!got) throw new Error(`state dict lacks "${e.name}"`);
    if (!sameShape(got.shape, e.torchShape)) {
      throw new Error(
        `"${e.name}": expected shape [${e.torchShape.join(', ')}], ` +
          `got [${got.shape.join(', ')}]`,
      );
    }
  }
  for (const e of entries) {
    const v = model.params.get(e.name) ?? model.buffers.get(e.name)!;
    const values = fromTorchLayout(
      e.kind,
      e.labShape,
      dict.get(e.name)!.values,
    );
    tf.tidy(() => v.assign(tf.tensor(values, e.labShape)));
  }
}
