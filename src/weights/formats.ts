// The formats the lab writes weights in, by the name `convert --format`
// takes. Pure, so the CLI checks its flags without loading tfjs; the
// writers live in convert.ts, one per name here.
export const WEIGHT_FORMATS = {
  safetensors:
    "model.safetensors: torchvision's state_dict names and layouts, for " +
    'torch and timm',
  tfjs:
    'model.json and weights.bin: a tfjs Layers model, for ' +
    'tf.loadLayersModel',
  onnx:
    'model.onnx: an ONNX inference graph (opset 17, batch norm folded ' +
    'into the convolutions), for onnxruntime',
} as const;

export type WeightFormatName = keyof typeof WEIGHT_FORMATS;

export const WEIGHT_FORMAT_NAMES = Object.keys(
  WEIGHT_FORMATS,
) as WeightFormatName[];

export function isWeightFormat(name: string): name is WeightFormatName {
  return Object.hasOwn(WEIGHT_FORMATS, name);
}

/** The file the model card is written to, beside the weights. */
export const MODEL_CARD_FILE = 'model-card.json';
