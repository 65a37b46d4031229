// The typed message protocol between the app and the training Worker.
// Requests flow in, events flow out; every error that crosses the boundary
// carries a code the UI can act on.
import type { PredictionSet } from '../eval/predictions';
import type { Recipe } from '../recipe/recipe';
import type { LoadReport } from '../weights/plan';

export type BackendName = 'webgpu' | 'webgl' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  /** Adapter as the browser reports it, e.g. "google swiftshader". */
  adapter: string;
  tfjsVersion: string;
  /** Why an earlier backend in the order webgpu, webgl, cpu was not used. */
  fallbackReasons: string[];
  /** The device's maxStorageBufferBindingSize in bytes, when on WebGPU. */
  maxStorageBufferBindingSize: number | null;
  /** Which kernel set runs: the lab's own kernels or tfjs's stock ones. */
  kernels: string;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  /**
   * Training top-1 and top-5 accuracy over the epoch's steps, as
   * torchvision's train_one_epoch measures them: the logits each step
   * trained on (train mode, before the update) against the batch's targets,
   * with mixed targets counted as the class of their largest weight.
   * Absent in runs recorded before they were measured.
   */
  trainTop1?: number;
  trainTop5?: number;
  valTop1: number;
  valTop5: number;
  /** With `modelEma`: the same validation of the averaged weights. */
  valTop1Ema?: number;
  valTop5Ema?: number;
  /** The LR of the epoch's first step (all of it, stepped per epoch). */
  lr: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface TrainReport {
  runId: string;
  backend: BackendName;
  adapter: string;
  tfjsVersion: string;
  kernels: string;
  model: string;
  dataset: string;
  numTrainImages: number;
  numValImages: number;
  /** Per-channel mean and std the inputs were normalised with, on 0..1. */
  normalization: { mean: number[]; std: number[] };
  recipe: Recipe;
  /** With `pretrained` and `weights`: the file the run started from. */
  weights?: RunWeights;
  epochs: EpochMetrics[];
  bestValTop1: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  stopped: boolean;
  wallSeconds: number;
}

/** Cached weights a run starts from, and how they went into the model. */
export interface RunWeights {
  id: string;
  load: LoadReport;
  /** Where the normalisation came from (src/weights/info.ts). */
  configFrom: string;
}

export interface BenchOptions {
  model: Recipe['model'];
  width: number;
  imageSize: number;
  batchSize: number;
  /** Steps timed for each of the two measurements, after warm-up. */
  steps: number;
  /** Steps run before timing starts (shader compilation). */
  warmupSteps: number;
  /** Bare and lab measurements alternate this many times; 2 if absent. */
  rounds?: number;
  dataset: string;
  seed: number;
  /** 'lab': the lab's kernels where they apply; 'tfjs': stock kernels only. */
  kernels: KernelSet;
  /**
   * The training options the lab's step runs with (augmentation, label
   * smoothing, EMA, schedule, ...); the defaults where absent. The bare
   * step is the same model's forward, backward and update, without them.
   */
  training?: Partial<Recipe>;
}

export type KernelSet = 'lab' | 'tfjs';

/** Time one kernel took in a profiled step, summed over its calls. */
export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

export interface BenchReport {
  backend: BackendName;
  adapter: string;
  tfjsVersion: string;
  kernels: string;
  options: BenchOptions;
  bareImagesPerSecond: number;
  labImagesPerSecond: number;
  overheadRatio: number;
  /** GPU reads during the steps of the lab's pass, per step. */
  readbacksPerStep: number;
  lossReadEvery: number;
  /**
   * Reads after the last step: the loss of the steps since the last
   * periodic read, which the pass's mean loss needs. Once per epoch in a
   * run, so not counted per step.
   */
  passEndReadbacks: number;
  numTensorsAfterStep2: number;
  /** Step 20, or the last step of a shorter pass. */
  laterStep: number;
  numTensorsAfterLaterStep: number;
  /** Kernels of one profiled bare step, slowest first (empty if untimed). */
  profile: KernelTime[];
  /** Dispatches in that step. */
  kernelsPerStep: number;
}

/** A checkpoint just written, and what it cost. */
export interface CheckpointInfo {
  runId: string;
  /** The epoch it holds; a resume continues at the next. */
  epoch: number;
  numEpochs: number;
  bytes: number;
  /** Reading the tensors back from the device. */
  readSeconds: number;
  /** The IndexedDB transaction. */
  writeSeconds: number;
}

/** Whose weights an evaluation reads: a run's final ones or its checkpoint. */
export type EvalSource = 'final' | 'checkpoint';

/** A run's validation set through its weights (and EMA), image by image. */
export interface EvalResult extends PredictionSet {
  runId: string;
  source: EvalSource;
  dataset: string;
  classNames: string[];
  /** With a checkpoint: the epochs it holds; the run's epochs otherwise. */
  epochs: number;
  seconds: number;
}

export type TrainerRequest =
  | { type: 'train'; runId: string; dataset: string; recipe: Recipe }
  /** Predicts the validation set with a stored run's weights. */
  | { type: 'evaluate'; runId: string; source: EvalSource }
  /** Continues a run from its checkpoint ('resume' alone unpauses). */
  | { type: 'resume-run'; runId: string }
  | { type: 'bench'; options: BenchOptions }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type TrainerState =
  'starting' | 'running' | 'paused' | 'stopping' | 'finished' | 'failed';

export interface StepProgress {
  epoch: number;
  /** Steps done in this epoch and in all. */
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  /** Mean training loss of the last read window (losses are read every N). */
  loss: number;
  lr: number;
  imagesPerSecond: number;
  numTensors: number;
  /**
   * Bytes of the tensors on the GPU (tfjs's `numBytesInGPU`); absent where
   * the backend does not report it (the CPU backend).
   */
  gpuBytes?: number;
}

export type ErrorCode =
  | 'no-dataset'
  | 'weights'
  | 'bad-recipe'
  | 'backend'
  | 'device-limit'
  | 'device-lost'
  | 'storage'
  | 'no-checkpoint'
  | 'no-weights'
  | 'busy'
  | 'internal';

export interface TrainerErrorInfo {
  code: ErrorCode;
  message: string;
}

/** A variable's values as the host holds them: tfjs layout, float32. */
export interface WeightArray {
  shape: number[];
  data: Float32Array;
}

/** Every parameter and batch-norm buffer, by torchvision state-dict name. */
export type NamedWeights = Record<string, WeightArray>;

export type TrainerEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'state'; state: TrainerState }
  | { type: 'phase'; phase: 'train' | 'eval'; epoch: number }
  | { type: 'step'; progress: StepProgress }
  | { type: 'epoch'; metrics: EpochMetrics }
  /**
   * The model's final weights, and with `modelEma` the EMA's averages,
   * sent once after the last epoch and before 'done'; absent when no
   * epoch finished.
   */
  | {
      type: 'weights';
      runId: string;
      weights: NamedWeights;
      ema?: NamedWeights;
    }
  | { type: 'checkpoint'; checkpoint: CheckpointInfo }
  /** A run continues from a checkpoint: what it had done before. */
  | {
      type: 'resumed';
      runId: string;
      dataset: string;
      recipe: Recipe;
      epochs: EpochMetrics[];
      /** Loss reads so far, by global step, for the loss chart. */
      losses: { step: number; loss: number }[];
    }
  | { type: 'done'; report: TrainReport }
  /** Something the run decided that the user should know, e.g. its micro-batch. */
  | { type: 'notice'; message: string }
  | { type: 'bench-done'; report: BenchReport }
  /** Images of the validation set predicted so far, of the weights named. */
  | {
      type: 'eval-progress';
      weights: 'raw' | 'ema';
      done: number;
      total: number;
    }
  | { type: 'eval-done'; result: EvalResult }
  | { type: 'error'; error: TrainerErrorInfo };
