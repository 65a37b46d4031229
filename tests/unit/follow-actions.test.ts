// A tab following another tab's run: the snapshot shows, relayed events
// apply once each, its own run is never overwritten, and a run whose tab
// closed ends as failed with a reason.
import { expect, test } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import type { TrainerEvent } from '../../src/train/protocol';
import { createFollowActions } from '../../src/ui/follow-actions';
import {
  IDLE_RUN,
  isTrainingElsewhere,
  type RunState,
  type TrainerSlice,
} from '../../src/ui/run-events';

function setup(run: RunState = IDLE_RUN) {
  let state: TrainerSlice = { run, backend: null, error: null };
  const actions = createFollowActions({
    get: () => state,
    set: (partial) => {
      state = { ...state, ...partial };
    },
  });
  return { actions, state: () => state };
}

const step = (globalStep: number): TrainerEvent => ({
  type: 'step',
  progress: {
    epoch: 1,
    step: globalStep,
    stepsPerEpoch: 40,
    globalStep,
    loss: 2 / globalStep,
    lr: 0.1,
    imagesPerSecond: 8,
    numTensors: 300,
    gpuBytes: 12e6,
  },
});

const elsewhere: RunState = {
  ...IDLE_RUN,
  kind: 'train',
  runId: 'other',
  dataset: 'demo',
  recipe: DEFAULT_RECIPE,
  status: 'running',
  losses: [{ step: 10, loss: 1 }],
};

test('a relayed run shows as remote, each loss read once', () => {
  const { actions, state } = setup();
  expect(actions.followEvents([step(10)])).toBe(false);
  actions.followRun({ run: elsewhere, backend: null });
  expect(isTrainingElsewhere(state().run)).toBe(true);
  // Step 10 was in the snapshot already.
  expect(actions.followEvents([step(10), step(20)])).toBe(true);
  expect(state().run.losses.map((p) => p.step)).toEqual([10, 20]);
  expect(state().run.progress?.gpuBytes).toBe(12e6);
});

test("this tab's own run is not replaced by another tab's", () => {
  const mine = {
    ...IDLE_RUN,
    kind: 'train' as const,
    status: 'running' as const,
  };
  const { actions, state } = setup(mine);
  actions.followRun({ run: elsewhere, backend: null });
  expect(state().run).toBe(mine);
  expect(actions.followEvents([step(20)])).toBe(false);
});

test('a run whose tab closed ends failed; one that finished stays', () => {
  const { actions, state } = setup();
  actions.followRun({ run: elsewhere, backend: null });
  actions.endFollow();
  expect(state().run.status).toBe('failed');
  expect(state().error?.code).toBe('tab-closed');
  expect(state().error?.message).toMatch(/tab that trained other closed/);

  const finished = setup();
  finished.actions.followRun({ run: elsewhere, backend: null });
  finished.actions.followEvents([{ type: 'state', state: 'finished' }]);
  finished.actions.endFollow();
  expect(finished.state().run.status).toBe('finished');
  expect(finished.state().error).toBeNull();
  expect(isTrainingElsewhere(finished.state().run)).toBe(false);
});
