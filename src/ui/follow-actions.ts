// The lab store's actions for a run that another tab of the lab trains:
// that tab relays its trainer events (src/app/tab-relay.ts) and this one
// shows the run as its own, charts and status line included, without
// being able to steer it. Only one tab trains at a time (the trainer lock,
// src/train/trainer-lock.ts), so a tab either trains or follows.
import type { BackendInfo, TrainerEvent } from '../train/protocol';
import {
  applyTrainerEvents,
  isBusy,
  type RunState,
  type TrainerSlice,
} from './run-events';

/** A run as the training tab knows it, sent to tabs that join. */
export interface RunSnapshot {
  run: RunState;
  backend: BackendInfo | null;
}

export interface FollowActions {
  /** Shows the run another tab trains, as it stood when that tab told. */
  followRun(snapshot: RunSnapshot): void;
  /**
   * Applies events the training tab relayed; false when this tab follows
   * no run (it missed the start and should ask for the run so far).
   */
  followEvents(events: readonly TrainerEvent[]): boolean;
  /** The training tab let go of the trainer: the run ended or it closed. */
  endFollow(): void;
}

interface FollowContext {
  get(): TrainerSlice;
  set(partial: Partial<TrainerSlice>): void;
}

/**
 * Loss reads up to the last one shown are left out: a snapshot taken
 * between two frames may already hold what the relay sends next.
 */
function newEvents(run: RunState, events: readonly TrainerEvent[]) {
  const last = run.losses.at(-1)?.step ?? -Infinity;
  return events.filter(
    (e) => e.type !== 'step' || e.progress.globalStep > last,
  );
}

export function createFollowActions(c: FollowContext): FollowActions {
  return {
    followRun({ run, backend }) {
      const mine = c.get().run;
      if (isBusy(mine.status) && !mine.remote) return;
      c.set({
        run: { ...run, remote: true },
        backend: backend ?? c.get().backend,
      });
    },

    followEvents(events) {
      const state = c.get();
      if (!state.run.remote) return false;
      c.set(applyTrainerEvents(state, newEvents(state.run, events)));
      return true;
    },

    endFollow() {
      const { run } = c.get();
      if (!run.remote || !isBusy(run.status)) return;
      const name = run.runId ?? 'the run';
      c.set({
        run: { ...run, status: 'failed', phase: null },
        error: {
          source: 'trainer',
          code: 'tab-closed',
          message:
            `The tab that trained ${name} closed before the run ended. ` +
            'A run with a checkpoint is offered for resuming.',
        },
      });
    },
  };
}
