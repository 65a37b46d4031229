// How a lab network's variables line up with a torchvision state dict.
// Names are the same on both sides; only the axis order of some tensors
// differs, by what the tensor is: tfjs keeps convolution kernels as
// [kh, kw, in, out] (depthwise: [kh, kw, channels, 1]) and linear weights
// as [in, out], PyTorch as [out, in, kh, kw] ([channels, 1, kh, kw]) and
// [out, in]. Shared by every model family, for reference tests and weight
// files alike.
import * as tf from '@tensorflow/tfjs';

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

type Layout = 'conv' | 'depthwise' | 'linear' | 'vector';

function layoutOf(kind: ParamKind | 'buffer'): Layout {
  if (kind === 'conv' || kind === 'depthwise') return kind;
  return kind === 'fc-weight' ? 'linear' : 'vector';
}

/** Axis permutations, tfjs to PyTorch and PyTorch to tfjs. */
const PERMS: Record<Layout, { toTorch: number[]; fromTorch: number[] }> = {
  conv: { toTorch: [3, 2, 0, 1], fromTorch: [2, 3, 1, 0] },
  depthwise: { toTorch: [2, 3, 0, 1], fromTorch: [2, 3, 0, 1] },
  linear: { toTorch: [1, 0], fromTorch: [1, 0] },
  vector: { toTorch: [0], fromTorch: [0] },
};

/** One entry of a network's state dict, with both layouts. */
export interface StateDictEntry {
  name: string;
  kind: ParamKind | 'buffer';
  shape: number[];
  torchShape: number[];
}

/**
 * Every parameter and buffer of a network as a torchvision state-dict
 * entry (num_batches_tracked, which nothing reads, is left out).
 */
export function stateDictEntries(graph: ModelVariables['graph']) {
  const entry = (
    name: string,
    shape: number[],
    kind: ParamKind | 'buffer',
  ): StateDictEntry => {
    const perm = PERMS[layoutOf(kind)].toTorch;
    return { name, kind, shape, torchShape: perm.map((axis) => shape[axis]!) };
  };
  return [
    ...graph.params.map((p) => entry(p.name, p.shape, p.kind)),
    ...graph.buffers.map((b) => entry(b.name, b.shape, 'buffer')),
  ];
}

/** A tensor in PyTorch layout as the lab keeps it. */
export function fromTorchLayout(
  entry: StateDictEntry,
  values: Float32Array,
): tf.Tensor {
  return tf.tidy(() =>
    tf
      .tensor(values, entry.torchShape)
      .transpose(PERMS[layoutOf(entry.kind)].fromTorch),
  );
}

/** A lab tensor in PyTorch layout, for writing a state dict. */
export function toTorchLayout(entry: StateDictEntry, t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => t.transpose(PERMS[layoutOf(entry.kind)].toTorch));
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
    const t = fromTorchLayout(e, dict.get(e.name)!.values);
    v.assign(t);
    t.dispose();
  }
}
