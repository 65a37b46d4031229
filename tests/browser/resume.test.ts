// Checkpoints end to end in real Chromium on WebGPU and IndexedDB: a run
// trains uninterrupted; the same run is started again, its page closed
// abruptly once epoch 1 is checkpointed, and resumed from a new page on
// the same storage. The resumed run must finish with the same curve.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type * as Client from '../../src/train/client';
import type * as Checkpoints from '../../src/data/checkpoint-store';
import type { CheckpointInfo, TrainReport } from '../../src/train/protocol';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { importDemo, trainDemo } from './demo-run';
import { openModules, type Session } from './harness';

let session: Session;
beforeAll(async () => {
  session = await openModules();
  await importDemo(session.page);
});
afterAll(async () => {
  await session?.close();
});

// Every kind of state a checkpoint holds: momentum buffers, BN running
// statistics, the EMA and its counter, a warmup then a cosine schedule,
// and per-epoch augmentation draws.
const recipe: Recipe = {
  ...DEFAULT_RECIPE,
  width: 0.125,
  imageSize: 28,
  batchSize: 16,
  epochs: 3,
  limit: 160,
  lr: 0.01,
  seed: 5,
  weightDecay: 1e-4,
  lrScheduler: 'cosineannealinglr',
  lrWarmupEpochs: 1,
  lrWarmupMethod: 'linear',
  autoAugment: 'ta_wide',
  labelSmoothing: 0.1,
  modelEma: true,
  modelEmaSteps: 2,
};

async function newPage(): Promise<Page> {
  const page = await session.context.newPage();
  await page.goto(session.url);
  return page;
}

/** Trains in `page` to the end; the report and every event. */
const trainToEnd = (page: Page, runId: string, resume: boolean) =>
  trainDemo(page, recipe, runId, resume);

/** Starts a run in `page`; resolves at its first checkpoint, run going on. */
function trainToCheckpoint(page: Page, runId: string) {
  return page.evaluate(
    async ({ recipe, runId }) => {
      const { TrainerClient } = await window.importModule<typeof Client>(
        '/src/train/client.ts',
      );
      const client = new TrainerClient();
      return new Promise<CheckpointInfo>((resolve, reject) => {
        client.subscribe((e) => {
          if (e.type === 'checkpoint') resolve(e.checkpoint);
        });
        client.train('fashion-mnist-demo', recipe, runId).catch(reject);
      });
    },
    { recipe, runId },
  );
}

function storedRuns(page: Page) {
  return page.evaluate(async () => {
    const store = await (
      await window.importModule<typeof Checkpoints>(
        '/src/data/checkpoint-store.ts',
      )
    ).openCheckpointStore();
    const list = await store.list();
    store.close();
    return list;
  });
}

test('a run killed after epoch 1 resumes to the uninterrupted curve', async () => {
  const whole = await trainToEnd(session.page, 'whole', false);
  expect(whole.report.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  const saved = whole.events.flatMap((e) =>
    e.type === 'checkpoint' ? [e.checkpoint.epoch] : [],
  );
  // The last epoch is not checkpointed: the run finishes there.
  expect(saved).toEqual([1, 2]);
  // A finished run leaves no checkpoint behind.
  expect(await storedRuns(session.page)).toEqual([]);

  const killed = await newPage();
  const first = await trainToCheckpoint(killed, 'killed');
  expect(first).toMatchObject({ runId: 'killed', epoch: 1, numEpochs: 3 });
  expect(first.bytes).toBeGreaterThan(0);
  await killed.close();

  const again = await newPage();
  const runs = await storedRuns(again);
  expect(runs.map((r) => [r.runId, r.epochsDone, r.numEpochs])).toEqual([
    ['killed', 1, 3],
  ]);
  const resumed = await trainToEnd(again, 'killed', true);
  const restored = resumed.events.find((e) => e.type === 'resumed');
  expect(restored?.type === 'resumed' && restored.epochs.length).toBe(1);
  // Only epochs 2 and 3 were trained again.
  const phases = resumed.events.flatMap((e) =>
    e.type === 'phase' && e.phase === 'train' ? [e.epoch] : [],
  );
  expect(phases).toEqual([2, 3]);

  const curve = (r: TrainReport) =>
    r.epochs.map((e) => ({
      epoch: e.epoch,
      trainLoss: e.trainLoss,
      trainTop1: e.trainTop1,
      trainTop5: e.trainTop5,
      valTop1: e.valTop1,
      valTop5: e.valTop5,
      valTop1Ema: e.valTop1Ema,
      valTop5Ema: e.valTop5Ema,
      lr: e.lr,
    }));
  // Same backend, same kernels, same draws: the same numbers, bit for bit.
  expect(curve(resumed.report)).toEqual(curve(whole.report));
  expect(resumed.report.bestEpoch).toBe(whole.report.bestEpoch);
  expect(await storedRuns(again)).toEqual([]);
  await again.close();
});

test('resuming a run with no checkpoint fails with a code', async () => {
  const page = await newPage();
  const outcome = await page.evaluate(async () => {
    const { TrainerClient } = await window.importModule<typeof Client>(
      '/src/train/client.ts',
    );
    try {
      await new TrainerClient().resumeRun('never-ran');
      return null;
    } catch (error) {
      const e = error as { code: string; message: string };
      return { code: e.code, message: e.message };
    }
  });
  expect(outcome?.code).toBe('no-checkpoint');
  expect(outcome?.message).toMatch(/checkpoint of run never-ran/);
  await page.close();
});
