// A training run's state to and from a checkpoint (checkpoint.ts): the
// model's variables, the optimizer's slots and the EMA's averages, by
// name. Capturing reads every tensor back from the device once, at the end
// of an epoch; nothing here runs per step.
import * as tf from '@tensorflow/tfjs';
import {
  checkSlots,
  checkTensors,
  type NamedTensor,
  type RunCheckpoint,
} from './checkpoint';
import type { ResNetState } from './resnet';
import type { TraineeSetup } from './trainee';

/** The named variables of a network, whatever its structure. */
type NamedModel = Pick<ResNetState, 'params' | 'buffers'>;

function modelVariables(model: NamedModel): Map<string, tf.Variable> {
  return new Map([...model.params, ...model.buffers]);
}

async function readTensors(
  named: Iterable<[string, tf.Tensor]>,
): Promise<NamedTensor[]> {
  const entries = [...named];
  const arrays = await Promise.all(entries.map(([, t]) => t.data()));
  return entries.map(([name, t], i) => ({
    name,
    shape: [...t.shape],
    data: arrays[i] as Float32Array,
  }));
}

/** tfjs variable name to state-dict name, for the model's parameters. */
function paramNames(model: NamedModel): Map<string, string> {
  return new Map([...model.params].map(([name, v]) => [v.name, name]));
}

export type CapturedState = Pick<
  RunCheckpoint,
  'weights' | 'optimizer' | 'ema'
>;

/** Reads the run's tensors back from the device, named. */
export async function captureState(
  setup: TraineeSetup,
): Promise<CapturedState> {
  const { trainee, ema } = setup;
  const { model, optimizer } = trainee;
  const names = paramNames(model);
  const nameOf = (variable: string) => {
    const name = names.get(variable);
    if (name) return name;
    throw new Error(`expected a parameter of the model, got ${variable}`);
  };
  const slots = optimizer
    .slotEntries()
    .map((e): [string, tf.Tensor] => [
      `${nameOf(e.variable)}/${e.slot}`,
      e.value,
    ]);
  const numSteps = Object.fromEntries(
    Object.entries(optimizer.numSteps()).map(([v, t]) => [nameOf(v), t]),
  );
  const [weights, slotData, emaValues] = await Promise.all([
    readTensors(modelVariables(model)),
    readTensors(slots),
    ema ? readTensors(ema.values) : Promise.resolve(null),
  ]);
  return {
    weights,
    optimizer: { slots: slotData, numSteps },
    ema:
      ema && emaValues
        ? { numAveraged: ema.numAveraged, values: emaValues }
        : null,
  };
}

function shapes(variables: ReadonlyMap<string, tf.Variable>) {
  return new Map([...variables].map(([name, v]) => [name, v.shape]));
}

const toTensor = (t: NamedTensor) => tf.tensor(t.data, t.shape, 'float32');

/**
 * Loads a checkpoint's tensors into a freshly built run. Every name and
 * shape is checked before anything is assigned, so a checkpoint of another
 * network fails with the names that differ and changes nothing.
 */
export function restoreState(setup: TraineeSetup, c: CapturedState): void {
  const { trainee, ema } = setup;
  const { model, optimizer } = trainee;
  const variables = modelVariables(model);
  checkTensors('weights', c.weights, shapes(variables));
  checkSlots(c.optimizer.slots, shapes(model.params));
  if (c.ema?.values.length) {
    checkTensors('EMA averages', c.ema.values, shapes(variables));
  }
  if (c.ema && !ema) {
    throw new Error('the checkpoint holds an EMA, but the recipe has none');
  }

  for (const t of c.weights) {
    tf.tidy(() => variables.get(t.name)!.assign(toTensor(t)));
  }
  for (const t of c.optimizer.slots) {
    const cut = t.name.lastIndexOf('/');
    const w = model.params.get(t.name.slice(0, cut))!;
    tf.tidy(() => optimizer.setSlot(w, t.name.slice(cut + 1), toTensor(t)));
  }
  const numSteps = Object.entries(c.optimizer.numSteps).map(([name, t]) => {
    const w = model.params.get(name);
    if (!w) throw new Error(`step count of unknown parameter "${name}"`);
    return [w.name, t] as const;
  });
  optimizer.setNumSteps(Object.fromEntries(numSteps));
  if (c.ema && ema) {
    const values = new Map(c.ema.values.map((t) => [t.name, toTensor(t)]));
    ema.load(values, c.ema.numAveraged);
    tf.dispose([...values.values()]);
  }
}
