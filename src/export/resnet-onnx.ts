// The lab's ResNet as an ONNX inference graph (opset 17), laid out from the
// same network description the forward pass interprets (resnet.ts). Eval-
// mode batch norm is folded into the convolution before it:
//   y = gamma (conv(x, W) - mean) / sqrt(var + eps) + beta
//     = conv(x, s W) + (beta - s mean),   s = gamma / sqrt(var + eps),
// so each ConvBn becomes one Conv with a bias, as deployment wants it. The
// model takes torchvision's input: NCHW float32, normalised per channel as
// the lab normalises, with a dynamic batch size N.
import type { ResNetGraph } from '../train/resnet';
import { BN_EPSILON } from '../train/ops/batch-norm';
import { checkWeights, type ModelWeights } from './read-weights';
import {
  encodeModel,
  type AttributeValue,
  type OnnxInitializer,
  type OnnxNode,
} from './onnx';

export const ONNX_OPSET = 17;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

export interface OnnxExportOptions {
  /** Fixes the input's height and width; by default they are dynamic. */
  imageSize?: number;
  /** The per-channel input normalisation, recorded in the metadata. */
  normalization?: { mean: readonly number[]; std: readonly number[] };
  /** Class names in logit order, recorded in the metadata. */
  classNames?: readonly string[];
}

type ConvBn = ResNetGraph['stem'];

/** The network as the bytes of an `.onnx` file. */
export function exportOnnx(
  graph: ResNetGraph,
  weights: ModelWeights,
  options: OnnxExportOptions = {},
): Uint8Array {
  checkOptions(graph, options);
  checkWeights(graph, weights);
  const { config } = graph;
  const b = new GraphBuilder(weights);

  let h = b.convBn(ONNX_INPUT, graph.stem, 'conv1', true);
  h = b.node('MaxPool', 'maxpool', [h], {
    kernel_shape: ints([3, 3]),
    strides: ints([2, 2]),
    pads: ints([1, 1, 1, 1]),
  });
  graph.blocks.forEach((block, i) => {
    const prefix = blockName(graph, i);
    const shortcut = block.downsample
      ? b.convBn(h, block.downsample, `${prefix}.downsample`, false)
      : h;
    let y = h;
    block.convs.forEach((layer, j) => {
      const last = j === block.convs.length - 1;
      y = b.convBn(y, layer, `${prefix}.conv${j + 1}`, !last);
    });
    const sum = b.node('Add', `${prefix}.add`, [y, shortcut]);
    h = b.node('Relu', `${prefix}.relu`, [sum]);
  });
  h = b.node('GlobalAveragePool', 'avgpool', [h]);
  h = b.node('Flatten', 'flatten', [h], { axis: int(1) });
  b.fc(h);

  const size = options.imageSize ?? null;
  return encodeModel({
    opsetVersion: ONNX_OPSET,
    producerName: 'recipe-lab',
    producerVersion: '0.1.0',
    docString: `${config.name}, width x${config.widthMultiplier}`,
    graph: {
      name: config.name,
      nodes: b.nodes,
      initializers: b.initializers,
      inputs: [
        {
          name: ONNX_INPUT,
          dims: ['N', config.inChannels, size ?? 'H', size ?? 'W'],
        },
      ],
      outputs: [{ name: ONNX_OUTPUT, dims: ['N', config.numClasses] }],
    },
    metadata: metadata(graph, options),
  });
}

/** `layer2.1` for the second block of the second stage. */
function blockName(graph: ResNetGraph, index: number): string {
  const conv = graph.blocks[index]!.convs[0]!.conv;
  return conv.slice(0, conv.lastIndexOf('.'));
}

function metadata(
  graph: ResNetGraph,
  options: OnnxExportOptions,
): Record<string, string> {
  const { config } = graph;
  const out: Record<string, string> = {
    model: config.name,
    width_multiplier: String(config.widthMultiplier),
    num_classes: String(config.numClasses),
    input_layout: 'NCHW',
    batch_norm: 'folded into conv',
  };
  if (options.normalization) {
    out.input_mean = JSON.stringify(options.normalization.mean);
    out.input_std = JSON.stringify(options.normalization.std);
  }
  if (options.classNames) {
    out.class_names = JSON.stringify(options.classNames);
  }
  return out;
}

const int = (value: number): AttributeValue => ({ kind: 'int', value });
const ints = (value: number[]): AttributeValue => ({ kind: 'ints', value });

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];

  constructor(private readonly weights: ModelWeights) {}

  /** Adds a node with one output named as the node; returns that name. */
  node(
    opType: string,
    name: string,
    inputs: string[],
    attributes?: Record<string, AttributeValue>,
  ): string {
    this.nodes.push({ name, opType, inputs, outputs: [name], attributes });
    return name;
  }

  /** Conv with the batch norm folded in, then ReLU if asked. */
  convBn(x: string, layer: ConvBn, name: string, relu: boolean): string {
    const { weight, bias, kernel } = foldBatchNorm(this.weights, layer);
    this.initializers.push(weight, bias);
    const conv = this.node('Conv', name, [x, weight.name, bias.name], {
      kernel_shape: ints([kernel, kernel]),
      strides: ints([layer.stride, layer.stride]),
      pads: ints([layer.pad, layer.pad, layer.pad, layer.pad]),
    });
    return relu ? this.node('Relu', `${name}.relu`, [conv]) : conv;
  }

  /** Gemm with torchvision's [K, in] weight (the lab keeps [in, K]). */
  fc(x: string): void {
    const w = this.weights.get('fc.weight')!;
    const [numIn, numOut] = w.shape as [number, number];
    const data = new Float32Array(numIn * numOut);
    for (let i = 0; i < numIn; i++) {
      for (let k = 0; k < numOut; k++) {
        data[k * numIn + i] = w.data[i * numOut + k]!;
      }
    }
    const bias = this.weights.get('fc.bias')!;
    this.initializers.push(
      { name: 'fc.weight', dims: [numOut, numIn], data },
      { name: 'fc.bias', dims: [numOut], data: bias.data },
    );
    this.nodes.push({
      name: 'fc',
      opType: 'Gemm',
      inputs: [x, 'fc.weight', 'fc.bias'],
      outputs: [ONNX_OUTPUT],
      attributes: { transB: int(1) },
    });
  }
}

/**
 * The convolution of `layer` with its batch norm folded in, in ONNX
 * layout ([out, in, kh, kw] from the lab's [kh, kw, in, out]). The scale
 * is computed in float64 and rounded once.
 */
export function foldBatchNorm(
  weights: ModelWeights,
  layer: ConvBn,
): { weight: OnnxInitializer; bias: OnnxInitializer; kernel: number } {
  const get = (name: string) => weights.get(name)!.data;
  const w = weights.get(`${layer.conv}.weight`)!;
  const [kh, kw, numIn, numOut] = w.shape as [number, number, number, number];
  const gamma = get(`${layer.bn}.weight`);
  const beta = get(`${layer.bn}.bias`);
  const mean = get(`${layer.bn}.running_mean`);
  const variance = get(`${layer.bn}.running_var`);

  const scale = new Float64Array(numOut);
  const bias = new Float32Array(numOut);
  for (let o = 0; o < numOut; o++) {
    scale[o] = gamma[o]! / Math.sqrt(variance[o]! + BN_EPSILON);
    bias[o] = beta[o]! - mean[o]! * scale[o]!;
  }
  const folded = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < numIn; i++) {
        const from = ((y * kw + x) * numIn + i) * numOut;
        for (let o = 0; o < numOut; o++) {
          const to = ((o * numIn + i) * kh + y) * kw + x;
          folded[to] = w.data[from + o]! * scale[o]!;
        }
      }
    }
  }
  return {
    weight: {
      name: `${layer.conv}.weight`,
      dims: [numOut, numIn, kh, kw],
      data: folded,
    },
    bias: { name: `${layer.conv}.bias`, dims: [numOut], data: bias },
    kernel: kh,
  };
}

function checkOptions(graph: ResNetGraph, options: OnnxExportOptions): void {
  const { imageSize, normalization, classNames } = options;
  if (
    imageSize !== undefined &&
    !(Number.isInteger(imageSize) && imageSize > 0)
  ) {
    throw new Error(`imageSize: expected a positive integer, got ${imageSize}`);
  }
  const { inChannels, numClasses } = graph.config;
  for (const key of ['mean', 'std'] as const) {
    const values = normalization?.[key];
    if (values && values.length !== inChannels) {
      throw new Error(
        `normalization.${key}: expected ${inChannels} values (one per ` +
          `input channel), got ${values.length}`,
      );
    }
  }
  if (classNames && classNames.length !== numClasses) {
    throw new Error(
      `classNames: expected ${numClasses} names, got ${classNames.length}`,
    );
  }
}
