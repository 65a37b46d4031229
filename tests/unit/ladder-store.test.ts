import { describe, expect, test } from 'vitest';
import type { DatasetManifest } from '../../src/data/schema';
import type { Recipe } from '../../src/recipe/recipe';
import { TrainerError } from '../../src/train/client';
import type { TrainerEvent, TrainReport } from '../../src/train/protocol';
import { createLadderStore } from '../../src/ui/ladder-store';
import { createLabStore, type TrainerPort } from '../../src/ui/store';

interface PendingRun {
  runId: string;
  recipe: Recipe;
  dataset: string;
  end(report: Partial<TrainReport>): void;
  fail(error: TrainerError): void;
}

/**
 * A trainer whose runs end when the test says so, one at a time, telling
 * its listeners as TrainerClient does: the last event, then the promise.
 */
function fakeTrainer() {
  const runs: PendingRun[] = [];
  const calls: string[] = [];
  const listeners = new Set<(event: TrainerEvent) => void>();
  const emit = (event: TrainerEvent) => listeners.forEach((l) => l(event));
  const port: TrainerPort = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    train: (dataset, recipe, runId) =>
      new Promise<TrainReport>((resolve, reject) => {
        const end = (ended: Partial<TrainReport>) => {
          const report = { runId, stopped: false, epochs: [], ...ended };
          emit({ type: 'done', report: report as TrainReport });
          resolve(report as TrainReport);
        };
        const fail = (error: TrainerError) => {
          const { code, message } = error;
          emit({ type: 'error', error: { code, message } as never });
          reject(error);
        };
        runs.push({ runId, recipe, dataset, end, fail });
      }),
    resumeRun: () => Promise.reject(new Error('no resume in this test')),
    bench: () => Promise.reject(new Error('no bench in this test')),
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    stop: () => calls.push('stop'),
  };
  return { port, runs, calls };
}

const manifest = { name: 'fashion-mnist-demo' } as DatasetManifest;

function setup() {
  const trainer = fakeTrainer();
  const lab = createLabStore({
    trainer: trainer.port,
    importDemo: async () => manifest,
    inspectStorage: () => Promise.reject(new Error('not in this test')),
    checkpoints: { list: async () => [], discard: async () => {} },
    probeWebGpu: async () => 'available',
    schedule: (flush) => flush(),
    now: () => 0,
  });
  lab.getState().setDraft('epochs', '1');
  lab.getState().setDraft('seed', '3');
  lab.getState().setTrainOn('cars');
  const ladder = createLadderStore(lab);
  ladder.getState().toggleStep('trivial-augment');
  ladder.getState().toggleStep('label-smoothing');
  ladder.getState().toggleRejected('cosine');
  return { trainer, lab, ladder };
}

/** Lets the awaited train calls settle and the next one start. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the ladder store', () => {
  test('trains each rung x seed through the lab store, in order', async () => {
    const { trainer, lab, ladder } = setup();
    ladder.getState().setNumSeeds(1);
    expect(ladder.getState().form.steps).toEqual(['cosine']);

    const done = ladder.getState().start();
    expect(ladder.getState().status).toBe('running');
    expect(lab.getState().run.status).toBe('starting');
    trainer.runs[0]!.end({ bestValTop1: 0.25 });
    await settle();
    expect(ladder.getState().results).toEqual([
      { rung: 'base', seed: 3, bestValTop1: 0.25 },
    ]);
    expect(trainer.runs[1]).toMatchObject({
      dataset: 'cars',
      recipe: { lrScheduler: 'cosineannealinglr', seed: 3, epochs: 1 },
    });
    trainer.runs[1]!.end({ bestValTop1: 0.5 });

    const report = await done;
    expect(ladder.getState().status).toBe('finished');
    expect(report.rows.map((r) => [r.name, r.kind, r.mean])).toEqual([
      ['base', 'base', 0.25],
      ['cosine', 'branch', 0.5],
    ]);
    expect(report.runs.map((r) => r.runId)).toEqual(
      trainer.runs.map((r) => r.runId),
    );
  });

  test('Cancel stops the run under way and starts no other', async () => {
    const { trainer, ladder } = setup();
    ladder.getState().setNumSeeds(2);
    const done = ladder.getState().start();
    trainer.runs[0]!.end({ bestValTop1: 0.3 });
    await settle();
    expect(trainer.runs).toHaveLength(2);

    ladder.getState().cancel();
    expect(ladder.getState().status).toBe('cancelling');
    expect(trainer.calls).toEqual(['stop']);
    trainer.runs[1]!.end({ bestValTop1: 0.9, stopped: true });
    const report = await done;

    expect(trainer.runs).toHaveLength(2);
    expect(ladder.getState().status).toBe('cancelled');
    // The stopped run's top-1 is of a shortened run, so it is left out.
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]!.values).toEqual([0.3]);
  });

  test('a failed run ends the ladder with its message', async () => {
    const { trainer, lab, ladder } = setup();
    const done = ladder.getState().start();
    trainer.runs[0]!.fail(new TrainerError('oom', 'out of GPU memory'));
    await expect(done).rejects.toThrow('out of GPU memory');
    expect(ladder.getState()).toMatchObject({
      status: 'failed',
      error: 'out of GPU memory',
    });
    expect(lab.getState().error).toMatchObject({ code: 'oom' });
  });

  test('nothing starts over a bad form or a run in progress', async () => {
    const { lab, ladder } = setup();
    lab.getState().setDraft('epochs', 'many');
    await expect(ladder.getState().start()).rejects.toThrow(
      'Correct the recipe fields marked above.',
    );
    expect(ladder.getState().status).toBe('failed');

    lab.getState().setDraft('epochs', '1');
    void lab.getState().train();
    await expect(ladder.getState().start()).rejects.toThrow(
      /expected no run in progress/,
    );
  });
});
