// The ladder panel's store: the steps and seeds chosen, and the ladder run
// under way or last ended. A zustand core apart from the lab store, which
// it drives: every rung x seed is one call of the lab store's train action,
// so each run goes through the same training Worker and shows in the same
// charts and status line as a run started with Train.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LadderReport } from '../recipe/ladder';
import {
  DEFAULT_LADDER_CHOICE,
  IDLE_LADDER,
  isLadderBusy,
  ladderStateReport,
  previewLadder,
  queuedRecipe,
  startedLadder,
  toggleRejected,
  toggleStep,
  withNumSeeds,
  withRunEnded,
  type LadderChoice,
  type LadderRunState,
} from './ladder-state';
import { formRecipe } from './recipe-link';
import { isBusy } from './run-events';
import type { LabStore } from './store';

export interface LadderState extends LadderRunState {
  /** What the panel's controls say; the run keeps its own copy. */
  form: LadderChoice;
  toggleStep(name: string): void;
  toggleRejected(name: string): void;
  setNumSeeds(numSeeds: number): void;
  /**
   * Trains the ladder the panel shows over the recipe form, on the form's
   * dataset; resolves with the report of the runs that ended.
   */
  start(): Promise<LadderReport>;
  /** Stops the run under way and starts no other. */
  cancel(): void;
}

export type LadderStore = StoreApi<LadderState>;

export function createLadderStore(lab: LabStore): LadderStore {
  return createStore<LadderState>()((set, get) => {
    const fail = (message: string): never => {
      set({ status: 'failed', error: message });
      throw new Error(message);
    };

    const runQueue = async (dataset: string) => {
      while (get().status === 'running') {
        const queued = get().queue[get().index];
        if (!queued) break;
        const report = await lab
          .getState()
          .train({ ...queuedRecipe(queued) }, { dataset });
        // A stopped run's best top-1 is of a shortened run: not a result.
        if (report.stopped) break;
        set((s) => withRunEnded(s, report));
      }
      const done = get().index === get().queue.length;
      set({ status: done ? 'finished' : 'cancelled' });
    };

    return {
      ...IDLE_LADDER,
      form: DEFAULT_LADDER_CHOICE,

      toggleStep(name) {
        set((s) => ({ form: toggleStep(s.form, name) }));
      },

      toggleRejected(name) {
        set((s) => ({ form: toggleRejected(s.form, name) }));
      },

      setNumSeeds(numSeeds) {
        set((s) => ({ form: withNumSeeds(s.form, numSeeds) }));
      },

      async start() {
        const { status, form } = get();
        const labState = lab.getState();
        if (isLadderBusy(status) || isBusy(labState.run.status)) {
          throw new Error('expected no run in progress, but one is');
        }
        const base = formRecipe(labState.recipe, labState.draft);
        const preview = previewLadder(form, base);
        if (!preview.ok) return fail(preview.message);
        const dataset = labState.trainOn;
        set(startedLadder(form, preview.plan, dataset));
        try {
          await runQueue(dataset);
        } catch (error) {
          // The lab store's error box says why the run failed.
          fail(error instanceof Error ? error.message : String(error));
        }
        return ladderStateReport(get())!;
      },

      cancel() {
        if (get().status !== 'running') return;
        set({ status: 'cancelling' });
        lab.getState().stop();
      },
    };
  });
}

export const LadderStoreContext = createContext<LadderStore | null>(null);

/** Reads the store from the nearest LadderStoreContext provider. */
export function useLadder<T>(selector: (state: LadderState) => T): T {
  const store = useContext(LadderStoreContext);
  if (!store) {
    throw new Error(
      'useLadder: expected a LadderStoreContext provider above this ' +
        'component, found none',
    );
  }
  return useStore(store, selector);
}
