// Reads a network's variables back to the host in the form the exporters
// take: torchvision state-dict names, tfjs layout, float32.
import type { ModelVariables } from '../train/state-dict';
import type { NamedArray } from './resnet-onnx';

/** Parameters and BN buffers of `state`, copied off the device. */
export async function readModelWeights(
  state: Pick<ModelVariables, 'params' | 'buffers'>,
): Promise<Map<string, NamedArray>> {
  const variables = [...state.params, ...state.buffers];
  const arrays = await Promise.all(
    variables.map(([, v]) => v.data<'float32'>()),
  );
  return new Map(
    variables.map(([name, v], i) => [
      name,
      { shape: v.shape, data: arrays[i] as Float32Array },
    ]),
  );
}
