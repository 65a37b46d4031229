// The training loop of a run: builds the model and optimizer from the
// recipe, alternates training and evaluation epochs over the shard store,
// keeps the best validation top-1, stops early on patience, and reports
// through typed events. The step maths lives in step.ts and epoch.ts.
import { loadClassBalancedSubset, readBatches } from '../data/batches';
import type { DatasetManifest, HostBatch } from '../data/schema';
import type { ShardStore } from '../data/shard-store';
import { createRng, deriveSeed } from '../lib/random';
import type { Recipe } from '../recipe/recipe';
import { memoryInUse, type Backend } from './backend';
import {
  evaluatePass,
  RunError,
  trainPass,
  type RunControl,
  type TrainPassOptions,
} from './epoch';
import type { EpochMetrics, TrainerEvent, TrainReport } from './protocol';
import { evalSizes, prepareEvalBatch } from './eval-batch';
import { activationValuesPerImage } from './model';
import {
  emitRunWeights,
  loadRunWeights,
  type CachedWeights,
} from './run-weights';
import { learningRate, validateLrSchedule } from './schedule';
import { normalization } from './step';
import { prepareTrainBatch } from './train-batch';
import type { RunCheckpoint } from './checkpoint';
import {
  freshProgress,
  modelKey,
  recordEpoch,
  resumableError,
  saveCheckpoint,
  startProgress,
  type CheckpointSink,
} from './run-progress';
import {
  createTrainee,
  emaModel,
  emaStepHook,
  type TraineeSetup,
} from './trainee';

export { createTrainee };

/** Steps between loss reads, as torchvision's `--print-freq`. */
export const PRINT_FREQ = 10;

export interface RunDeps {
  backend: Backend;
  store: Pick<ShardStore, 'getShard' | 'getSplitLabels'>;
  manifest: DatasetManifest;
  recipe: Recipe;
  runId: string;
  control: RunControl;
  emit: (event: TrainerEvent) => void;
  /** Where each epoch's checkpoint goes; none are written when absent. */
  checkpoints?: CheckpointSink;
  /** This run's checkpoint, to continue at the epoch after it. */
  resumeFrom?: RunCheckpoint;
  /** Cached weights to load before the first step (worker.ts). */
  weights?: CachedWeights;
}

/** Images per forward pass: the micro-batch when one is set. */
export function passImages(recipe: Recipe): number {
  const micro = recipe.microBatchSize ?? null;
  return micro !== null && micro < recipe.batchSize ? micro : recipe.batchSize;
}

/** Bytes of the largest activation one image needs, and at what size. */
function passFootprint(recipe: Recipe, manifest: DatasetManifest) {
  const config = {
    name: recipe.model,
    numClasses: manifest.classNames.length,
    inChannels: manifest.channels,
    widthMultiplier: recipe.width,
  };
  // A pass holds the largest activation for one micro-batch (or batch), at
  // the training size or at the eval crop.
  const px = Math.max(
    recipe.imageSize,
    evalSizes(recipe)?.cropSize ?? recipe.imageSize,
  );
  return { px, perImage: activationValuesPerImage(config, px) * 4 };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * Refuses a configuration whose largest activation would not fit one GPU
 * storage buffer: tfjs would not throw there, it would compute garbage.
 */
export function checkDeviceLimits(
  recipe: Recipe,
  manifest: DatasetManifest,
  maxBufferBytes: number | null,
): void {
  if (maxBufferBytes === null) return;
  const { px, perImage } = passFootprint(recipe, manifest);
  const images = passImages(recipe);
  const what = images < recipe.batchSize ? 'micro-batch' : 'batch';
  const bytes = images * perImage;
  if (bytes > maxBufferBytes) {
    const fits = Math.max(1, Math.floor(maxBufferBytes / perImage));
    throw new RunError(
      'device-limit',
      `${what} ${images} at ${px} px needs a ${mib(bytes)} buffer, but ` +
        `this GPU allows ${mib(maxBufferBytes)} ` +
        `(maxStorageBufferBindingSize); use a ${what} of at most ${fits}`,
    );
  }
}

/**
 * With no micro-batch set, a batch the GPU cannot hold in one pass is
 * split: into the largest micro-batch that divides the batch and fits, so
 * that each step still averages the gradients of exactly `batchSize`
 * images. Returns the recipe to run and, when it split, why, for the user.
 * An explicit micro-batch is left to checkDeviceLimits.
 */
export function chooseMicroBatch(
  recipe: Recipe,
  manifest: DatasetManifest,
  maxBufferBytes: number | null,
): { recipe: Recipe; note: string | null } {
  const unchanged = { recipe, note: null };
  if (maxBufferBytes === null || recipe.microBatchSize !== null) {
    return unchanged;
  }
  const { px, perImage } = passFootprint(recipe, manifest);
  const batch = recipe.batchSize;
  if (batch * perImage <= maxBufferBytes) return unchanged;
  let micro = Math.min(batch, Math.floor(maxBufferBytes / perImage));
  while (micro > 0 && batch % micro !== 0) micro--;
  if (micro < 1) return unchanged;
  const note =
    `batch ${batch} at ${px} px needs a ${mib(batch * perImage)} buffer; ` +
    `this GPU allows ${mib(maxBufferBytes)} ` +
    `(maxStorageBufferBindingSize), so each step trains in ` +
    `${batch / micro} micro-batches of ${micro} and sums their gradients ` +
    '(batch-norm statistics come from each micro-batch)';
  return { recipe: { ...recipe, microBatchSize: micro }, note };
}

async function trainingSubset(deps: RunDeps): Promise<Int32Array | undefined> {
  const { recipe, manifest } = deps;
  if (recipe.limit === 0) return undefined;
  const numClasses = manifest.classNames.length;
  const numPerClass = Math.floor(recipe.limit / numClasses);
  if (numPerClass < 1) {
    throw new RunError(
      'bad-recipe',
      `limit: expected at least one image per class (${numClasses}), ` +
        `got ${recipe.limit}`,
    );
  }
  return loadClassBalancedSubset(deps.store, manifest, 'train', {
    numPerClass,
    seed: recipe.seed,
  });
}

/**
 * The LR of step `stepInEpoch` (from 0) of epoch `epoch` (from 1): the
 * reference's chain stepped per epoch, or per step with lrSchedulePer.
 */
export function lrForStep(
  recipe: Recipe,
  epoch: number,
  stepInEpoch: number,
  stepsPerEpoch: number,
): number {
  const at = { epoch: epoch - 1, step: stepInEpoch, stepsPerEpoch };
  return learningRate(recipe, at, recipe.lrSchedulePer === 'step');
}

export interface EpochContext {
  deps: RunDeps;
  setup: TraineeSetup;
  subset: Int32Array | undefined;
  stepsPerEpoch: number;
  globalStep: number;
}

/** The pass options of one training epoch: LR, augmentation and EMA. */
export function epochOptions(c: EpochContext, epoch: number): TrainPassOptions {
  const { recipe, manifest, backend, control, emit } = c.deps;
  const { trainee, ema } = c.setup;
  const lrAt = (step: number) =>
    lrForStep(recipe, epoch, step, Math.max(1, c.stepsPerEpoch));
  // One augmentation stream per epoch, so a seed fixes every draw.
  const rng = createRng(deriveSeed(recipe.seed, 'augment', epoch));
  const batchContext = {
    stored: manifest,
    recipe,
    numClasses: trainee.numClasses,
    rng,
  };
  return {
    trainee,
    backend,
    control,
    stored: manifest,
    imageSize: recipe.imageSize,
    lr: lrAt(0),
    lrAt,
    prepare: (batch: HostBatch) => prepareTrainBatch(batch, batchContext),
    printFreq: PRINT_FREQ,
    onStep: ema ? emaStepHook(ema, trainee.model, epoch, recipe) : undefined,
    onLossRead: (r) =>
      emit({
        type: 'step',
        progress: {
          epoch,
          step: r.step,
          stepsPerEpoch: c.stepsPerEpoch,
          globalStep: c.globalStep + r.step,
          loss: r.loss,
          lr: lrAt(r.step - 1),
          imagesPerSecond: r.imagesPerSecond,
          ...memoryInUse(),
        },
      }),
  };
}

/** Validation of the model and, once it has averaged, of its EMA. */
async function validate(c: EpochContext, epoch: number, o: TrainPassOptions) {
  const { recipe, manifest, store } = c.deps;
  const batches = () =>
    // Micro-batches bound validation's memory too; counts do not change.
    readBatches(store, manifest, 'val', {
      batchSize: passImages(recipe),
      seed: recipe.seed,
      epoch,
      shuffle: false,
    });
  const eo = {
    ...o,
    prepareEval: (b: HostBatch) => prepareEvalBatch(b, manifest, recipe),
  };
  const val = await evaluatePass(batches(), eo);
  const { ema, trainee } = c.setup;
  const hasEma = ema !== null && ema.values.size > 0;
  const valEma = hasEma
    ? await evaluatePass(batches(), eo, emaModel(trainee.model, ema))
    : null;
  return { val, valEma };
}

function checkRecipe(recipe: Recipe): void {
  try {
    validateLrSchedule(recipe);
  } catch (error) {
    throw new RunError('bad-recipe', (error as Error).message);
  }
}

/** One epoch: the training pass, then validation; null when stopped. */
async function runEpoch(
  c: EpochContext,
  epoch: number,
  startedAt: number,
): Promise<EpochMetrics | null> {
  const { recipe, manifest, store, control, emit } = c.deps;
  emit({ type: 'phase', phase: 'train', epoch });
  const options = epochOptions(c, epoch);
  const batches = readBatches(store, manifest, 'train', {
    batchSize: recipe.batchSize,
    seed: recipe.seed,
    epoch,
    shuffle: true,
    subset: c.subset,
  });
  const pass = await trainPass(batches, options);
  c.globalStep += pass.steps;
  if (control.stopRequested) return null;

  emit({ type: 'phase', phase: 'eval', epoch });
  const { val, valEma } = await validate(c, epoch, options);
  return {
    epoch,
    trainLoss: pass.meanLoss,
    trainTop1: pass.top1,
    trainTop5: pass.top5,
    valTop1: val.top1,
    valTop5: val.top5,
    ...(valEma && { valTop1Ema: valEma.top1, valTop5Ema: valEma.top5 }),
    lr: options.lr,
    imagesPerSecond: pass.images / Math.max(1e-9, pass.seconds),
    seconds: (performance.now() - startedAt) / 1000,
  };
}

export async function runTraining(given: RunDeps): Promise<TrainReport> {
  const { manifest, backend, control, emit } = given;
  checkRecipe(given.recipe);
  const maxBytes = backend.info.maxStorageBufferBindingSize;
  const { recipe, note } = chooseMicroBatch(given.recipe, manifest, maxBytes);
  if (note) emit({ type: 'notice', message: note });
  checkDeviceLimits(recipe, manifest, maxBytes);
  let progress = freshProgress();
  // Loss reads are kept with the progress, so a resumed run's chart
  // starts where the stopped one ended.
  const keepLoss = (event: TrainerEvent) => {
    if (event.type === 'step') {
      const { globalStep: step, loss } = event.progress;
      progress.losses.push({ step, loss });
    }
    emit(event);
  };
  const deps = { ...given, recipe, emit: keepLoss };
  const subset = await trainingSubset(deps);
  const setup = createTrainee(recipe, manifest);
  const weights = loadRunWeights(given, setup);
  const numTrain = subset?.length ?? manifest.splits.train.numImages;
  const stepsPerEpoch = Math.floor(numTrain / recipe.batchSize);
  let saved = 0;
  let stoppedEarly = false;
  let start: number;

  try {
    progress = startProgress({
      setup,
      from: given.resumeFrom,
      asked: given.recipe,
      recipe,
      manifest,
      runId: deps.runId,
      emit: deps.emit,
    });
    saved = progress.epochs.length;
    // Epoch times and the report's wall time count the earlier sessions.
    start = performance.now() - progress.wallSeconds * 1000;
    const c: EpochContext = {
      deps,
      setup,
      subset,
      stepsPerEpoch,
      globalStep: progress.globalStep,
    };
    for (let epoch = saved + 1; epoch <= recipe.epochs; epoch++) {
      const metrics = await runEpoch(c, epoch, start);
      if (!metrics) break;
      emit({ type: 'epoch', metrics });
      stoppedEarly = recordEpoch(progress, recipe, metrics);
      progress.globalStep = c.globalStep;
      progress.wallSeconds = (performance.now() - start) / 1000;
      if (stoppedEarly || epoch === recipe.epochs) break;
      if (given.checkpoints) {
        const checkpoint = await saveCheckpoint({
          sink: given.checkpoints,
          setup,
          runId: deps.runId,
          dataset: manifest.name,
          recipe: given.recipe,
          key: modelKey(recipe, manifest),
          progress,
        });
        saved = epoch;
        emit({ type: 'checkpoint', checkpoint });
      }
      if (control.stopRequested) break;
    }
    if (progress.epochs.length > 0) await emitRunWeights(setup, deps);
    // A finished run's report holds its metrics; its tensors would only
    // take space, so the checkpoint goes. A stopped run keeps it.
    if (given.checkpoints && !control.stopRequested) {
      await given.checkpoints.delete(deps.runId).catch((error: Error) => {
        const why = `the finished run's checkpoint was not deleted: ${error.message}`;
        emit({ type: 'notice', message: why });
      });
    }
  } catch (error) {
    throw saved > 0 ? resumableError(error, deps.runId, saved, recipe) : error;
  } finally {
    setup.dispose();
  }

  const { epochs, best } = progress;
  return {
    runId: deps.runId,
    backend: backend.info.backend,
    adapter: backend.info.adapter,
    tfjsVersion: backend.info.tfjsVersion,
    kernels: backend.info.kernels,
    model: recipe.model,
    dataset: manifest.name,
    numTrainImages: numTrain,
    numValImages: manifest.splits.val.numImages,
    normalization: normalization(manifest),
    recipe,
    ...(weights && { weights }),
    epochs,
    bestValTop1: Math.max(0, best.top1),
    bestEpoch: best.epoch,
    stoppedEarly,
    stopped: control.stopRequested,
    wallSeconds: (performance.now() - start) / 1000,
  };
}
