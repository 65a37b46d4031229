// Weight files into and out of the lab's variables: the tfjs side of
// plan.ts and state-dict.ts.
import * as tf from '@tensorflow/tfjs';
import type { LabModel } from '../train/model';
import { planWeights, type LoadReport } from './plan';
import {
  readSafetensors,
  writeSafetensors,
  type NamedTensor,
} from './safetensors';
import { stateDictEntries, torchStateDict } from './state-dict';

function variableOf(state: LabModel, name: string): tf.Variable {
  const v = state.params.get(name) ?? state.buffers.get(name);
  if (!v) throw new Error(`the model has no variable "${name}"`);
  return v;
}

/**
 * Loads a safetensors file with torchvision's names and layout into the
 * model's variables. Nothing is assigned unless the whole file fits
 * (plan.ts); variables the plan leaves out (a replaced head) keep their
 * values.
 */
export function loadSafetensors(
  state: LabModel,
  bytes: Uint8Array,
): LoadReport {
  const { values, report } = planWeights(state.graph, readSafetensors(bytes));
  for (const [name, data] of values) {
    const v = variableOf(state, name);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  }
  return report;
}

/** The model's state_dict in torchvision's layout and order. */
export async function readStateDict(state: LabModel): Promise<NamedTensor[]> {
  const values = new Map<string, Float32Array>();
  for (const { name } of stateDictEntries(state.graph)) {
    values.set(name, (await variableOf(state, name).data()) as Float32Array);
  }
  return torchStateDict(state.graph, (name) => values.get(name)!);
}

/**
 * The model as a safetensors file that torchvision's
 * `resnetN(num_classes=K).load_state_dict()` (or
 * `mobilenet_v3_large(...)`'s) takes, strict: the step
 * counters (`num_batches_tracked`) are left out, which torch accepts from a
 * state dict without version metadata, as a loaded safetensors file is.
 */
export async function exportSafetensors(
  state: LabModel,
  metadata: Record<string, string> = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const tensors = await readStateDict(state);
  return writeSafetensors(tensors, { format: 'pt', ...metadata });
}
