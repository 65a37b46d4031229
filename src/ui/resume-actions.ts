// The lab store's actions on stopped runs: the runs a reload, a closed tab
// or a lost device left with a checkpoint, offered to resume or discard.
import type { CheckpointSummary } from '../train/checkpoint';
import type { TrainReport } from '../train/protocol';
import type { RunState } from './run-events';

/** The checkpoints in storage, as the store reaches them. */
export interface CheckpointPort {
  /** Summaries of the stored checkpoints, the latest first. */
  list(): Promise<CheckpointSummary[]>;
  discard(runId: string): Promise<void>;
}

export interface ResumeState {
  /** Unfinished runs with a checkpoint, the latest first. */
  resumable: CheckpointSummary[];
}

export interface ResumeActions {
  /** Reads the stored checkpoints again. */
  refreshResumable(): Promise<void>;
  /** Continues a stored run (an id, or 'last') at its next epoch. */
  resumeRun(runId: string): Promise<TrainReport>;
  /** Deletes a stored run's checkpoint. */
  discardRun(runId: string): Promise<void>;
}

interface ResumeContext {
  checkpoints: CheckpointPort;
  resume(runId: string): Promise<TrainReport>;
  get(): ResumeState;
  set(partial: Partial<ResumeState>): void;
  launch(
    run: Partial<RunState>,
    start: () => Promise<TrainReport>,
  ): Promise<TrainReport>;
}

export function createResumeActions(c: ResumeContext): ResumeActions {
  const refresh = async () => {
    c.set({ resumable: await c.checkpoints.list() });
  };
  const drop = (runId: string) =>
    c.set({ resumable: c.get().resumable.filter((r) => r.runId !== runId) });

  return {
    refreshResumable: refresh,

    async resumeRun(runId) {
      await refresh();
      const { resumable } = c.get();
      const found =
        runId === 'last'
          ? resumable[0]
          : resumable.find((r) => r.runId === runId);
      if (!found) {
        const stored = resumable.map((r) => r.runId).join(', ') || 'none';
        throw new Error(
          `expected a stopped run to resume (${runId}), found none; ` +
            `stored checkpoints: ${stored}`,
        );
      }
      drop(found.runId);
      const run = { kind: 'train' as const, runId: found.runId };
      return c.launch({ ...run, dataset: found.dataset }, () =>
        c.resume(found.runId),
      );
    },

    async discardRun(runId) {
      await c.checkpoints.discard(runId);
      drop(runId);
    },
  };
}
