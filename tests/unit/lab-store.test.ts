import { describe, expect, test } from 'vitest';
import { StorageError } from '../../src/data/errors';
import type { DatasetManifest } from '../../src/data/schema';
import { presetRecipe } from '../../src/recipe/presets';
import type { Recipe } from '../../src/recipe/recipe';
import type { CheckpointSummary } from '../../src/train/checkpoint';
import type { TrainerEvent, TrainReport } from '../../src/train/protocol';
import {
  createLabStore,
  type ImportProgressEvent,
  type LabDeps,
} from '../../src/ui/store';
import { readLink, type PageLink } from '../../src/ui/recipe-link';

/** A trainer whose runs end when the test says so. */
function fakeTrainer() {
  const listeners = new Set<(event: TrainerEvent) => void>();
  const calls: string[] = [];
  const recipes: Recipe[] = [];
  let finish: (report: TrainReport) => void = () => {};
  let fail: (error: Error) => void = () => {};
  return {
    calls,
    recipes,
    emit: (event: TrainerEvent) => listeners.forEach((l) => l(event)),
    finish: (report: TrainReport) => finish(report),
    fail: (error: Error) => fail(error),
    port: {
      subscribe(listener: (event: TrainerEvent) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      train(dataset: string, recipe: Recipe, runId: string) {
        calls.push(`train ${dataset} ${recipe.width} ${runId}`);
        recipes.push(recipe);
        return new Promise<TrainReport>((resolve, reject) => {
          finish = resolve;
          fail = reject;
        });
      },
      resumeRun(runId: string) {
        calls.push(`resume-run ${runId}`);
        return new Promise<TrainReport>((resolve, reject) => {
          finish = resolve;
          fail = reject;
        });
      },
      bench: () => Promise.reject(new Error('no bench in this test')),
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      stop: () => calls.push('stop'),
    },
  };
}

const manifest = {
  name: 'fashion-mnist-demo',
  height: 28,
  width: 28,
  channels: 1,
  splits: {
    train: { numImages: 6000, numShards: 6, classCounts: [] },
    val: { numImages: 1000, numShards: 1, classCounts: [] },
  },
} as unknown as DatasetManifest;

/** Stored checkpoints, as a list the test edits. */
function fakeCheckpoints(stored: CheckpointSummary[] = []) {
  return {
    stored,
    list: async () => [...stored],
    discard: async (runId: string) => {
      const i = stored.findIndex((s) => s.runId === runId);
      if (i >= 0) stored.splice(i, 1);
    },
  };
}

function setup(
  importDemo?: LabDeps['importDemo'],
  link?: PageLink,
  checkpoints = fakeCheckpoints(),
) {
  const trainer = fakeTrainer();
  const flushes: (() => void)[] = [];
  let clock = 0;
  const store = createLabStore(
    {
      trainer: trainer.port,
      importDemo: importDemo ?? (async () => manifest),
      inspectStorage: async () => ({
        usageBytes: 900,
        quotaBytes: 1000,
        manifest,
      }),
      probeWebGpu: async () => 'available',
      checkpoints,
      schedule: (flush) => flushes.push(flush),
      now: () => clock,
    },
    link,
  );
  const frame = () => flushes.splice(0).forEach((f) => f());
  const advance = (ms: number) => (clock += ms);
  return { store, trainer, frame, advance };
}

const stopped: CheckpointSummary = {
  runId: 'run-a',
  dataset: 'fashion-mnist-demo',
  model: 'resnet18',
  epochsDone: 2,
  numEpochs: 5,
  savedAt: '2026-01-02T03:04:05.000Z',
  bytes: 1000,
};

describe('stopped runs', () => {
  test('are listed, resumed by id or as the last, and charted again', async () => {
    const checkpoints = fakeCheckpoints([stopped]);
    const { store, trainer, frame } = setup(undefined, undefined, checkpoints);
    await store.getState().refreshResumable();
    expect(store.getState().resumable).toEqual([stopped]);

    const done = store.getState().resumeRun('last');
    await Promise.resolve();
    await Promise.resolve();
    expect(trainer.calls).toEqual(['resume-run run-a']);
    expect(store.getState().resumable).toEqual([]);
    expect(store.getState().run).toMatchObject({
      kind: 'train',
      runId: 'run-a',
      status: 'starting',
    });
    const epochs = [1, 2].map((epoch) => ({
      epoch,
      trainLoss: 2 / epoch,
      valTop1: 0.1 * epoch,
      valTop5: 0.5,
      lr: 0.1,
      imagesPerSecond: 10,
      seconds: epoch,
    }));
    trainer.emit({
      type: 'resumed',
      runId: 'run-a',
      dataset: 'fashion-mnist-demo',
      recipe: store.getState().recipe,
      epochs,
      losses: [{ step: 10, loss: 2 }],
    });
    frame();
    expect(store.getState().run.epochs).toEqual(epochs);
    expect(store.getState().run.losses).toEqual([{ step: 10, loss: 2 }]);
    const report = { runId: 'run-a', epochs } as unknown as TrainReport;
    trainer.finish(report);
    await expect(done).resolves.toBe(report);
  });

  test('an unknown run is an error that lists the stored ones', async () => {
    const { store, trainer } = setup(
      undefined,
      undefined,
      fakeCheckpoints([stopped]),
    );
    await expect(store.getState().resumeRun('run-z')).rejects.toThrow(
      'expected a stopped run to resume (run-z), found none; stored ' +
        'checkpoints: run-a',
    );
    expect(trainer.calls).toEqual([]);
  });

  test('discarding deletes the checkpoint and the offer', async () => {
    const checkpoints = fakeCheckpoints([stopped]);
    const { store } = setup(undefined, undefined, checkpoints);
    await store.getState().refreshResumable();
    await store.getState().discardRun('run-a');
    expect(checkpoints.stored).toEqual([]);
    expect(store.getState().resumable).toEqual([]);
  });
});

describe('the lab store', () => {
  test('trains the demo recipe by default and applies events per frame', async () => {
    const { store, trainer, frame } = setup();
    const done = store.getState().train();
    expect(store.getState().run.status).toBe('starting');
    expect(trainer.calls[0]).toMatch(/^train fashion-mnist-demo 0.25 run-/);

    trainer.emit({ type: 'state', state: 'running' });
    expect(store.getState().run.status).toBe('starting');
    frame();
    expect(store.getState().run.status).toBe('running');

    const report = { runId: 'x', epochs: [] } as unknown as TrainReport;
    trainer.emit({ type: 'done', report });
    trainer.finish(report);
    await expect(done).resolves.toBe(report);
    expect(store.getState().run.status).toBe('finished');
  });

  test("the page's link sets the form, the recipe under it and the dataset", () => {
    const link = readLink('?data=cars&width=0.5&lr=0.2&label-smoothing=0.1');
    const { store, trainer } = setup(undefined, link);
    const state = store.getState();
    expect(state.draft.lr).toBe('0.2');
    expect(state.trainOn).toBe('cars');
    void state.train({ seed: 4 }, { dataset: state.trainOn });
    expect(trainer.calls[0]).toMatch(/^train cars 0.5 run-/);
    expect(trainer.recipes[0]).toMatchObject({
      lr: 0.2,
      labelSmoothing: 0.1,
      seed: 4,
    });

    store.getState().resetDraft();
    expect(store.getState().recipe.labelSmoothing).toBe(0);
    expect(store.getState().draft.width).toBe('0.25');
  });

  test('a preset fills the whole form and becomes the recipe under it', () => {
    const { store } = setup();
    store.getState().loadPreset('blog-final');
    const { draft, recipe } = store.getState();
    expect(recipe).toEqual(presetRecipe('blog-final'));
    expect(draft).toMatchObject({
      model: 'resnet50',
      lrScheduler: 'cosineannealinglr',
      autoAugment: 'ta_wide',
      modelEma: 'true',
    });
  });

  test('a new batch size offers the scaled LR and applies it on request', () => {
    const { store } = setup();
    store.getState().loadPreset('blog-final');
    const lr = presetRecipe('blog-final').lr;
    store.getState().setDraft('batchSize', '2');
    store.getState().setDraft('batchSize', '256');
    // Only a click sets the LR, and from the batch before the first edit.
    expect(store.getState().draft.lr).toBe(String(lr));
    expect(store.getState().lrScaleFrom).toEqual({ batchSize: 128, lr });
    store.getState().acceptLrSuggestion();
    expect(store.getState().draft.lr).toBe(String(lr * 2));
    expect(store.getState().lrScaleFrom).toBeNull();
  });

  test('refuses a second run while one is going', async () => {
    const { store } = setup();
    void store.getState().train();
    await expect(store.getState().train()).rejects.toMatchObject({
      code: 'busy',
    });
  });

  test('a bad recipe is refused with the validation message', async () => {
    const { store, trainer } = setup();
    await expect(store.getState().train({ width: 99 })).rejects.toThrow(
      /width: expected a number from/,
    );
    expect(store.getState().error?.code).toBe('bad-recipe');
    expect(trainer.calls).toEqual([]);
  });

  test('a rejected run without an error event still shows an error', async () => {
    const { store, trainer } = setup();
    const done = store.getState().train();
    trainer.fail(new Error('worker script failed to load'));
    await expect(done).rejects.toThrow();
    expect(store.getState().run.status).toBe('failed');
    expect(store.getState().error).toMatchObject({ code: 'internal' });
  });

  test('pause and resume follow the worker; stop shows at once', () => {
    const { store, trainer, frame } = setup();
    void store.getState().train();
    store.getState().pause();
    expect(trainer.calls).not.toContain('pause');

    trainer.emit({ type: 'state', state: 'running' });
    frame();
    store.getState().pause();
    store.getState().stop();
    expect(trainer.calls.slice(1)).toEqual(['pause', 'stop']);
    expect(store.getState().run.status).toBe('stopping');
  });

  test('the demo import reports progress and ends ready', async () => {
    let report: (p: ImportProgressEvent) => void = () => {};
    let finish: (m: DatasetManifest) => void = () => {};
    const { store, advance } = setup(({ onProgress }) => {
      report = onProgress;
      return new Promise((resolve) => (finish = resolve));
    });
    const imported = store.getState().importDemo();
    expect(store.getState().importDemo()).toBe(imported);

    report({ imagesDone: 1000, imagesTotal: 7000 });
    advance(200);
    report({ imagesDone: 2000, imagesTotal: 7000 });
    const { dataset } = store.getState();
    expect(dataset.status).toBe('importing');
    expect(dataset.imagesDone).toBe(2000);
    // 1,000 images in 0.2 s: the other 5,000 take 1 s.
    expect(dataset.secondsLeft).toBeCloseTo(1, 6);

    finish(manifest);
    await imported;
    expect(store.getState().dataset.status).toBe('ready');
  });

  test('a full disk keeps the code and estimates what was needed', async () => {
    // The clock stands still, so every report after the first is held back
    // by the throttle: the failure must still show the last one.
    const { store } = setup(async ({ onProgress }) => {
      onProgress({ imagesDone: 0, imagesTotal: 7000 });
      onProgress({ imagesDone: 1000, imagesTotal: 7000 });
      onProgress({ imagesDone: 3000, imagesTotal: 7000 });
      throw new StorageError('quota', 'storing train shard 3 failed');
    });
    await expect(store.getState().importDemo()).rejects.toThrow(StorageError);
    const { error, dataset } = store.getState();
    expect(dataset.status).toBe('failed');
    expect(dataset.imagesDone).toBe(3000);
    expect(error).toMatchObject({
      source: 'storage',
      code: 'quota',
      storage: { usageBytes: 900, quotaBytes: 1000 },
      neededBytes: 4000 * (28 * 28 + 4),
    });
  });
});
