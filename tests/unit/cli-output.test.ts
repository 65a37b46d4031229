import { expect, test } from 'vitest';
import type {
  BackendInfo,
  BenchReport,
  TrainReport,
} from '../../src/train/protocol';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { BENCH_DEFAULTS } from '../../tools/lab/flags';
import {
  estimateSecondsLeft,
  formatBackend,
  formatBench,
  formatDuration,
  formatEpoch,
  formatTrainDone,
  withWallSeconds,
} from '../../tools/lab/output';

const REPORT: TrainReport = {
  runId: 'run-1',
  backend: 'webgpu',
  adapter: 'google swiftshader',
  tfjsVersion: '4.22.0',
  kernels: 'lab',
  model: 'resnet18',
  dataset: 'fashion-mnist-demo',
  numTrainImages: 64,
  numValImages: 1000,
  normalization: { mean: [0.29], std: [0.35] },
  recipe: { ...DEFAULT_RECIPE, epochs: 2 },
  epochs: [],
  bestValTop1: 0.5123,
  bestEpoch: 2,
  stoppedEarly: false,
  stopped: false,
  wallSeconds: 75,
};

test('durations read as m:ss, or h:mm:ss from an hour', () => {
  expect(formatDuration(0)).toBe('0:00');
  expect(formatDuration(42.4)).toBe('0:42');
  expect(formatDuration(185)).toBe('3:05');
  expect(formatDuration(3725)).toBe('1:02:05');
  expect(formatDuration(-3)).toBe('0:00');
});

test('the time left follows the length of the last epoch', () => {
  expect(estimateSecondsLeft([], 5)).toBeNull();
  // The first epoch carries shader compilation; the second is the guide.
  expect(estimateSecondsLeft([100, 130], 5)).toBe(90);
  expect(estimateSecondsLeft([40], 3)).toBe(80);
  expect(estimateSecondsLeft([40, 80, 120], 3)).toBeNull();
});

test('an epoch line shows accuracies as percentages and the time left', () => {
  const line = formatEpoch(
    {
      epoch: 2,
      trainLoss: 1.23456,
      valTop1: 0.7125,
      valTop5: 0.981,
      lr: 0.01,
      imagesPerSecond: 812.4,
      seconds: 30,
    },
    5,
    63,
    90,
  );
  expect(line).toBe(
    'epoch 2/5  loss 1.2346  val top-1 71.25%  top-5 98.10%  lr 0.01  ' +
      '812 img/s  elapsed 1:03  left ~1:30',
  );
});

test('an epoch line puts training accuracy before validation', () => {
  const metrics = {
    epoch: 2,
    trainLoss: 1.23456,
    trainTop1: 0.5,
    trainTop5: 0.875,
    valTop1: 0.7125,
    valTop5: 0.981,
    lr: 0.01,
    imagesPerSecond: 812.4,
    seconds: 30,
  };
  expect(formatEpoch(metrics, 5, 63, null)).toContain(
    'loss 1.2346  train top-1 50.00%  top-5 87.50%  val top-1 71.25%  ' +
      'top-5 98.10%  lr 0.01',
  );
});

test("with an EMA the epoch line adds the average's top-1", () => {
  const metrics = {
    epoch: 2,
    trainLoss: 1.23456,
    valTop1: 0.7125,
    valTop5: 0.981,
    valTop1Ema: 0.75,
    valTop5Ema: 0.99,
    lr: 0.01,
    imagesPerSecond: 812.4,
    seconds: 30,
  };
  expect(formatEpoch(metrics, 5, 63, null)).toContain(
    'top-5 98.10%  ema top-1 75.00%  lr 0.01',
  );
});

test('the backend line names what fell back and why', () => {
  const info: BackendInfo = {
    backend: 'cpu',
    adapter: '',
    tfjsVersion: '4.22.0',
    fallbackReasons: ['webgpu: no adapter', 'webgl: no context'],
    maxStorageBufferBindingSize: null,
    kernels: 'stock',
  };
  expect(formatBackend(info)).toBe(
    'backend cpu | adapter unknown | kernels stock | tfjs 4.22.0 ' +
      '(fell back: webgpu: no adapter; webgl: no context)',
  );
});

test('the final line says how the run ended', () => {
  expect(formatTrainDone(REPORT)).toBe(
    'done: best val top-1 51.23% at epoch 2/2, resnet18 on ' +
      'fashion-mnist-demo (64 train / 1000 val images), wall 1:15, run run-1',
  );
  const early = { ...REPORT, stoppedEarly: true, epochs: [] };
  early.recipe = { ...REPORT.recipe, patience: 1 };
  expect(formatTrainDone(early)).toMatch(/^stopped early after epoch 0 \(/);
});

test('the CLI supplies the wall time only when the app gave none', () => {
  expect(withWallSeconds(REPORT, 99).wallSeconds).toBe(75);
  const bare = { ...REPORT } as Partial<TrainReport>;
  delete bare.wallSeconds;
  expect(withWallSeconds(bare as TrainReport, 99).wallSeconds).toBe(99);
});

test('the bench summary flags a growing tensor count', () => {
  const report: BenchReport = {
    backend: 'webgpu',
    adapter: 'google swiftshader',
    tfjsVersion: '4.22.0',
    kernels: 'lab',
    options: BENCH_DEFAULTS,
    bareImagesPerSecond: 50.25,
    labImagesPerSecond: 48,
    overheadRatio: 1.046,
    readbacksPerStep: 0.1,
    passEndReadbacks: 1,
    lossReadEvery: 10,
    numTensorsAfterStep2: 300,
    laterStep: 20,
    numTensorsAfterLaterStep: 318,
    profile: [
      { name: 'Conv2D', ms: 30, calls: 20 },
      { name: 'LabSgdWeight', ms: 10, calls: 62 },
    ],
    kernelsPerStep: 640,
  };
  const lines = formatBench(report);
  expect(lines[0]).toBe(
    'bench resnet18 width 0.25, 28 px, batch 16: 20 timed steps after 3 ' +
      'warm-up, on webgpu (google swiftshader)',
  );
  expect(lines).toContain('  lab         48.0 img/s  lab/bare 1.05');
  expect(lines).toContain(
    '  tensors     300 after step 2, 318 after step 20 (grew by 18: a leak)',
  );
  expect(lines.at(-2)).toBe(
    '    Conv2D                       30.0 ms  75%  20 calls',
  );
  expect(lines.at(-1)).toMatch(/^ {4}LabSgdWeight +10\.0 ms +25% +62 calls$/);
});

test('a rate under one image a second keeps three significant digits', () => {
  const lines = formatBench({
    backend: 'webgpu',
    adapter: 'google swiftshader',
    tfjsVersion: '4.22.0',
    kernels: 'lab',
    options: { ...BENCH_DEFAULTS, model: 'resnet50', width: 1 },
    bareImagesPerSecond: 0.024734,
    labImagesPerSecond: 0.033948,
    overheadRatio: 1.3725,
    readbacksPerStep: 0,
    passEndReadbacks: 1,
    lossReadEvery: 10,
    numTensorsAfterStep2: 165,
    laterStep: 3,
    numTensorsAfterLaterStep: 165,
    profile: [],
    kernelsPerStep: 650,
  });
  expect(lines).toContain('  bare model  0.0247 img/s');
  expect(lines).toContain('  lab         0.0339 img/s  lab/bare 1.37');
});
