// The lab's MobileNetV3-Large as an ONNX inference graph (opset 17), laid
// out from the network description the forward pass interprets
// (mobilenet.ts), batch norm folded into each convolution with
// torchvision's eps 1e-3 (onnx-builder.ts). Depthwise convolutions are
// Convs with one group per channel; squeeze-and-excitation is
// GlobalAveragePool, Conv, Relu, Conv, HardSigmoid and a Mul, as
// torchvision's SqueezeExcitation computes it; the classifier's dropout
// does nothing at inference and is left out.
import { MOBILENET_BN_EPSILON, type MobileNetGraph } from '../train/mobilenet';
import {
  GraphBuilder,
  ONNX_INPUT,
  ONNX_OUTPUT,
  checkOptions,
  encodeNetwork,
  float,
  int,
  type OnnxExportOptions,
} from './onnx-builder';
import { checkWeights, type ModelWeights } from './read-weights';

type ConvBnAct = MobileNetGraph['stem'];
type Block = MobileNetGraph['blocks'][number];

/** The network as the bytes of an `.onnx` file. */
export function exportMobileNetOnnx(
  graph: MobileNetGraph,
  weights: ModelWeights,
  options: OnnxExportOptions = {},
): Uint8Array {
  checkOptions(graph.config, options);
  checkWeights(graph, weights);
  const b = new GraphBuilder(weights, MOBILENET_BN_EPSILON);

  let h = convBnAct(b, ONNX_INPUT, graph.stem);
  graph.blocks.forEach((block, i) => {
    h = invertedResidual(b, h, block, `features.${i + 1}`);
  });
  h = convBnAct(b, h, graph.head);
  h = b.node('GlobalAveragePool', 'avgpool', [h]);
  h = b.node('Flatten', 'flatten', [h], { axis: int(1) });
  h = b.linear(h, 'classifier.0');
  h = b.node('HardSwish', 'classifier.1', [h]);
  b.linear(h, 'classifier.3', ONNX_OUTPUT);
  return encodeNetwork(graph.config, b, options);
}

/** torchvision's Conv2dNormActivation: the Conv, then ReLU or HardSwish. */
function convBnAct(b: GraphBuilder, x: string, layer: ConvBnAct): string {
  const { kernel, stride, depthwise } = layer;
  const pad = (kernel - 1) / 2;
  const conv = b.convBn(x, layer, { kernel, stride, pad, depthwise });
  // `features.0.0` is the convolution; torchvision's activation is `.2`.
  const name = `${layer.conv.slice(0, -'.0'.length)}.2`;
  switch (layer.act) {
    case 'relu':
      return b.node('Relu', name, [conv]);
    case 'hardswish':
      return b.node('HardSwish', name, [conv]);
    case null:
      return conv;
  }
}

function invertedResidual(
  b: GraphBuilder,
  x: string,
  block: Block,
  prefix: string,
): string {
  let y = block.expand ? convBnAct(b, x, block.expand) : x;
  y = convBnAct(b, y, block.depthwise);
  if (block.se) {
    const { fc1, fc2 } = block.se;
    const se = fc1.slice(0, -'.fc1'.length);
    const shape = { kernel: 1, stride: 1, pad: 0 };
    let s = b.node('GlobalAveragePool', `${se}.avgpool`, [y]);
    s = b.node('Relu', `${se}.relu`, [b.convBias(s, fc1, shape)]);
    // PyTorch's Hardsigmoid is relu6(x + 3) / 6: slope 1/6, offset 1/2
    // (ONNX's defaults are 0.2 and 0.5).
    s = b.node(
      'HardSigmoid',
      `${se}.hardsigmoid`,
      [b.convBias(s, fc2, shape)],
      {
        alpha: float(1 / 6),
        beta: float(0.5),
      },
    );
    y = b.node('Mul', `${se}.scale`, [y, s]);
  }
  y = convBnAct(b, y, block.project);
  return block.residual ? b.node('Add', `${prefix}.add`, [y, x]) : y;
}
