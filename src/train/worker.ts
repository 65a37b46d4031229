// The training Worker's entry: decodes requests, runs one training or
// benchmark run on the best backend, and posts typed events back.
import {
  openCheckpointStore,
  type CheckpointStore,
} from '../data/checkpoint-store';
import { resolveRecipe } from '../recipe/validate';
import { initBackend, type Backend } from './backend';
import { runBench } from './bench';
import { readEvalInputs } from './eval-source';
import { runEvaluation } from './evaluate';
import { RunControl, RunError } from './epoch';
import { runTraining } from './loop';
import {
  errorCode,
  openDataset,
  withCachedWeights,
  withPixelStats,
} from './open-dataset';
import type { TrainerEvent, TrainerRequest, TrainerState } from './protocol';

const control = new RunControl();
let backend: Backend | null = null;
let active = false;

/** Buffers an event moves rather than copies: the Worker is done with them. */
function transferables(event: TrainerEvent): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [];
  if (event.type === 'weights') {
    for (const w of [event.weights, event.ema ?? {}]) {
      arrays.push(...Object.values(w).map((v) => v.data));
    }
  } else if (event.type === 'eval-done') {
    const { labels, indices, raw, ema } = event.result;
    arrays.push(labels, indices, raw.topIndices, raw.topProbs);
    if (ema) arrays.push(ema.topIndices, ema.topProbs);
  }
  // Each once: arrays read from one backend may share a buffer.
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

function emit(event: TrainerEvent): void {
  self.postMessage(event, { transfer: transferables(event) });
}

function setState(state: TrainerState): void {
  emit({ type: 'state', state });
}

type TrainRequest = Extract<TrainerRequest, { type: 'train' | 'resume-run' }>;

/** The stored checkpoint of `runId`, or an error saying none is. */
async function readCheckpoint(checkpoints: CheckpointStore, runId: string) {
  const checkpoint = await checkpoints.get(runId);
  if (!checkpoint) {
    throw new RunError(
      'no-checkpoint',
      `expected a checkpoint of run ${runId}, found none (a run deletes ` +
        'its checkpoint when it finishes)',
    );
  }
  return checkpoint;
}

async function train(backend: Backend, request: TrainRequest) {
  const checkpoints = await openCheckpointStore();
  try {
    const resumeFrom =
      request.type === 'resume-run'
        ? await readCheckpoint(checkpoints, request.runId)
        : undefined;
    // A resumed run trains what its checkpoint says, on the same dataset.
    const asked = request.type === 'train' ? request : resumeFrom!;
    const recipe = resolveRecipe({ ...asked.recipe });
    const dataset = asked.dataset;
    const opened = await openDataset(dataset);
    const { store } = opened;
    const measured = await withPixelStats(store, opened.manifest, (m) =>
      emit({ type: 'notice', message: m }),
    );
    const { manifest, weights } = await withCachedWeights(recipe, measured);
    setState('running');
    return await runTraining({
      backend,
      store,
      manifest,
      recipe,
      ...(weights && { weights }),
      runId: request.runId,
      control,
      emit,
      checkpoints,
      ...(resumeFrom && { resumeFrom }),
    });
  } finally {
    checkpoints.close();
  }
}

type EvaluateRequest = Extract<TrainerRequest, { type: 'evaluate' }>;

async function evaluate(backend: Backend, request: EvaluateRequest) {
  const inputs = await readEvalInputs(request.runId, request.source);
  const recipe = resolveRecipe({ ...inputs.recipe });
  const { store, manifest: stored } = await openDataset(inputs.dataset);
  try {
    // The normalisation the run trained with, as train() finds it.
    const measured = await withPixelStats(store, stored, (m) =>
      emit({ type: 'notice', message: m }),
    );
    const { manifest } = await withCachedWeights(recipe, measured);
    setState('running');
    return await runEvaluation({
      backend,
      store,
      manifest,
      recipe,
      runId: request.runId,
      source: request.source,
      epochs: inputs.epochs,
      weights: inputs.weights,
      ema: inputs.ema,
      emit,
    });
  } finally {
    store.close();
  }
}

async function start(request: TrainerRequest): Promise<void> {
  if (active) {
    emit({
      type: 'error',
      error: { code: 'busy', message: 'this worker is already running' },
    });
    return;
  }
  active = true;
  setState('starting');
  try {
    const kernels = request.type === 'bench' ? request.options.kernels : 'lab';
    backend ??= await initBackend(kernels);
    emit({ type: 'backend', info: backend.info });
    if (request.type === 'train' || request.type === 'resume-run') {
      const report = await train(backend, request);
      setState('finished');
      emit({ type: 'done', report });
    } else if (request.type === 'evaluate') {
      const result = await evaluate(backend, request);
      setState('finished');
      emit({ type: 'eval-done', result });
    } else if (request.type === 'bench') {
      const { store, manifest } = await openDataset(request.options.dataset);
      setState('running');
      const report = await runBench({
        backend,
        store,
        manifest,
        options: request.options,
        control,
      });
      setState('finished');
      emit({ type: 'bench-done', report });
    }
  } catch (error) {
    setState('failed');
    const message = error instanceof Error ? error.message : String(error);
    emit({ type: 'error', error: { code: errorCode(error), message } });
  } finally {
    active = false;
  }
}

self.onmessage = (message: MessageEvent<TrainerRequest>) => {
  const request = message.data;
  switch (request.type) {
    case 'train':
    case 'resume-run':
    case 'bench':
    case 'evaluate':
      void start(request);
      break;
    case 'pause':
      control.pause();
      setState('paused');
      break;
    case 'resume':
      control.resume();
      setState('running');
      break;
    case 'stop':
      control.stop();
      setState('stopping');
      break;
    default:
      emit({
        type: 'error',
        error: {
          code: 'internal',
          message: `unknown request ${JSON.stringify(request)}`,
        },
      });
  }
};
