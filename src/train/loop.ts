// The training loop of a run: builds the model and optimizer from the
// recipe, alternates training and evaluation epochs over the shard store,
// keeps the best validation top-1, stops early on patience, and reports
// through typed events. The step maths lives in step.ts and epoch.ts.
import * as tf from '@tensorflow/tfjs';
import { loadClassBalancedSubset, readBatches } from '../data/batches';
import type { DatasetManifest } from '../data/schema';
import type { ShardStore } from '../data/shard-store';
import type { Recipe } from '../recipe/recipe';
import type { Backend } from './backend';
import {
  evaluatePass,
  RunError,
  trainPass,
  type RunControl,
  type TrainPassOptions,
} from './epoch';
import { Sgd } from './optim/sgd';
import type { EpochMetrics, TrainerEvent, TrainReport } from './protocol';
import { createResNet, describeResNet, disposeResNet } from './resnet';
import type { Trainee } from './step';

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
}

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
  const graph = describeResNet({
    name: recipe.model,
    numClasses: manifest.classNames.length,
    inChannels: manifest.channels,
    widthMultiplier: recipe.width,
  });
  // The stem's output (half the input side, before max pooling) is the
  // largest activation of a ResNet.
  const side = Math.ceil(recipe.imageSize / 2);
  const stemChannels = graph.params[0]!.shape[3]!;
  const perImage = side * side * stemChannels * 4;
  const bytes = recipe.batchSize * perImage;
  if (bytes > maxBufferBytes) {
    const fits = Math.max(1, Math.floor(maxBufferBytes / perImage));
    throw new RunError(
      'device-limit',
      `batch ${recipe.batchSize} at ${recipe.imageSize} px needs a ` +
        `${(bytes / 2 ** 20).toFixed(0)} MiB buffer, but this GPU allows ` +
        `${(maxBufferBytes / 2 ** 20).toFixed(0)} MiB ` +
        `(maxStorageBufferBindingSize); use a batch of at most ${fits}`,
    );
  }
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

export function createTrainee(recipe: Recipe, manifest: DatasetManifest) {
  const numClasses = manifest.classNames.length;
  const model = createResNet(
    {
      name: recipe.model,
      numClasses,
      inChannels: manifest.channels,
      widthMultiplier: recipe.width,
    },
    recipe.seed,
  );
  const params = model.graph.params.map((p) => model.params.get(p.name)!);
  const optimizer = new Sgd([{ variables: params, weightDecay: 0 }], {
    momentum: recipe.momentum,
    nesterov: recipe.opt === 'sgd-nesterov',
    dampening: 0,
  });
  const trainee: Trainee = { model, params, optimizer, numClasses };
  const dispose = () => {
    optimizer.dispose();
    disposeResNet(model);
  };
  return { trainee, dispose };
}

export async function runTraining(deps: RunDeps): Promise<TrainReport> {
  const { recipe, manifest, backend, control, emit } = deps;
  const start = performance.now();
  checkDeviceLimits(recipe, manifest, backend.info.maxStorageBufferBindingSize);
  const subset = await trainingSubset(deps);
  const { trainee, dispose } = createTrainee(recipe, manifest);
  const stored = manifest;
  const numTrain = subset?.length ?? manifest.splits.train.numImages;
  const stepsPerEpoch = Math.floor(numTrain / recipe.batchSize);
  const epochs: EpochMetrics[] = [];
  let best = { top1: -1, epoch: 0 };
  let stoppedEarly = false;
  let globalStep = 0;

  try {
    for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
      emit({ type: 'phase', phase: 'train', epoch });
      const lr = recipe.lr;
      const options: TrainPassOptions = {
        trainee,
        backend,
        control,
        stored,
        imageSize: recipe.imageSize,
        lr,
        printFreq: PRINT_FREQ,
        onLossRead: (r) =>
          emit({
            type: 'step',
            progress: {
              epoch,
              step: r.step,
              stepsPerEpoch,
              globalStep: globalStep + r.step,
              loss: r.loss,
              lr,
              imagesPerSecond: r.imagesPerSecond,
              numTensors: tf.memory().numTensors,
            },
          }),
      };
      const batches = readBatches(deps.store, manifest, 'train', {
        batchSize: recipe.batchSize,
        seed: recipe.seed,
        epoch,
        shuffle: true,
        subset,
      });
      const pass = await trainPass(batches, options);
      globalStep += pass.steps;
      if (control.stopRequested) break;

      emit({ type: 'phase', phase: 'eval', epoch });
      const val = await evaluatePass(
        readBatches(deps.store, manifest, 'val', {
          batchSize: recipe.batchSize,
          seed: recipe.seed,
          epoch,
          shuffle: false,
        }),
        options,
      );
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: pass.meanLoss,
        valTop1: val.top1,
        valTop5: val.top5,
        lr,
        imagesPerSecond: pass.images / Math.max(1e-9, pass.seconds),
        seconds: (performance.now() - start) / 1000,
      };
      epochs.push(metrics);
      emit({ type: 'epoch', metrics });
      if (val.top1 > best.top1) best = { top1: val.top1, epoch };
      if (recipe.patience > 0 && epoch - best.epoch >= recipe.patience) {
        stoppedEarly = true;
        break;
      }
      if (control.stopRequested) break;
    }
  } finally {
    dispose();
  }

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
    recipe,
    epochs,
    bestValTop1: Math.max(0, best.top1),
    bestEpoch: best.epoch,
    stoppedEarly,
    stopped: control.stopRequested,
    wallSeconds: (performance.now() - start) / 1000,
  };
}
