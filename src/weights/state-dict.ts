// A lab network of any family as torchvision's state_dict sees it: which
// tensors, in which order, and in which layout. Names are the same on both
// sides; the lab keeps conv kernels as tfjs does, [kh, kw, in, out]
// (depthwise: [kh, kw, channels, 1]), and linear weights as [in, out];
// torchvision stores [out, in, kh, kw] ([channels, 1, kh, kw]) and
// [out, in]. timm's ResNets (timm/models/resnet.py) name their tensors
// exactly as torchvision's do (conv1, bn1, layerN.i.*, downsample.0/1, fc),
// so one mapping serves both. The one place layouts are converted: weight
// files (plan.ts, load.ts) and reference tests (train/state-dict.ts) alike.
// Pure: no tfjs.
import type { ModelVariables, ParamKind } from '../train/state-dict';
import type { NamedTensor } from './safetensors';

export type EntryKind = ParamKind | 'bn-buffer';

export interface StateDictEntry {
  name: string;
  kind: EntryKind;
  /** The variable's shape in the lab. */
  labShape: number[];
  /** The same tensor's shape in a torchvision state_dict. */
  torchShape: number[];
}

/** BatchNorm's step counter: torchvision stores it, the lab has no use. */
export function isBatchCounter(name: string): boolean {
  return name.endsWith('.num_batches_tracked');
}

export function torchShapeOf(kind: EntryKind, labShape: number[]): number[] {
  if (kind === 'depthwise') {
    const [kh, kw, channels] = labShape as [number, number, number];
    return [channels, 1, kh, kw];
  }
  if (kind === 'conv') {
    const [kh, kw, inC, outC] = labShape as [number, number, number, number];
    return [outC, inC, kh, kw];
  }
  if (kind === 'fc-weight') return [labShape[1]!, labShape[0]!];
  return [...labShape];
}

/**
 * Every tensor of the network's state_dict but the BN step counters, in
 * torchvision's order: each BatchNorm's running statistics follow its
 * weight and bias.
 */
export function stateDictEntries(
  graph: ModelVariables['graph'],
): StateDictEntry[] {
  const shapes = new Map(graph.buffers.map((b) => [b.name, b.shape]));
  const entries: StateDictEntry[] = [];
  const add = (name: string, kind: EntryKind, labShape: number[]) =>
    entries.push({
      name,
      kind,
      labShape,
      torchShape: torchShapeOf(kind, labShape),
    });
  for (const p of graph.params) {
    add(p.name, p.kind, p.shape);
    if (p.kind !== 'bn-bias') continue;
    const bn = p.name.slice(0, -'.bias'.length);
    for (const stat of ['running_mean', 'running_var']) {
      const name = `${bn}.${stat}`;
      add(name, 'bn-buffer', shapes.get(name)!);
    }
  }
  return entries;
}

/**
 * The network's state_dict in torchvision's layout and order, from its
 * values in the lab's layout (`valueOf` by state-dict name).
 */
export function torchStateDict(
  graph: ModelVariables['graph'],
  valueOf: (name: string) => Float32Array,
): NamedTensor[] {
  return stateDictEntries(graph).map((entry) => ({
    name: entry.name,
    shape: entry.torchShape,
    data: toTorchLayout(entry.kind, entry.labShape, valueOf(entry.name)),
  }));
}

/**
 * Torch layout to the lab's, for a tensor of the lab shape `labShape`. A
 * depthwise kernel moves as a convolution of `channels` inputs and one
 * output: its axes of length 1 do not change the order of its values.
 */
export function fromTorchLayout(
  kind: EntryKind,
  labShape: number[],
  data: Float32Array,
): Float32Array {
  if (kind === 'conv' || kind === 'depthwise') return convToLab(labShape, data);
  if (kind === 'fc-weight') return transpose(data, labShape[1]!, labShape[0]!);
  return data;
}

/** The lab's layout to torch's, for a tensor of the lab shape `labShape`. */
export function toTorchLayout(
  kind: EntryKind,
  labShape: number[],
  data: Float32Array,
): Float32Array {
  if (kind === 'conv' || kind === 'depthwise') {
    return convToTorch(labShape, data);
  }
  if (kind === 'fc-weight') return transpose(data, labShape[0]!, labShape[1]!);
  return data;
}

/** A rows x cols matrix, row-major, transposed. */
function transpose(data: Float32Array, rows: number, cols: number) {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  }
  return out;
}

function convToLab(labShape: number[], torch: Float32Array): Float32Array {
  const [kh, kw, inC, outC] = labShape as [number, number, number, number];
  const out = new Float32Array(torch.length);
  for (let o = 0; o < outC; o++) {
    for (let i = 0; i < inC; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const from = ((o * inC + i) * kh + y) * kw + x;
          out[((y * kw + x) * inC + i) * outC + o] = torch[from]!;
        }
      }
    }
  }
  return out;
}

function convToTorch(labShape: number[], lab: Float32Array): Float32Array {
  const [kh, kw, inC, outC] = labShape as [number, number, number, number];
  const out = new Float32Array(lab.length);
  for (let o = 0; o < outC; o++) {
    for (let i = 0; i < inC; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const to = ((o * inC + i) * kh + y) * kw + x;
          out[to] = lab[((y * kw + x) * inC + i) * outC + o]!;
        }
      }
    }
  }
  return out;
}

/**
 * A torch-layout [out, in, kh, kw] kernel summed over its input channels,
 * giving [out, 1, kh, kw]: on a gray image it computes what the original
 * does on that image repeated on every channel (timm's adapt_input_conv
 * does the same for one input channel).
 */
export function sumInputChannels(
  torchShape: number[],
  data: Float32Array,
): Float32Array {
  const [outC, inC, kh, kw] = torchShape as [number, number, number, number];
  const k = kh * kw;
  const out = new Float32Array(outC * k);
  for (let o = 0; o < outC; o++) {
    for (let i = 0; i < inC; i++) {
      for (let j = 0; j < k; j++) {
        out[o * k + j] = out[o * k + j]! + data[(o * inC + i) * k + j]!;
      }
    }
  }
  return out;
}
