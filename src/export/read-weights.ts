// A network's weights in the form the exporters take: torchvision
// state-dict names, tfjs layout, float32; read off a model's variables,
// and checked against the network they are said to be.
import type { ModelVariables } from '../train/state-dict';

/** A parameter or buffer as stored by the lab: tfjs layout, float32. */
export interface NamedArray {
  shape: readonly number[];
  data: Float32Array;
}

/** Weights keyed by torchvision state-dict name; extra keys are ignored. */
export type ModelWeights = ReadonlyMap<string, NamedArray>;

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

/** Every parameter and buffer present, with the shape the graph expects. */
export function checkWeights(
  graph: ModelVariables['graph'],
  weights: ModelWeights,
): void {
  for (const { name, shape } of [...graph.params, ...graph.buffers]) {
    const found = weights.get(name);
    if (!found) {
      throw new Error(
        `missing weight "${name}": expected shape [${shape.join(', ')}]`,
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const sameShape =
      found.shape.length === shape.length &&
      found.shape.every((d, i) => d === shape[i]);
    if (!sameShape || found.data.length !== size) {
      throw new Error(
        `weight "${name}": expected shape [${shape.join(', ')}] ` +
          `(${size} values), got [${found.shape.join(', ')}] ` +
          `(${found.data.length} values)`,
      );
    }
  }
}
