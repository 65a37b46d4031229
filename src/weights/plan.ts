// Matches a weight file to the lab's network before any variable changes:
// every tensor the network needs must be there with its shape, or the plan
// fails naming each missing, unexpected and misshapen tensor. Two
// differences are bridged, and reported: a classifier head for another
// number of classes is left out (the network keeps its freshly initialised
// head), and an RGB first convolution is summed over its input channels for
// a grayscale network. The network's first parameter is its stem
// convolution and its last linear layer its head, in every family
// (conv1 and fc of a ResNet, features.0.0 and classifier.3 of a
// MobileNetV3). Pure: no tfjs.
import type { ModelGraph } from '../train/model';
import { toFloat32, type SafetensorsFile } from './safetensors';
import {
  fromTorchLayout,
  isBatchCounter,
  stateDictEntries,
  sumInputChannels,
} from './state-dict';

export interface LoadReport {
  /** Tensors taken from the file. */
  numLoaded: number;
  /** Set when the file's head had another class count and was not used. */
  headReplaced: { fileClasses: number; numClasses: number } | null;
  /** Set when conv1's RGB kernel was summed for a grayscale network. */
  inputConvSummed: { fileChannels: number; inChannels: number } | null;
  /** BatchNorm step counters in the file, which the lab has no use for. */
  numIgnored: number;
}

export interface WeightsPlan {
  /** Values in the lab's layout, by state-dict name. */
  values: Map<string, Float32Array>;
  report: LoadReport;
}

/** The file does not fit the network; the message lists every difference. */
export class WeightsMismatchError extends Error {
  override name = 'WeightsMismatchError';
  readonly code = 'weights-mismatch';
  constructor(
    message: string,
    readonly missing: string[],
    readonly unexpected: string[],
    readonly misshapen: string[],
  ) {
    super(message);
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Names a list, the first ten of it when long. */
function listed(label: string, names: string[]): string {
  const shown = names.slice(0, 10).join(', ');
  const more = names.length > 10 ? `, and ${names.length - 10} more` : '';
  return `${label} (${names.length}): ${shown}${more}`;
}

function describeNet(graph: ModelGraph): string {
  const { name, widthMultiplier, numClasses, inChannels } = graph.config;
  return (
    `${name} (width ${widthMultiplier}, ${numClasses} classes, ` +
    `${inChannels} input channels)`
  );
}

/** The head's weight and bias: the network's last linear layer. */
function headOf(graph: ModelGraph): { weight: string; bias: string } {
  const weight = graph.params.findLast((p) => p.kind === 'fc-weight')!;
  const prefix = weight.name.slice(0, -'weight'.length);
  return { weight: weight.name, bias: `${prefix}bias` };
}

/** Whether the file's head differs from the network's in classes only. */
function otherHead(graph: ModelGraph, file: SafetensorsFile): number | null {
  const head = headOf(graph);
  const w = file.tensors.get(head.weight)?.shape;
  const b = file.tensors.get(head.bias)?.shape;
  if (!w || !b || w.length !== 2 || b.length !== 1) return null;
  const [fileClasses, features] = w as [number, number];
  const labFeatures = graph.params.find((p) => p.name === head.weight)!
    .shape[0];
  const fits = features === labFeatures && b[0] === fileClasses;
  return fits && fileClasses !== graph.config.numClasses ? fileClasses : null;
}

/** Whether the stem differs only by RGB input for a one-channel network. */
function isRgbStem(graph: ModelGraph, got: readonly number[]): boolean {
  const [outC, , kh, kw] = got;
  const want = graph.params[0]!.shape;
  return (
    graph.config.inChannels === 1 &&
    got.length === 4 &&
    got[1] === 3 &&
    outC === want[3] &&
    kh === want[0] &&
    kw === want[1]
  );
}

/**
 * A hint for a file in a layout the lab does not read: timm's MobileNetV3
 * names its tensors conv_stem, blocks.N.M.*, conv_head and classifier, and
 * its mobilenetv3_large_100 keeps PyTorch's batch-norm epsilon (1e-5)
 * where torchvision's, and the lab's, is 1e-3, so a renamed file would
 * not compute the same either.
 */
function layoutHint(file: SafetensorsFile): string {
  if (!file.tensors.has('conv_stem.weight')) return '';
  return (
    "\nthis is timm's MobileNetV3 layout (conv_stem, blocks.N.M, " +
    "conv_head), which the lab does not read: expected torchvision's " +
    'mobilenet_v3_large names (features.N, classifier.N)'
  );
}

/** Checks a parsed file against the network and converts its values. */
export function planWeights(
  graph: ModelGraph,
  file: SafetensorsFile,
): WeightsPlan {
  const entries = stateDictEntries(graph);
  const stem = graph.params[0]!.name;
  const head = headOf(graph);
  const wanted = new Set(entries.map((e) => e.name));
  const fileClasses = otherHead(graph, file);
  const missing: string[] = [];
  const misshapen: string[] = [];
  const values = new Map<string, Float32Array>();
  let inputConvSummed: LoadReport['inputConvSummed'] = null;

  for (const entry of entries) {
    const stored = file.tensors.get(entry.name);
    if (!stored) {
      missing.push(entry.name);
      continue;
    }
    const isHead = entry.name === head.weight || entry.name === head.bias;
    if (fileClasses !== null && isHead) continue;
    if (entry.name === stem && isRgbStem(graph, stored.shape)) {
      const summed = sumInputChannels(
        stored.shape,
        toFloat32(entry.name, stored),
      );
      values.set(entry.name, fromTorchLayout('conv', entry.labShape, summed));
      inputConvSummed = { fileChannels: 3, inChannels: 1 };
      continue;
    }
    if (!sameShape(stored.shape, entry.torchShape)) {
      misshapen.push(
        `${entry.name}: expected ${shapeText(entry.torchShape)}, got ` +
          shapeText(stored.shape),
      );
      continue;
    }
    const data = toFloat32(entry.name, stored);
    values.set(entry.name, fromTorchLayout(entry.kind, entry.labShape, data));
  }

  const names = [...file.tensors.keys()];
  const unexpected = names.filter((n) => !wanted.has(n) && !isBatchCounter(n));
  if (missing.length + unexpected.length + misshapen.length > 0) {
    const parts = [
      missing.length > 0 ? listed('missing', missing) : '',
      unexpected.length > 0 ? listed('unexpected', unexpected) : '',
      misshapen.length > 0
        ? `shapes that differ (torch layout):\n  ${misshapen.join('\n  ')}`
        : '',
    ].filter(Boolean);
    throw new WeightsMismatchError(
      `the weights do not fit ${describeNet(graph)}:\n${parts.join('\n')}` +
        layoutHint(file),
      missing,
      unexpected,
      misshapen,
    );
  }

  const report: LoadReport = {
    numLoaded: values.size,
    headReplaced:
      fileClasses === null
        ? null
        : { fileClasses, numClasses: graph.config.numClasses },
    inputConvSummed,
    numIgnored: names.filter(isBatchCounter).length,
  };
  return { values, report };
}
