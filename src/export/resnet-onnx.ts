// The lab's ResNet as an ONNX inference graph (opset 17), laid out from the
// same network description the forward pass interprets (resnet.ts), batch
// norm folded into each convolution (onnx-builder.ts).
import { BN_EPSILON } from '../train/ops/batch-norm';
import type { ResNetGraph } from '../train/resnet';
import {
  GraphBuilder,
  ONNX_INPUT,
  ONNX_OUTPUT,
  checkOptions,
  encodeNetwork,
  int,
  ints,
  type OnnxExportOptions,
} from './onnx-builder';
import { checkWeights, type ModelWeights } from './read-weights';

/** The network as the bytes of an `.onnx` file. */
export function exportResNetOnnx(
  graph: ResNetGraph,
  weights: ModelWeights,
  options: OnnxExportOptions = {},
): Uint8Array {
  checkOptions(graph.config, options);
  checkWeights(graph, weights);
  const b = new GraphBuilder(weights, BN_EPSILON);
  const convBn = (x: string, layer: ConvBn, name: string, relu: boolean) => {
    const { stride, pad } = layer;
    const kernel = weights.get(`${layer.conv}.weight`)!.shape[0]!;
    const conv = b.convBn(x, layer, { kernel, stride, pad }, name);
    return relu ? b.node('Relu', `${name}.relu`, [conv]) : conv;
  };

  let h = convBn(ONNX_INPUT, graph.stem, 'conv1', true);
  h = b.node('MaxPool', 'maxpool', [h], {
    kernel_shape: ints([3, 3]),
    strides: ints([2, 2]),
    pads: ints([1, 1, 1, 1]),
  });
  graph.blocks.forEach((block, i) => {
    const prefix = blockName(graph, i);
    const shortcut = block.downsample
      ? convBn(h, block.downsample, `${prefix}.downsample`, false)
      : h;
    let y = h;
    block.convs.forEach((layer, j) => {
      const last = j === block.convs.length - 1;
      y = convBn(y, layer, `${prefix}.conv${j + 1}`, !last);
    });
    const sum = b.node('Add', `${prefix}.add`, [y, shortcut]);
    h = b.node('Relu', `${prefix}.relu`, [sum]);
  });
  h = b.node('GlobalAveragePool', 'avgpool', [h]);
  h = b.node('Flatten', 'flatten', [h], { axis: int(1) });
  b.linear(h, 'fc', ONNX_OUTPUT);
  return encodeNetwork(graph.config, b, options);
}

type ConvBn = ResNetGraph['stem'];

/** `layer2.1` for the second block of the second stage. */
function blockName(graph: ResNetGraph, index: number): string {
  const conv = graph.blocks[index]!.convs[0]!.conv;
  return conv.slice(0, conv.lastIndexOf('.'));
}
