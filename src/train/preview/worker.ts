// The preview Worker's entry: reads the first images of a seeded pass over
// the training split and draws them through the training transform on the
// same backend and kernels a run uses. Kept apart from the training
// Worker, which lives for one run; this one stays to answer the next draw.
import { readBatches } from '../../data/batches';
import { createRng, deriveSeed } from '../../lib/random';
import { resolveRecipe } from '../../recipe/validate';
import { initBackend, type Backend } from '../backend';
import { RunError } from '../epoch';
import { errorCode, openDataset, withPixelStats } from '../open-dataset';
import { previewTrainBatch, type AugmentPreview } from './preview';
import type { PreviewEvent, PreviewRequest } from './protocol';

let backend: Promise<Backend> | null = null;

async function drawPreview(request: PreviewRequest): Promise<AugmentPreview> {
  const recipe = resolveRecipe({ ...request.recipe });
  const opened = await openDataset(request.dataset);
  const { store } = opened;
  // Normalised as a run on the dataset is; a store that cannot keep the
  // statistics measures them again next time.
  const manifest = await withPixelStats(store, opened.manifest, () => {});
  // A failed start is not kept, so the next draw tries again.
  backend ??= initBackend('lab').catch((error: unknown) => {
    backend = null;
    throw error;
  });
  const ready = await backend;
  // Seeded as a run's first epoch is: images and augmentation streams.
  const batches = readBatches(store, manifest, 'train', {
    batchSize: request.numImages,
    seed: request.seed,
    epoch: 1,
    shuffle: true,
    dropLast: false,
  });
  const first = await batches.next();
  await batches.return(undefined);
  if (first.done) {
    throw new RunError(
      'no-dataset',
      `expected training images in "${manifest.name}", found none`,
    );
  }
  const preview = await previewTrainBatch(first.value, {
    stored: manifest,
    recipe,
    numClasses: manifest.classNames.length,
    rng: createRng(deriveSeed(request.seed, 'augment', 1)),
  });
  const fault = ready.fault();
  if (fault) throw new RunError(fault.code, fault.message);
  return preview;
}

function post(event: PreviewEvent, transfer: Transferable[] = []): void {
  self.postMessage(event, { transfer });
}

self.onmessage = async (message: MessageEvent<PreviewRequest>) => {
  const request = message.data;
  if (request?.type !== 'preview') {
    const text = `expected a preview request, got ${JSON.stringify(request)}`;
    post({
      type: 'preview-error',
      id: -1,
      error: { code: 'internal', message: text },
    });
    return;
  }
  try {
    const preview = await drawPreview(request);
    post({ type: 'preview-done', id: request.id, preview }, [
      preview.pixels.buffer,
    ]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = errorCode(error);
    post({ type: 'preview-error', id: request.id, error: { code, message } });
  }
};
