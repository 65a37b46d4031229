// A run's weights at its two ends: a cached weights file loaded into the
// fresh model before the first step, and the trained model's weights read
// off the device once, after the last epoch, and sent to the page.
import { readModelWeights } from '../export/read-weights';
import { loadSafetensors } from '../weights/load';
import { RunError } from './epoch';
import type { LabModel } from './model';
import type { NamedWeights, RunWeights, TrainerEvent } from './protocol';
import { emaModel, type TraineeSetup } from './trainee';

/** A weights file from the cache (worker.ts), as a run is given it. */
export interface CachedWeights {
  id: string;
  bytes: Uint8Array;
  configFrom: string;
}

interface RunSide {
  runId: string;
  emit: (event: TrainerEvent) => void;
  weights?: CachedWeights;
}

async function readNamed(model: LabModel): Promise<NamedWeights> {
  const weights: NamedWeights = {};
  for (const [name, { shape, data }] of await readModelWeights(model)) {
    weights[name] = { shape: [...shape], data };
  }
  return weights;
}

/**
 * Reads the weights off the device, once, and sends them on; with an EMA
 * that has averaged, its weights too, so the run's evaluation can compare
 * the two.
 */
export async function emitRunWeights(
  setup: TraineeSetup,
  run: RunSide,
): Promise<void> {
  const { trainee, ema } = setup;
  const hasEma = ema !== null && ema.values.size > 0;
  const [weights, averaged] = await Promise.all([
    readNamed(trainee.model),
    hasEma ? readNamed(emaModel(trainee.model, ema)) : null,
  ]);
  run.emit({
    type: 'weights',
    runId: run.runId,
    weights,
    ...(averaged && { ema: averaged }),
  });
}

/** Puts the run's weights into the fresh model, or fails the run. */
export function loadRunWeights(
  run: RunSide,
  setup: TraineeSetup,
): RunWeights | null {
  if (!run.weights) return null;
  const { id, bytes, configFrom } = run.weights;
  const { model } = setup.trainee;
  try {
    const load = loadSafetensors(model, bytes);
    const head = load.headReplaced
      ? `; a fresh head for ${load.headReplaced.numClasses} classes ` +
        `replaces the file's ${load.headReplaced.fileClasses}`
      : '';
    run.emit({
      type: 'notice',
      message:
        `started from weights "${id}": ${load.numLoaded} tensors${head}; ` +
        `inputs normalised as they were trained (${configFrom})`,
    });
    return { id, load, configFrom };
  } catch (error) {
    setup.dispose();
    const why = error instanceof Error ? error.message : String(error);
    throw new RunError('weights', `weights "${id}": ${why}`);
  }
}
