import { expect, test } from 'vitest';
import type { DatasetManifest } from '../../src/data/schema';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import type {
  BenchOptions,
  BenchReport,
  EpochMetrics,
  TrainerEvent,
  TrainReport,
} from '../../src/train/protocol';
import { parseArgs } from '../../tools/lab/args';
import { EXIT_OK, EXIT_USAGE, messageOf, runCli } from '../../tools/lab/cli';
import {
  KilledAfterCheckpoint,
  runBench,
  runTrain,
  type BenchCommand,
  type Io,
  type TrainCommand,
} from '../../tools/lab/commands';
import type { Lab, TrainArgs } from '../../tools/lab/page-api';

/** Records what the CLI prints; the clock moves 10 s per call to now(). */
function recordingIo() {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, unknown>();
  let clock = 0;
  const io: Io = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    status: () => {},
    now: () => (clock += 10_000),
    writeJson: async (path, value) => {
      written.set(path, value);
      return `/abs/${path}`;
    },
    writeText: async (path, text) => {
      written.set(path, text);
      return `/abs/${path}`;
    },
  };
  return { io, out, err, written };
}

const MANIFEST = {
  name: 'fashion-mnist-demo',
  classNames: Array.from({ length: 10 }, (_, i) => `class ${i}`),
  height: 28,
  width: 28,
  channels: 1,
  splits: {
    train: { numImages: 600, numShards: 1, classCounts: [] },
    val: { numImages: 100, numShards: 1, classCounts: [] },
  },
} as unknown as DatasetManifest;

function metrics(epoch: number): EpochMetrics {
  return {
    epoch,
    trainLoss: 1 / epoch,
    valTop1: 0.1 * epoch,
    valTop5: 0.5,
    lr: 0.01,
    imagesPerSecond: 20,
    seconds: 10,
  };
}

/** A stand-in for the app that emits events the way the real one does. */
function fakeLab(options: { emitEpochs: number }) {
  const listeners = new Set<(event: TrainerEvent) => void>();
  const emit = (event: TrainerEvent) => listeners.forEach((l) => l(event));
  const calls: string[] = [];
  const lab: Lab = {
    ensureDemo: async () => {
      calls.push('ensureDemo');
      return MANIFEST;
    },
    train: async ({ dataset, recipe }: TrainArgs) => {
      calls.push(`train ${dataset}`);
      emit({
        type: 'backend',
        info: {
          backend: 'webgpu',
          adapter: 'google swiftshader',
          tfjsVersion: '4.22.0',
          fallbackReasons: [],
          maxStorageBufferBindingSize: 2 ** 30,
          kernels: 'lab',
        },
      });
      const epochs = [1, 2, 3].slice(0, recipe.epochs).map(metrics);
      for (const m of epochs.slice(0, options.emitEpochs)) {
        emit({ type: 'epoch', metrics: m });
      }
      return trainReport(dataset, recipe, epochs);
    },
    resumeRun: async (runId: string) => {
      calls.push(`resume ${runId}`);
      const recipe = { ...DEFAULT_RECIPE, epochs: 3 };
      const epochs = [1, 2, 3].map(metrics);
      emit({
        type: 'resumed',
        runId: 'run-1',
        dataset: 'cars',
        recipe,
        epochs: epochs.slice(0, 1),
        losses: [],
      });
      for (const m of epochs.slice(1)) emit({ type: 'epoch', metrics: m });
      return trainReport('cars', recipe, epochs);
    },
    bench: async (benchOptions: BenchOptions) => {
      calls.push('bench');
      return { options: benchOptions } as unknown as BenchReport;
    },
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { lab, calls, emit };
}

function trainReport(
  dataset: string,
  recipe: Recipe,
  epochs: EpochMetrics[],
): TrainReport {
  const report = {
    runId: 'run-1',
    backend: 'webgpu',
    adapter: 'google swiftshader',
    tfjsVersion: '4.22.0',
    kernels: 'lab',
    model: recipe.model,
    dataset,
    numTrainImages: 600,
    numValImages: 100,
    recipe,
    epochs,
    bestValTop1: 0.3,
    bestEpoch: 3,
    stoppedEarly: false,
    stopped: false,
  };
  return report as TrainReport;
}

function trainCommand(argv: string[]): TrainCommand {
  return parseArgs(['train', ...argv]) as TrainCommand;
}

test('train imports the demo, prints one line per epoch and a report', async () => {
  const { io, out, written } = recordingIo();
  const { lab, calls } = fakeLab({ emitEpochs: 3 });
  const command = trainCommand(['--json', 'out.json']);
  const report = await runTrain(lab, command, io);

  expect(calls).toEqual(['ensureDemo', 'train fashion-mnist-demo']);
  expect(out[0]).toMatch(/^dataset fashion-mnist-demo: 10 classes, 600 /);
  expect(out[1]).toMatch(/^backend webgpu \| adapter google swiftshader/);
  expect(out.filter((l) => l.startsWith('epoch '))).toHaveLength(3);
  expect(out[2]).toMatch(/^epoch 1\/3 .* elapsed 0:10 {2}left ~0:20$/);
  expect(out[4]).toMatch(/^epoch 3\/3 .* elapsed 0:30$/);
  expect(out.at(-2)).toMatch(/^done: best val top-1 30\.00% at epoch 3\/3/);
  expect(out.at(-1)).toBe('report written to /abs/out.json');
  // The app gave no wall time: the CLI's own clock fills it in.
  expect(report.wallSeconds).toBe(40);
  expect(written.get('out.json')).toEqual(report);
  expect(report.recipe).toEqual(DEFAULT_RECIPE);
});

test('train prints from the report the epochs whose events were lost', async () => {
  const { io, out } = recordingIo();
  const { lab } = fakeLab({ emitEpochs: 1 });
  await runTrain(lab, trainCommand(['--data', 'cars']), io);
  expect(out.filter((l) => l.startsWith('epoch '))).toHaveLength(3);
  expect(out.filter((l) => l.startsWith('backend '))).toHaveLength(1);
  expect(out.some((l) => l.startsWith('dataset '))).toBe(false);
});

test('a rejected train() reaches the caller untouched', async () => {
  const { io } = recordingIo();
  const { lab } = fakeLab({ emitEpochs: 0 });
  lab.train = () => Promise.reject(new Error('no dataset "cars" is stored'));
  await expect(runTrain(lab, trainCommand([]), io)).rejects.toThrow(
    'no dataset "cars" is stored',
  );
});

test('--kill-after-epoch closes the page once that epoch is checkpointed', async () => {
  const { io, out } = recordingIo();
  const { lab, emit } = fakeLab({ emitEpochs: 0 });
  let killed = 0;
  let pageGone: (error: Error) => void = () => {};
  lab.train = () => {
    const checkpoint = {
      runId: 'run-9',
      numEpochs: 3,
      bytes: 2 ** 20,
      readSeconds: 0.012,
      writeSeconds: 0.034,
    };
    const gone = new Promise<never>((_, reject) => (pageGone = reject));
    emit({ type: 'checkpoint', checkpoint: { ...checkpoint, epoch: 1 } });
    expect(killed).toBe(0);
    emit({ type: 'checkpoint', checkpoint: { ...checkpoint, epoch: 2 } });
    return gone;
  };
  const command = trainCommand(['--kill-after-epoch', '2']);
  const run = runTrain(lab, command, io, async () => {
    killed++;
    pageGone(new Error('Chromium exited while the app was running'));
  });
  await expect(run).rejects.toBeInstanceOf(KilledAfterCheckpoint);
  await expect(run).rejects.toThrow(
    'closed the page after epoch 2 of 3 was checkpointed, as ' +
      '--kill-after-epoch asked; run run-9 can be resumed',
  );
  expect(killed).toBe(1);
  expect(out).toContain(
    'checkpoint: run run-9 after epoch 2/3, 1.0 MiB (read back 12 ms, ' +
      'stored 34 ms)',
  );
});

test('--resume continues the stored run and prints its earlier epochs', async () => {
  const { io, out } = recordingIo();
  const { lab, calls } = fakeLab({ emitEpochs: 0 });
  const report = await runTrain(lab, trainCommand(['--resume', 'last']), io);
  expect(calls).toEqual(['resume last']);
  expect(out[0]).toBe(
    'resuming run run-1 (resnet18 on cars) after epoch 1 of 3',
  );
  expect(out.filter((l) => l.startsWith('epoch '))).toHaveLength(3);
  // The restored epoch shows when it ended, in the session that ran it.
  expect(out[1]).toMatch(/^epoch 1\/3 .* elapsed 0:10 /);
  expect(report.runId).toBe('run-1');
});

test('bench passes its options through and writes the report', async () => {
  const { io, written } = recordingIo();
  const { lab, calls } = fakeLab({ emitEpochs: 0 });
  lab.bench = async (options) =>
    ({
      backend: 'webgpu',
      adapter: 'google swiftshader',
      tfjsVersion: '4.22.0',
      kernels: 'lab',
      options,
      bareImagesPerSecond: 40,
      labImagesPerSecond: 38,
      overheadRatio: 1.05,
      readbacksPerStep: 0.1,
      passEndReadbacks: 1,
      lossReadEvery: 10,
      numTensorsAfterStep2: 10,
      laterStep: 20,
      numTensorsAfterLaterStep: 10,
      profile: [],
      kernelsPerStep: 600,
    }) satisfies BenchReport;
  const command = parseArgs(['bench', '--steps', '30', '--json', 'b.json']);
  const report = await runBench(lab, command as BenchCommand, io);
  expect(calls).toEqual(['ensureDemo']);
  expect(report.options.steps).toBe(30);
  expect(written.get('b.json')).toEqual(report);
});

test('the CLI exits 2 on a bad command line, before any browser starts', async () => {
  const { io, out, err } = recordingIo();
  const code = await runCli(['train', '--model', 'resnet99'], io);
  expect(code).toBe(EXIT_USAGE);
  expect(out).toEqual([]);
  expect(err).toEqual([
    'lab: --model: expected one of resnet18, resnet34, resnet50, ' +
      'mobilenet_v3_large, ' +
      'got "resnet99"',
    'lab: see `npm run lab -- train --help`',
  ]);
});

test('the CLI prints the usage for --help and exits 0', async () => {
  const { io, out } = recordingIo();
  expect(await runCli(['bench', '--help'], io)).toBe(EXIT_OK);
  expect(out[0]).toMatch(/^Usage: npm run lab -- bench \[flags\]/);
});

test('messages lose the stack frames folded into them', () => {
  const error = new Error(
    'Build failed\n\nCannot resolve src/x.ts\n    at build (file:///a.js:1:2)',
  );
  expect(messageOf(error)).toBe('Build failed\nCannot resolve src/x.ts');
  expect(messageOf('plain')).toBe('plain');
});

test('train names the options the training loop does not apply yet', async () => {
  const { io, err } = recordingIo();
  const { lab } = fakeLab({ emitEpochs: 0 });
  await runTrain(lab, trainCommand(['--opt', 'sgd', '--lr', '0.1']), io);
  expect(err).toEqual([]);

  await runTrain(
    lab,
    trainCommand(['--preset', 'blog-baseline', '--opt', 'adamw']),
    io,
  );
  expect(err).toEqual([
    'lab: not applied by the training loop yet: --pretrained true',
  ]);
});
