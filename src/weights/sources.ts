// What a weight file expects of its input, kept with the weights, and the
// ImageNet ResNets the lab knows by name. Values are timm's pretrained
// configs (timm/models/resnet.py, default_cfgs: `_cfg` for the torchvision
// weights, `_rcfg` for the ResNet-strikes-back "a1" recipe), which the
// Hugging Face repos `timm/<name>` publish beside model.safetensors.
import type { ResNetName } from '../train/resnet';

export interface Normalization {
  mean: number[];
  std: number[];
}

/** timm's IMAGENET_DEFAULT_MEAN and IMAGENET_DEFAULT_STD. */
export const IMAGENET_NORMALIZATION: Normalization = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export interface WeightsInfo {
  /** timm's `model.tag` name; its Hugging Face repo is `timm/<id>`. */
  id: string;
  model: ResNetName;
  url: string;
  numClasses: number;
  inChannels: number;
  /** Side of the square images the weights were trained on. */
  inputSize: number;
  /** Side the published accuracy was evaluated at. */
  testInputSize: number;
  /** Eval preset: resize to inputSize / cropPct, then centre-crop. */
  cropPct: number;
  testCropPct: number;
  interpolation: 'bilinear' | 'bicubic';
  normalization: Normalization;
}

export function huggingFaceUrl(repo: string): string {
  return `https://huggingface.co/${repo}/resolve/main/model.safetensors`;
}

function imagenet(
  id: string,
  model: ResNetName,
  sizes: Pick<
    WeightsInfo,
    'inputSize' | 'testInputSize' | 'cropPct' | 'testCropPct' | 'interpolation'
  >,
): WeightsInfo {
  return {
    id,
    model,
    url: huggingFaceUrl(`timm/${id}`),
    numClasses: 1000,
    inChannels: 3,
    ...sizes,
    normalization: IMAGENET_NORMALIZATION,
  };
}

export const KNOWN_WEIGHTS: readonly WeightsInfo[] = [
  // torchvision's IMAGENET1K_V2 (the "new training recipe"): trained at
  // 176 px, evaluated at 224 px.
  imagenet('resnet50.tv2_in1k', 'resnet50', {
    inputSize: 176,
    testInputSize: 224,
    cropPct: 0.875,
    testCropPct: 0.965,
    interpolation: 'bilinear',
  }),
  // timm's ResNet strikes back, procedure A1.
  imagenet('resnet50.a1_in1k', 'resnet50', {
    inputSize: 224,
    testInputSize: 288,
    cropPct: 0.95,
    testCropPct: 1.0,
    interpolation: 'bicubic',
  }),
  // torchvision's original IMAGENET1K_V1.
  imagenet('resnet18.tv_in1k', 'resnet18', {
    inputSize: 224,
    testInputSize: 224,
    cropPct: 0.875,
    testCropPct: 0.875,
    interpolation: 'bilinear',
  }),
];

/** A known source by id, `timm/` prefix or not. */
export function knownWeights(id: string): WeightsInfo {
  const bare = id.replace(/^timm\//, '');
  const info = KNOWN_WEIGHTS.find((w) => w.id === bare);
  if (!info) {
    const ids = KNOWN_WEIGHTS.map((w) => `timm/${w.id}`).join(', ');
    throw new Error(`unknown weights "${id}": expected one of ${ids}`);
  }
  return info;
}
