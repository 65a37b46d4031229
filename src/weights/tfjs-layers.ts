// The lab's networks as tfjs Layers models, for the tfjs "layers" format
// (model.json and a weights file, loadable with tf.loadLayersModel): the
// ResNet here, MobileNetV3-Large in mobilenet-layers.ts.
// torchvision pads symmetrically; a stride-2 convolution with tfjs's
// 'same' padding pads more at the bottom and right, so every padded
// convolution is an explicit ZeroPadding2D and a 'valid' one. The max pool
// comes after a ReLU, so zero padding there equals torch's -inf padding.
import * as tf from '@tensorflow/tfjs';
import { BN_EPSILON } from '../train/ops/batch-norm';
import type { LabModel, ModelGraph } from '../train/model';
import type { ResNetGraph } from '../train/resnet';
import { buildMobileNetLayers } from './mobilenet-layers';

type Layer = tf.SymbolicTensor;

/** A parameter or buffer by state-dict name, in the lab's layout. */
export type TensorLookup = (name: string) => tf.Tensor;

function lookupOf(state: LabModel): TensorLookup {
  return (name) => {
    const v = state.params.get(name) ?? state.buffers.get(name);
    if (!v) throw new Error(`the model has no variable "${name}"`);
    return v;
  };
}

/** Builds the Layers model with the model's current weights. */
export function toLayersModel(state: LabModel): tf.LayersModel {
  return buildLayersModel(state.graph, lookupOf(state));
}

/** Builds the Layers model of `graph`, its weights copied from `value`. */
export function buildLayersModel(
  graph: ModelGraph,
  value: TensorLookup,
): tf.LayersModel {
  return 'head' in graph
    ? buildMobileNetLayers(graph, value)
    : buildResNetLayers(graph, value);
}

function buildResNetLayers(
  graph: ResNetGraph,
  value: TensorLookup,
): tf.LayersModel {
  const assignments: [string, tf.Tensor[]][] = [];
  const convBn = (x: Layer, layer: ResNetGraph['stem'], relu: boolean) => {
    const kernel = value(`${layer.conv}.weight`);
    const [size, , , filters] = kernel.shape as number[];
    let h = x;
    if (layer.pad > 0) {
      const pad = tf.layers.zeroPadding2d({
        padding: layer.pad,
        name: `${layer.conv}.pad`,
      });
      h = pad.apply(h) as Layer;
    }
    h = tf.layers
      .conv2d({
        filters: filters!,
        kernelSize: size!,
        strides: layer.stride,
        padding: 'valid',
        useBias: false,
        name: layer.conv,
      })
      .apply(h) as Layer;
    assignments.push([layer.conv, [kernel]]);
    h = tf.layers
      .batchNormalization({ epsilon: BN_EPSILON, name: layer.bn })
      .apply(h) as Layer;
    const stats = ['weight', 'bias', 'running_mean', 'running_var'];
    assignments.push([layer.bn, stats.map((s) => value(`${layer.bn}.${s}`))]);
    return relu
      ? (tf.layers.reLU({ name: `${layer.bn}.relu` }).apply(h) as Layer)
      : h;
  };

  const input = tf.input({ shape: [null, null, graph.config.inChannels] });
  let h = convBn(input, graph.stem, true);
  h = tf.layers
    .zeroPadding2d({ padding: 1, name: 'maxpool.pad' })
    .apply(h) as Layer;
  h = tf.layers
    .maxPooling2d({ poolSize: 3, strides: 2, name: 'maxpool' })
    .apply(h) as Layer;
  graph.blocks.forEach((block, b) => {
    const shortcut = block.downsample ? convBn(h, block.downsample, false) : h;
    let y = h;
    block.convs.forEach((layer, i) => {
      y = convBn(y, layer, i < block.convs.length - 1);
    });
    const sum = tf.layers.add({ name: `block${b}.add` }).apply([y, shortcut]);
    h = tf.layers.reLU({ name: `block${b}.relu` }).apply(sum) as Layer;
  });
  h = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(h) as Layer;
  const logits = tf.layers
    .dense({ units: graph.config.numClasses, name: 'fc' })
    .apply(h) as Layer;
  assignments.push(['fc', [value('fc.weight'), value('fc.bias')]]);

  const model = tf.model({ inputs: input, outputs: logits });
  for (const [name, weights] of assignments) {
    model.getLayer(name).setWeights(weights);
  }
  return model;
}

/** model.json and its weights file, as tf.loadLayersModel reads them. */
export function exportTfjsLayers(state: LabModel): Promise<LayersFile[]> {
  return saveLayersModel(toLayersModel(state));
}

export interface LayersFile {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** The files of `model`, which it disposes. */
export async function saveLayersModel(
  model: tf.LayersModel,
): Promise<LayersFile[]> {
  try {
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    const saved = artifacts as unknown as tf.io.ModelArtifacts;
    const data = saved.weightData!;
    const weights = new Uint8Array(
      Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data,
    );
    const json = {
      format: saved.format,
      generatedBy: saved.generatedBy,
      convertedBy: 'recipe-lab',
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: saved.weightSpecs }],
    };
    const text = new TextEncoder().encode(JSON.stringify(json));
    return [
      { name: 'model.json', bytes: text },
      { name: 'weights.bin', bytes: weights },
    ];
  } finally {
    model.dispose();
  }
}
