// The runs store records a run from its start through the trainer's
// events, writes as it goes, keeps the metrics when the weights are
// refused, and closes runs an earlier page left running. The run log here
// is an in-memory stand-in; tests/browser/runs.test.ts runs IndexedDB.
import { describe, expect, test } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { StorageError } from '../../src/data/errors';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { cardOf } from '../../src/runs/card';
import type { RunRecord } from '../../src/runs/record';
import type {
  NamedWeights,
  TrainerEvent,
  TrainReport,
} from '../../src/train/protocol';
import { IDLE_RUN, type TrainerSlice } from '../../src/ui/run-events';
import {
  connectRunLog,
  createRunsStore,
  type RunLogPort,
} from '../../src/ui/runs-store';
import type { LabStore } from '../../src/ui/store';
import { metrics, record } from './runs-fixtures';

function memoryLog(options: { refuseWeights?: boolean } = {}) {
  const runs = new Map<string, RunRecord>();
  const weights = new Map<string, NamedWeights>();
  const port: RunLogPort = {
    list: async () => [...runs.values()],
    put: async (r) => void runs.set(r.runId, structuredClone(r)),
    putWeights: async (runId, w) => {
      if (options.refuseWeights) {
        throw new StorageError('quota', 'storing the weights: quota exceeded');
      }
      weights.set(runId, w);
    },
    delete: async (runId) => {
      runs.delete(runId);
      weights.delete(runId);
    },
  };
  return { runs, weights, port };
}

function setup(log = memoryLog()) {
  let clock = 1000;
  const store = createRunsStore({
    open: async () => log.port,
    now: () => clock++,
    userAgent: 'test-agent',
  });
  return { store, log };
}

const recipe = { ...DEFAULT_RECIPE, lr: 0.4 };
const weights: NamedWeights = {
  'conv1.weight': { shape: [1, 2], data: new Float32Array([1, 2]) },
};
const report = {
  runId: 'r1',
  epochs: [metrics(1, 0.25)],
  bestValTop1: 0.25,
  bestEpoch: 1,
  stopped: false,
} as TrainReport;

const backend: TrainerEvent = {
  type: 'backend',
  info: {
    backend: 'webgpu',
    adapter: 'google swiftshader',
    tfjsVersion: '4.22.0',
    fallbackReasons: [],
    maxStorageBufferBindingSize: null,
    kernels: 'lab',
  },
};

const step = (globalStep: number): TrainerEvent => ({
  type: 'step',
  progress: {
    epoch: 1,
    step: globalStep,
    stepsPerEpoch: 2,
    globalStep,
    loss: 2,
    lr: 0.4,
    imagesPerSecond: 1,
    numTensors: 1,
  },
});

describe('recording a run', () => {
  test('from start to done, written as it goes, weights apart', async () => {
    const { store, log } = setup();
    const s = store.getState();
    s.recordStart({ runId: 'r1', dataset: 'demo', recipe });
    await s.settled();
    expect(log.runs.get('r1')).toMatchObject({
      status: 'running',
      query: 'lr=0.4',
    });

    for (const e of [backend, step(1), step(2)]) s.recordEvent(e);
    s.recordEvent({ type: 'epoch', metrics: metrics(1, 0.25) });
    await s.settled();
    expect(log.runs.get('r1')).toMatchObject({
      bestTop1: 0.25,
      environment: { backend: 'webgpu', userAgent: 'test-agent' },
    });
    expect(log.runs.get('r1')!.steps.map((p) => p.step)).toEqual([1, 2]);

    s.recordEvent({ type: 'weights', runId: 'r1', weights });
    s.recordEvent({ type: 'done', report });
    await store.getState().settled();
    expect(log.weights.get('r1')).toBe(weights);
    expect(log.runs.get('r1')).toMatchObject({
      status: 'finished',
      hasWeights: true,
      weightsNote: null,
    });
    expect(store.getState().activeId).toBeNull();

    // Events after the end belong to no recorded run.
    store.getState().recordEvent({ type: 'epoch', metrics: metrics(2, 0.9) });
    expect(store.getState().records[0]!.epochs).toHaveLength(1);
  });

  test('weights the quota refuses leave the metrics stored and a note', async () => {
    const { store, log } = setup(memoryLog({ refuseWeights: true }));
    const s = store.getState();
    s.recordStart({ runId: 'r1', dataset: 'demo', recipe });
    s.recordEvent({ type: 'epoch', metrics: metrics(1, 0.25) });
    s.recordEvent({ type: 'weights', runId: 'r1', weights });
    s.recordEvent({ type: 'done', report });
    await s.settled();
    expect(log.weights.size).toBe(0);
    expect(log.runs.get('r1')).toMatchObject({
      status: 'finished',
      hasWeights: false,
      bestTop1: 0.25,
    });
    expect(log.runs.get('r1')!.weightsNote).toMatch(/quota exceeded/);
    expect(store.getState().error).toMatchObject({
      source: 'storage',
      code: 'quota',
    });
  });

  test('an error event fails the run with its message', async () => {
    const { store, log } = setup();
    const s = store.getState();
    s.recordStart({ runId: 'r1', dataset: 'demo', recipe });
    s.recordEvent({
      type: 'error',
      error: { code: 'device-lost', message: 'the GPU went away' },
    });
    await s.settled();
    expect(log.runs.get('r1')).toMatchObject({
      status: 'failed',
      error: 'the GPU went away',
    });
  });
});

describe('the table', () => {
  test('load closes runs a closed page left running, and stores that', async () => {
    const log = memoryLog();
    await log.port.put(record('old', { top1: [0.5] }));
    await log.port.put({ ...record('done'), status: 'finished' });
    const { store } = setup(log);
    await store.getState().load();
    await store.getState().settled();
    const byId = new Map(store.getState().records.map((r) => [r.runId, r]));
    expect(byId.get('old')!.status).toBe('failed');
    expect(byId.get('done')!.status).toBe('finished');
    expect(log.runs.get('old')!.status).toBe('failed');
  });

  test('load leaves running runs alone while another tab trains', async () => {
    const log = memoryLog();
    log.runs.set('r1', record('r1', { top1: [0.25] }));
    const store = createRunsStore({
      open: async () => log.port,
      now: () => 5,
      userAgent: 'test-agent',
      isTrainingElsewhere: async () => true,
    });
    await store.getState().load();
    await store.getState().settled();
    expect(store.getState().records[0]!.status).toBe('running');
    expect(log.runs.get('r1')!.status).toBe('running');
  });

  test('rename stores a trimmed name; blank names are refused', async () => {
    const { store, log } = setup();
    store.getState().recordStart({ runId: 'r1', dataset: 'd', recipe });
    await store.getState().rename('r1', '  tuned  ');
    expect(log.runs.get('r1')!.name).toBe('tuned');
    await store.getState().rename('r1', '   ');
    expect(log.runs.get('r1')!.name).toBe('tuned');
  });

  test('remove deletes a run and its choices, never the active run', async () => {
    const { store, log } = setup();
    const s = store.getState();
    s.recordStart({ runId: 'r1', dataset: 'd', recipe });
    s.recordEvent({ type: 'done', report });
    s.recordStart({ runId: 'r2', dataset: 'd', recipe });
    s.toggleOverlay('r1');
    s.toggleOverlay('r2');
    s.setBaseline('r1');
    await s.remove('r2');
    await s.settled();
    expect(log.runs.has('r2')).toBe(true);
    await s.remove('r1');
    expect(log.runs.has('r1')).toBe(false);
    expect(store.getState()).toMatchObject({
      overlay: ['r2'],
      baselineId: null,
    });
    expect(store.getState().records.map((r) => r.runId)).toEqual(['r2']);
  });

  test('sorting the same column again flips its direction', () => {
    const { store } = setup();
    store.getState().sortBy('name');
    expect(store.getState().sort).toEqual({
      column: 'name',
      descending: false,
    });
    store.getState().sortBy('name');
    expect(store.getState().sort).toEqual({ column: 'name', descending: true });
    store.getState().sortBy('bestTop1');
    expect(store.getState().sort.descending).toBe(true);
  });
});

describe('connectRunLog', () => {
  test('a training run started in the lab store is recorded; a bench is not', async () => {
    const lab = createStore<TrainerSlice>()(() => ({
      run: IDLE_RUN,
      backend: null,
      error: null,
    }));
    const listeners = new Set<(e: TrainerEvent) => void>();
    const trainer = {
      subscribe: (l: (e: TrainerEvent) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const { store, log } = setup();
    const stop = connectRunLog(lab as unknown as LabStore, trainer, store);

    lab.setState({ run: { ...IDLE_RUN, kind: 'bench', status: 'starting' } });
    lab.setState({
      run: {
        ...IDLE_RUN,
        kind: 'train',
        runId: 'r1',
        dataset: 'demo',
        recipe,
        status: 'starting',
      },
    });
    listeners.forEach((l) => l({ type: 'epoch', metrics: metrics(1, 0.5) }));
    lab.setState((s) => ({
      run: { ...s.run, status: 'failed' },
      error: { source: 'trainer', code: 'internal', message: 'worker crashed' },
    }));
    await store.getState().settled();
    expect([...log.runs.keys()]).toEqual(['r1']);
    expect(log.runs.get('r1')).toMatchObject({
      status: 'failed',
      error: 'worker crashed',
      bestTop1: 0.5,
    });
    stop();
  });

  test('a resumed run goes on in the record the interrupted one left', async () => {
    const lab = createStore<TrainerSlice>()(() => ({
      run: IDLE_RUN,
      backend: null,
      error: null,
    }));
    const listeners = new Set<(e: TrainerEvent) => void>();
    const trainer = {
      subscribe: (l: (e: TrainerEvent) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const send = (e: TrainerEvent) => listeners.forEach((l) => l(e));
    const log = memoryLog();
    const stored = { ...record('r1', { top1: [0.25] }), name: 'kept name' };
    log.runs.set('r1', stored);
    const { store } = setup(log);
    await store.getState().load();
    await store.getState().settled();
    expect(log.runs.get('r1')!.status).toBe('failed');
    const stop = connectRunLog(lab as unknown as LabStore, trainer, store);

    // As the lab store's resume launches it: the recipe comes later.
    lab.setState({
      run: { ...IDLE_RUN, kind: 'train', runId: 'r1', status: 'starting' },
    });
    send({
      type: 'resumed',
      runId: 'r1',
      dataset: stored.dataset,
      recipe: stored.recipe,
      epochs: stored.epochs,
      losses: [{ step: 2, loss: 1.5 }],
    });
    await store.getState().settled();
    expect(log.runs.get('r1')).toMatchObject({
      status: 'running',
      error: null,
      finishedAt: null,
      name: 'kept name',
    });

    send(step(3));
    send({ type: 'epoch', metrics: metrics(2, 0.6) });
    send({
      type: 'done',
      report: {
        ...report,
        epochs: [metrics(1, 0.25), metrics(2, 0.6)],
        bestValTop1: 0.6,
        bestEpoch: 2,
      },
    });
    await store.getState().settled();
    const done = log.runs.get('r1')!;
    expect(done).toMatchObject({ status: 'finished', bestTop1: 0.6 });
    expect(done.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(done.steps.map((p) => p.step)).toEqual([3]);
    expect(store.getState().records).toHaveLength(1);
    stop();
  });
});

describe('shared runs', () => {
  const card = () =>
    cardOf({
      ...record('theirs', { top1: [0.4, 0.6] }),
      status: 'finished',
    });

  test('a card adds a stored, overlaid run beside the own ones', async () => {
    const { store, log } = setup();
    await store.getState().load();
    store.getState().recordStart({ runId: 'mine', dataset: 'd', recipe });
    await store.getState().addShared(card());
    await store.getState().addShared(card());
    const { records, overlay } = store.getState();
    expect(records.map((r) => r.runId)).toEqual(['mine', 'shared:theirs']);
    expect(overlay).toEqual(['shared:theirs']);
    expect(log.runs.get('shared:theirs')).toMatchObject({
      shared: true,
      hasWeights: false,
      bestTop1: 0.6,
    });
    expect(log.runs.has('mine')).toBe(true);
  });

  test('a refused card is shown until dismissed; nothing is stored', () => {
    const { store, log } = setup();
    store.getState().refuseCard('kind: expected "recipe-lab-run-card"');
    expect(store.getState().cardError).toMatch(/kind: expected/);
    store.getState().refuseCard(null);
    expect(store.getState().cardError).toBeNull();
    expect(log.runs.size).toBe(0);
  });
});
