// Training throughput in one run on the current backend, measured two ways
// with the same model and batch: the bare step (forward, backward and
// update on one synthetic batch that stays on the GPU) and the lab's step
// (the real pass: batches read from the shard store, uploaded, trained,
// with its fences and loss reads). Their ratio is the loop's overhead.
import * as tf from '@tensorflow/tfjs';
import { readBatches } from '../data/batches';
import type { DatasetManifest } from '../data/schema';
import type { ShardStore } from '../data/shard-store';
import { DEFAULT_RECIPE, type Recipe } from '../recipe/recipe';
import type { Backend } from './backend';
import { RunError, trainPass, type RunControl } from './epoch';
import {
  checkDeviceLimits,
  epochOptions,
  PRINT_FREQ,
  type EpochContext,
} from './loop';
import type { BenchOptions, BenchReport, KernelTime } from './protocol';
import { trainStep } from './step';
import { createTrainee } from './trainee';

/** Bare and lab measurements alternate this many times by default. */
export const BENCH_ROUNDS = 2;

/** Live tensors are counted after step 2 and after this one, if reached. */
const LATER_TENSOR_STEP = 20;

export interface BenchDeps {
  backend: Backend;
  store: Pick<ShardStore, 'getShard' | 'getSplitLabels'>;
  manifest: DatasetManifest;
  options: BenchOptions;
  control: RunControl;
}

function benchRecipe(options: BenchOptions): Recipe {
  return {
    ...DEFAULT_RECIPE,
    ...options.training,
    model: options.model,
    width: options.width,
    imageSize: options.imageSize,
    batchSize: options.batchSize,
    seed: options.seed,
  };
}

async function bareRun(deps: BenchDeps, recipe: Recipe) {
  const { options, manifest, backend } = deps;
  const { trainee, dispose } = createTrainee(recipe, manifest);
  const shape: [number, number, number, number] = [
    options.batchSize,
    options.imageSize,
    options.imageSize,
    manifest.channels,
  ];
  const x = tf.randomNormal(shape, 0, 1, 'float32', options.seed);
  const labels = tf.randomUniform(
    [options.batchSize],
    0,
    trainee.numClasses,
    'int32',
    options.seed,
  ) as tf.Tensor1D;
  // The same queue bound as the lab's pass (at most two steps in flight),
  // so that the two differ only by what the lab adds around the step.
  const run = async (steps: number) => {
    let fence: Promise<void> = Promise.resolve();
    for (let i = 0; i < steps; i++) {
      trainStep(trainee, x as tf.Tensor4D, labels, recipe.lr).dispose();
      await fence;
      fence = backend.fence();
    }
  };
  try {
    await run(options.warmupSteps);
    await backend.fence();
    const start = performance.now();
    await run(options.steps);
    await backend.fence();
    const seconds = (performance.now() - start) / 1000;
    const step = () => trainStep(trainee, x as tf.Tensor4D, labels, recipe.lr);
    return {
      imagesPerSecond: (options.steps * options.batchSize) / seconds,
      ...(await profileStep(step)),
    };
  } finally {
    tf.dispose([x, labels]);
    dispose();
  }
}

/**
 * Runs one step under tf.profile and sums kernel time by kernel name.
 * Times need the adapter's timestamp queries; without them they read 0.
 */
async function profileStep(step: () => tf.Scalar) {
  const info = await tf.profile(async () => {
    const loss = step();
    await loss.data();
    loss.dispose();
  });
  const byName = new Map<string, KernelTime>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byName.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byName.set(k.name, entry);
  }
  const profile = [...byName.values()]
    .filter((k) => k.ms > 0)
    .sort((a, b) => b.ms - a.ms)
    .map((k) => ({ ...k, ms: Math.round(k.ms * 10) / 10 }));
  return { profile, kernelsPerStep: info.kernels.length };
}

/**
 * Counts every read the backend serves from the GPU (what tensor.data()
 * and dataSync() end in), whoever asks: the loop's own count could miss a
 * read hidden inside an op. A read of data that is still on the CPU (a
 * small tensor made from the per-sample draws, which tfjs then works on
 * where it lies) is no GPU readback and is not counted; the backends keep
 * such data as `values` in their tensor map until it is uploaded.
 */
function countBackendReads(): { count(): number; restore(): void } {
  const backend = tf.backend() as unknown as {
    read: (dataId: object) => Promise<unknown>;
    readSync: (dataId: object) => unknown;
    tensorMap?: { get(dataId: object): { values?: unknown } | undefined };
  };
  const { read, readSync } = backend;
  let reads = 0;
  const count = (dataId: object) => {
    if (backend.tensorMap?.get(dataId)?.values == null) reads++;
  };
  backend.read = (dataId) => {
    count(dataId);
    return read.call(backend, dataId);
  };
  backend.readSync = (dataId) => {
    count(dataId);
    return readSync.call(backend, dataId);
  };
  return {
    count: () => reads,
    restore: () => {
      backend.read = read;
      backend.readSync = readSync;
    },
  };
}

async function labRun(deps: BenchDeps, recipe: Recipe) {
  const { options, manifest, backend } = deps;
  const setup = createTrainee(recipe, manifest);
  const { dispose } = setup;
  // The run's own pass options for its first epoch: schedule, augmentation
  // and EMA as a training run would have them.
  const context: EpochContext = {
    deps: { ...deps, recipe, runId: 'bench', emit: () => {} },
    setup,
    subset: undefined,
    stepsPerEpoch: Math.floor(
      manifest.splits.train.numImages / options.batchSize,
    ),
    globalStep: 0,
  };
  const runOptions = epochOptions(context, 1);
  const totalSteps = options.warmupSteps + options.steps;
  const laterStep = Math.min(LATER_TENSOR_STEP, totalSteps);
  const tensorsAt = new Map<number, number>();
  const reads = countBackendReads();
  let timedFrom = 0;
  let readsInSteps = 0;
  try {
    // Epochs are chained so that a small dataset still fills every step.
    async function* batches() {
      for (let epoch = 1; ; epoch++) {
        yield* readBatches(deps.store, manifest, 'train', {
          batchSize: options.batchSize,
          seed: options.seed,
          epoch,
          shuffle: true,
        });
      }
    }
    const pass = await trainPass(batches(), {
      ...runOptions,
      onLossRead: undefined,
      maxSteps: totalSteps,
      onStep: async (step) => {
        await runOptions.onStep?.(step);
        if (step === options.warmupSteps) {
          // Start the clock on an idle GPU, as the bare measurement does.
          await backend.fence();
          timedFrom = performance.now();
        }
        if (step === 2 || step === laterStep) {
          tensorsAt.set(step, tf.memory().numTensors);
        }
        // The read a step starts is counted at the next step's call.
        readsInSteps = reads.count();
      },
    });
    await backend.fence();
    const seconds = (performance.now() - timedFrom) / 1000;
    return {
      imagesPerSecond: (options.steps * options.batchSize) / seconds,
      readbacksPerStep: readsInSteps / pass.steps,
      passEndReadbacks: reads.count() - readsInSteps,
      numTensorsAfterStep2: tensorsAt.get(2) ?? -1,
      laterStep,
      numTensorsAfterLaterStep: tensorsAt.get(laterStep) ?? -1,
    };
  } finally {
    reads.restore();
    dispose();
  }
}

export async function runBench(deps: BenchDeps): Promise<BenchReport> {
  const { options, backend, manifest } = deps;
  if (options.warmupSteps + options.steps < 3) {
    throw new RunError(
      'bad-recipe',
      `bench: expected warm-up + timed steps >= 3 (tensor counts are ` +
        `compared after step 2 and a later one), got ` +
        `${options.warmupSteps + options.steps}`,
    );
  }
  const recipe = benchRecipe(options);
  checkDeviceLimits(recipe, manifest, backend.info.maxStorageBufferBindingSize);
  // Alternating rounds, best of each: the machine may be shared, and a
  // slow moment should not land on one side only.
  let bare: Awaited<ReturnType<typeof bareRun>> | null = null;
  let lab: Awaited<ReturnType<typeof labRun>> | null = null;
  for (let round = 0; round < (options.rounds ?? BENCH_ROUNDS); round++) {
    const next = await bareRun(deps, recipe);
    if (!bare || next.imagesPerSecond > bare.imagesPerSecond) bare = next;
    const nextLab = await labRun(deps, recipe);
    if (!lab || nextLab.imagesPerSecond > lab.imagesPerSecond) lab = nextLab;
  }
  if (!lab || !bare) throw new Error('bench ran no rounds');
  return {
    backend: backend.info.backend,
    adapter: backend.info.adapter,
    tfjsVersion: backend.info.tfjsVersion,
    kernels: backend.info.kernels,
    options,
    bareImagesPerSecond: bare.imagesPerSecond,
    labImagesPerSecond: lab.imagesPerSecond,
    overheadRatio: lab.imagesPerSecond / bare.imagesPerSecond,
    readbacksPerStep: lab.readbacksPerStep,
    lossReadEvery: PRINT_FREQ,
    passEndReadbacks: lab.passEndReadbacks,
    numTensorsAfterStep2: lab.numTensorsAfterStep2,
    laterStep: lab.laterStep,
    numTensorsAfterLaterStep: lab.numTensorsAfterLaterStep,
    profile: bare.profile,
    kernelsPerStep: bare.kernelsPerStep,
  };
}
