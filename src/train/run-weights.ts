// A run's weights at its two ends: a cached weights file loaded into the
// fresh model before the first step, and the trained model's weights read
// off the device once, after the last epoch, and sent to the page.
import { readModelWeights } from '../export/read-weights';
import { loadSafetensors } from '../weights/load';
import { RunError } from './epoch';
import type { NamedWeights, RunWeights, TrainerEvent } from './protocol';
import type { TraineeSetup } from './trainee';

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

/** Reads the weights off the device, once, and sends them on. */
export async function emitRunWeights(
  setup: TraineeSetup,
  run: RunSide,
): Promise<void> {
  const arrays = await readModelWeights(setup.trainee.model);
  const weights: NamedWeights = {};
  for (const [name, { shape, data }] of arrays) {
    weights[name] = { shape: [...shape], data };
  }
  run.emit({ type: 'weights', runId: run.runId, weights });
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
