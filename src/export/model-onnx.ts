// Any lab network as an ONNX inference graph, by its family's exporter.
import type { ModelGraph } from '../train/model';
import { exportMobileNetOnnx } from './mobilenet-onnx';
import type { OnnxExportOptions } from './onnx-builder';
import type { ModelWeights } from './read-weights';
import { exportResNetOnnx } from './resnet-onnx';

export type { OnnxExportOptions };

/** The network as the bytes of an `.onnx` file: see onnx-builder.ts. */
export function exportOnnx(
  graph: ModelGraph,
  weights: ModelWeights,
  options: OnnxExportOptions = {},
): Uint8Array {
  return 'head' in graph
    ? exportMobileNetOnnx(graph, weights, options)
    : exportResNetOnnx(graph, weights, options);
}
