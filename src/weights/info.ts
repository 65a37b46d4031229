// What a cached weight file is, read from its tensors' names and shapes:
// which of the lab's networks it fits, at what width, for how many classes
// and input channels, and how its inputs are to be normalised. The
// normalisation comes from the known source (sources.ts), else from the
// file's `mean` and `std` metadata (JSON arrays), else ImageNet's. Pure: no
// tfjs, no DOM.
import type { ModelName } from '../recipe/recipe';
import type { ResNetName } from '../train/resnet';
import type { SafetensorsFile } from './safetensors';
import {
  IMAGENET_NORMALIZATION,
  KNOWN_WEIGHTS,
  type Normalization,
  type WeightsInfo,
} from './sources';

export interface WeightsFileInfo {
  /** The lab's network with these tensors; null when none has them. */
  model: ModelName | null;
  /**
   * The lab's width multiplier: a ResNet's conv1 channels over 64, a
   * MobileNetV3's last convolution's (features.16.0) over 960.
   */
  width: number | null;
  numClasses: number | null;
  inChannels: number | null;
  /** Side of the images the weights were trained on. */
  inputSize: number;
  normalization: Normalization;
  /** Where the normalisation and input size were taken from. */
  configFrom: 'known source' | 'file metadata' | 'ImageNet defaults';
  numTensors: number;
}

/** Blocks per stage of each ResNet; `bottleneck` blocks have a conv3. */
const BLOCKS: Record<ResNetName, { stages: number[]; bottleneck: boolean }> = {
  resnet18: { stages: [2, 2, 2, 2], bottleneck: false },
  resnet34: { stages: [3, 4, 6, 3], bottleneck: false },
  resnet50: { stages: [3, 4, 6, 3], bottleneck: true },
};

/** Blocks in each of layer1..layer4, from names like `layer2.3.conv1`. */
function stageBlocks(names: readonly string[]): number[] {
  const counts = [0, 0, 0, 0];
  for (const name of names) {
    const m = /^layer([1-4])\.(\d+)\./.exec(name);
    if (!m) continue;
    const stage = Number(m[1]) - 1;
    counts[stage] = Math.max(counts[stage]!, Number(m[2]) + 1);
  }
  return counts;
}

/** torchvision's mobilenet_v3_large: its last block and its head. */
const MOBILENET_MARKS = ['features.16.0.weight', 'classifier.3.weight'];

/** The lab's network whose state-dict names the file has, if any. */
export function guessModel(names: readonly string[]): ModelName | null {
  if (MOBILENET_MARKS.every((m) => names.includes(m))) {
    return 'mobilenet_v3_large';
  }
  const stages = stageBlocks(names).join(',');
  const bottleneck = names.some((n) => /^layer1\.0\.conv3\./.test(n));
  for (const [model, blocks] of Object.entries(BLOCKS)) {
    if (
      blocks.bottleneck === bottleneck &&
      blocks.stages.join(',') === stages
    ) {
      return model as ResNetName;
    }
  }
  return null;
}

function numberList(text: string | undefined): number[] | null {
  if (text === undefined) return null;
  try {
    const value: unknown = JSON.parse(text);
    const ok =
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((v) => typeof v === 'number' && Number.isFinite(v));
    return ok ? (value as number[]) : null;
  } catch {
    return null;
  }
}

/** `mean` and `std` of the file's metadata, when both are usable. */
function metadataNormalization(
  metadata: Record<string, string>,
): Normalization | null {
  const mean = numberList(metadata['mean']);
  const std = numberList(metadata['std']);
  if (!mean || !std || mean.length !== std.length) return null;
  return std.every((s) => s > 0) ? { mean, std } : null;
}

/** A known source's config by cache id (`timm/<name>` or its URL). */
export function knownSourceOf(id: string) {
  const bare = id.replace(/^timm\//, '');
  return KNOWN_WEIGHTS.find((w) => w.id === bare || w.url === id) ?? null;
}

export function describeWeightsFile(
  id: string,
  file: SafetensorsFile,
): WeightsFileInfo {
  const names = [...file.tensors.keys()];
  const model = guessModel(names);
  const shapeOf = (name: string) => file.tensors.get(name)?.shape;
  const isMobileNet = model === 'mobilenet_v3_large';
  const stem = shapeOf(isMobileNet ? 'features.0.0.weight' : 'conv1.weight');
  const widest = isMobileNet ? shapeOf('features.16.0.weight') : stem;
  const fc = shapeOf(isMobileNet ? 'classifier.3.weight' : 'fc.weight');
  const known = knownSourceOf(id);
  const fromMetadata = metadataNormalization(file.metadata);
  const metadataSize = Number(file.metadata['input_size']);
  return {
    model,
    width: widest?.length === 4 ? widest[0]! / (isMobileNet ? 960 : 64) : null,
    numClasses: fc?.length === 2 ? fc[0]! : null,
    inChannels: stem?.length === 4 ? stem[1]! : null,
    inputSize:
      known?.inputSize ??
      (Number.isSafeInteger(metadataSize) && metadataSize > 0
        ? metadataSize
        : 224),
    normalization:
      known?.normalization ?? fromMetadata ?? IMAGENET_NORMALIZATION,
    configFrom: known
      ? 'known source'
      : fromMetadata
        ? 'file metadata'
        : 'ImageNet defaults',
    numTensors: names.length,
  };
}

/**
 * The normalisation for a network of `channels` inputs: the weights' own,
 * or for a grayscale network fed by RGB weights (whose conv1 is summed over
 * its inputs, plan.ts) the mean of the three means and of the three stds,
 * which is exact when the channels share them.
 */
export function inputNormalization(
  normalization: Normalization,
  channels: number,
): Normalization {
  const { mean, std } = normalization;
  if (mean.length === channels) return { mean: [...mean], std: [...std] };
  if (channels === 1) {
    const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean: [average(mean)], std: [average(std)] };
  }
  throw new Error(
    `the weights normalise ${mean.length} channels; expected 1 or ` +
      `${channels} for images of ${channels} channels`,
  );
}

/**
 * Parameters of each network at width 1 with 1,000 classes and RGB input,
 * as torchvision's model docs list them; tests/unit/weights-info.test.ts
 * counts them from the lab's own network. Here as numbers so that the UI
 * shows a file's size without loading tfjs.
 */
export const IMAGENET_PARAMETERS: Record<ModelName, number> = {
  resnet18: 11_689_512,
  resnet34: 21_797_672,
  resnet50: 25_557_032,
  mobilenet_v3_large: 5_483_032,
};

/** About the bytes of a known source's float32 file. */
export function knownFileBytes(source: WeightsInfo): number {
  return 4 * IMAGENET_PARAMETERS[source.model];
}
