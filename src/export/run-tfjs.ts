// The tfjs Layers files of stored weights. tfjs runs on its CPU backend
// here: the values only pass through the layers' variables to be saved,
// so no GPU device is opened for an export.
import * as tf from '@tensorflow/tfjs';
import type { ModelGraph } from '../train/model';
import {
  buildLayersModel,
  saveLayersModel,
  type LayersFile,
} from '../weights/tfjs-layers';
import type { ModelWeights } from './read-weights';

export async function tfjsFiles(
  graph: ModelGraph,
  weights: ModelWeights,
): Promise<LayersFile[]> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  const tensors = new Map<string, tf.Tensor>();
  const value = (name: string) => {
    let t = tensors.get(name);
    if (!t) {
      const w = weights.get(name)!;
      t = tf.tensor(w.data, [...w.shape]);
      tensors.set(name, t);
    }
    return t;
  };
  try {
    return await saveLayersModel(buildLayersModel(graph, value));
  } finally {
    tf.dispose([...tensors.values()]);
  }
}
