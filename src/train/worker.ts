// The training Worker's entry: decodes requests, runs one training or
// benchmark run on the best backend, and posts typed events back.
import { resolveRecipe } from '../recipe/validate';
import { initBackend, type Backend } from './backend';
import { runBench } from './bench';
import { RunControl } from './epoch';
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

function emit(event: TrainerEvent): void {
  self.postMessage(event);
}

function setState(state: TrainerState): void {
  emit({ type: 'state', state });
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
    if (request.type === 'train') {
      const recipe = resolveRecipe({ ...request.recipe });
      const opened = await openDataset(request.dataset);
      const { store } = opened;
      const measured = await withPixelStats(store, opened.manifest, (m) =>
        emit({ type: 'notice', message: m }),
      );
      const { manifest, weights } = await withCachedWeights(recipe, measured);
      setState('running');
      const report = await runTraining({
        backend,
        store,
        manifest,
        recipe,
        ...(weights && { weights }),
        runId: request.runId,
        control,
        emit,
      });
      setState('finished');
      emit({ type: 'done', report });
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
    case 'bench':
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
