// The runs panel's store: every run of the run log (src/runs/), the ones
// chosen for the overlay, the baseline, the table's sort and filter. It
// records the lab's training runs as they go: a record when a run starts
// (seen in the lab store), then the trainer's events: the environment, the
// loss and LR of each read window, each epoch's metrics (written as they
// come, so a reload still lists the run), the final weights, the end.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { sharedRecord, type RunCard } from '../runs/card';
import type { RunDb } from '../runs/run-db';
import {
  closeInterrupted,
  environmentOf,
  newRunRecord,
  withEpoch,
  withFailure,
  withReport,
  withResumed,
  withSteps,
  type ResumedRun,
  type RunRecord,
} from '../runs/record';
import { DEFAULT_SORT, type RunSort, type SortColumn } from '../runs/table';
import type { NamedWeights, TrainerEvent } from '../train/protocol';
import { isBusy, type AppError } from './run-events';
import { toAppError, type LabStore, type TrainerPort } from './store';

/** The parts of RunDb the store uses. */
export type RunLogPort = Pick<RunDb, 'list' | 'put' | 'putWeights' | 'delete'>;

export interface RunsDeps {
  /** Opens the run log; called once, again after a failure. */
  open(): Promise<RunLogPort>;
  now(): number;
  /** The browser's user agent, for each record's environment. */
  userAgent: string;
  /**
   * Whether another tab of the lab trains now: its run's record is
   * 'running' in storage for good reason, not left by a closed page.
   */
  isTrainingElsewhere?(): Promise<boolean>;
}

export interface RunsState {
  records: RunRecord[];
  loaded: boolean;
  /** Runs drawn together in the overlay charts, in the order chosen. */
  overlay: string[];
  baselineId: string | null;
  sort: RunSort;
  filter: string;
  /** The last storage failure; recording goes on in memory regardless. */
  error: AppError | null;
  /** The run being recorded. */
  activeId: string | null;
  /** Why the last run card could not be opened; nothing was stored. */
  cardError: string | null;

  load(): Promise<void>;
  rename(runId: string, name: string): Promise<void>;
  remove(runId: string): Promise<void>;
  toggleOverlay(runId: string): void;
  setBaseline(runId: string | null): void;
  /** Sorts by `column`; again on the same column flips the direction. */
  sortBy(column: SortColumn): void;
  setFilter(text: string): void;
  dismissError(): void;
  /**
   * Adds the run of a colleague's card, marked shared and drawn in the
   * overlay; the same card again replaces it.
   */
  addShared(card: RunCard): Promise<void>;
  /** Shows why a card could not be opened. */
  refuseCard(message: string | null): void;
  /** A training run started in the lab store. */
  recordStart(run: Pick<RunRecord, 'runId' | 'dataset' | 'recipe'>): void;
  /** A stopped run continues from its checkpoint, in its own record. */
  recordResume(runId: string): void;
  recordEvent(event: TrainerEvent): void;
  /** The run ended without a 'done' or 'error' event saying so. */
  recordFailure(runId: string, message: string): void;
  /**
   * Reads a run that another tab recorded again, once it ended there;
   * with `interrupted`, that tab closed first and the run is closed here.
   */
  reload(runId: string, interrupted: boolean): Promise<void>;
  /** Resolves once every write asked for so far has been tried. */
  settled(): Promise<void>;
}

export type RunsStore = StoreApi<RunsState>;

export function createRunsStore(deps: RunsDeps): RunsStore {
  let opened: Promise<RunLogPort> | null = null;
  let writes: Promise<void> = Promise.resolve();

  const open = () => {
    opened ??= deps.open().catch((error: unknown) => {
      opened = null;
      throw error;
    });
    return opened;
  };

  return createStore<RunsState>()((set, get) => {
    const find = (runId: string) =>
      get().records.find((r) => r.runId === runId);

    const update = (runId: string, change: (r: RunRecord) => RunRecord) =>
      set((s) => ({
        records: s.records.map((r) => (r.runId === runId ? change(r) : r)),
      }));

    /** Runs `body` after the writes before it; a failure is shown. */
    const queue = (body: (db: RunLogPort) => Promise<void>) => {
      writes = writes.then(async () => {
        try {
          await body(await open());
        } catch (error) {
          set({ error: { ...toAppError(error), source: 'storage' } });
        }
      });
      return writes;
    };

    /** Writes the record as it is when its turn comes. */
    const save = (runId: string) =>
      queue(async (db) => {
        const record = find(runId);
        if (record) await db.put(record);
      });

    const saveWeights = (
      runId: string,
      weights: NamedWeights,
      ema?: NamedWeights,
    ) =>
      queue(async (db) => {
        try {
          await db.putWeights(runId, weights, ema);
          update(runId, (r) => ({ ...r, hasWeights: true }));
        } catch (error) {
          // The metrics are kept all the same; the record says why not.
          const { message } = toAppError(error);
          update(runId, (r) => ({ ...r, weightsNote: message }));
          set({ error: { ...toAppError(error), source: 'storage' } });
        }
        const record = find(runId);
        if (record) await db.put(record);
      });

    /**
     * Continues the run's record, read from storage when this page has
     * not listed it yet (a resume right after a reload).
     */
    const saveResumed = (resumed: ResumedRun) =>
      queue(async (db) => {
        const { runId } = resumed;
        const known =
          find(runId) ?? (await db.list()).find((r) => r.runId === runId);
        const record = withResumed(known, resumed, deps.now());
        set((s) => ({
          records: [...s.records.filter((r) => r.runId !== runId), record],
        }));
        await db.put(record);
      });

    const end = (runId: string, change: (r: RunRecord) => RunRecord) => {
      update(runId, change);
      if (get().activeId === runId) set({ activeId: null });
      void save(runId);
    };

    return {
      records: [],
      loaded: false,
      overlay: [],
      baselineId: null,
      sort: DEFAULT_SORT,
      filter: '',
      error: null,
      activeId: null,
      cardError: null,

      async load() {
        try {
          const db = await open();
          const stored = await db.list();
          const now = deps.now();
          const { activeId, records } = get();
          const mine = new Set(records.map((r) => r.runId));
          const elsewhere = (await deps.isTrainingElsewhere?.()) ?? false;
          const closed = stored
            .filter((r) => !mine.has(r.runId) && r.runId !== activeId)
            .map((r) => (elsewhere ? r : closeInterrupted(r, now)));
          set({ records: [...records, ...closed], loaded: true });
          for (const r of closed) {
            if (!stored.includes(r)) void save(r.runId);
          }
        } catch (error) {
          set({ loaded: true, error: toAppError(error) });
        }
      },

      async rename(runId, name) {
        const trimmed = name.trim();
        const record = find(runId);
        if (!record || trimmed === '' || trimmed === record.name) return;
        update(runId, (r) => ({ ...r, name: trimmed }));
        await save(runId);
      },

      async remove(runId) {
        if (get().activeId === runId) return;
        set((s) => ({
          records: s.records.filter((r) => r.runId !== runId),
          overlay: s.overlay.filter((id) => id !== runId),
          baselineId: s.baselineId === runId ? null : s.baselineId,
        }));
        await queue((db) => db.delete(runId));
      },

      toggleOverlay(runId) {
        set((s) => ({
          overlay: s.overlay.includes(runId)
            ? s.overlay.filter((id) => id !== runId)
            : [...s.overlay, runId],
        }));
      },

      setBaseline(runId) {
        set({ baselineId: runId });
      },

      sortBy(column) {
        set(({ sort }) => ({
          sort:
            sort.column === column
              ? { column, descending: !sort.descending }
              : { column, descending: column === 'bestTop1' },
        }));
      },

      setFilter(text) {
        set({ filter: text });
      },

      dismissError() {
        set({ error: null });
      },

      async addShared(card) {
        const record = sharedRecord(card);
        set((s) => ({
          records: [
            ...s.records.filter((r) => r.runId !== record.runId),
            record,
          ],
          overlay: s.overlay.includes(record.runId)
            ? s.overlay
            : [...s.overlay, record.runId],
          cardError: null,
        }));
        await save(record.runId);
      },

      refuseCard(message) {
        set({ cardError: message });
      },

      recordStart(run) {
        const record = newRunRecord({ ...run, createdAt: deps.now() });
        set((s) => ({
          records: [...s.records.filter((r) => r.runId !== run.runId), record],
          activeId: run.runId,
        }));
        void save(run.runId);
      },

      recordResume(runId) {
        set({ activeId: runId });
      },

      recordEvent(event) {
        const runId = get().activeId;
        if (runId === null) return;
        switch (event.type) {
          case 'backend': {
            const environment = environmentOf(event.info, deps.userAgent);
            update(runId, (r) => ({ ...r, environment }));
            return;
          }
          case 'resumed':
            if (event.runId === runId) void saveResumed(event);
            return;
          case 'step':
            update(runId, (r) => withSteps(r, [event.progress]));
            return;
          case 'epoch':
            update(runId, (r) => withEpoch(r, event.metrics));
            void save(runId);
            return;
          case 'weights':
            if (event.runId === runId) {
              void saveWeights(runId, event.weights, event.ema);
            }
            return;
          case 'done':
            end(runId, (r) => withReport(r, event.report, deps.now()));
            return;
          case 'error':
            end(runId, (r) => withFailure(r, event.error.message, deps.now()));
            return;
          default:
            return;
        }
      },

      recordFailure(runId, message) {
        if (find(runId)?.status !== 'running') return;
        end(runId, (r) => withFailure(r, message, deps.now()));
      },

      async reload(runId, interrupted) {
        try {
          const db = await open();
          const found = (await db.list()).find((r) => r.runId === runId);
          if (!found) return;
          const record = interrupted
            ? closeInterrupted(found, deps.now())
            : found;
          set((s) => ({
            records: [...s.records.filter((r) => r.runId !== runId), record],
          }));
          if (record !== found) await save(runId);
        } catch (error) {
          set({ error: toAppError(error) });
        }
      },

      settled() {
        return writes;
      },
    };
  });
}

/**
 * Records the lab's training runs in `runs`: starts from the lab store's
 * state, the rest from the trainer's events. Returns a function that stops.
 */
export function connectRunLog(
  lab: LabStore,
  trainer: Pick<TrainerPort, 'subscribe'>,
  runs: RunsStore,
): () => void {
  let last = lab.getState().run;
  const unsubscribeLab = lab.subscribe(({ run, error }) => {
    const before = last;
    last = run;
    if (run === before || run.kind !== 'train' || run.runId === null) return;
    const { runId, dataset, recipe } = run;
    if (run.remote) {
      // The tab that trains it records it; this one reads it at its end.
      if (isBusy(before.status) && !isBusy(run.status)) {
        void runs.getState().reload(runId, error?.code === 'tab-closed');
      }
      return;
    }
    // A stopped run resumed in the same page keeps its id.
    const launched =
      run.runId !== before.runId || run.startedAt !== before.startedAt;
    if (launched && dataset && recipe) {
      runs.getState().recordStart({ runId, dataset, recipe });
    } else if (launched) {
      // A resume: its recipe comes with the 'resumed' event.
      runs.getState().recordResume(runId);
    } else if (run.status === 'failed' && before.status !== 'failed') {
      const message = error?.message ?? 'the run failed';
      runs.getState().recordFailure(runId, message);
    }
  });
  const unsubscribeTrainer = trainer.subscribe((event) =>
    runs.getState().recordEvent(event),
  );
  return () => {
    unsubscribeLab();
    unsubscribeTrainer();
  };
}

export const RunsStoreContext = createContext<RunsStore | null>(null);

/** The store of the nearest RunsStoreContext provider. */
export function useRunsStore(): RunsStore {
  const store = useContext(RunsStoreContext);
  if (!store) {
    throw new Error(
      'useRuns: expected a RunsStoreContext provider above this component, ' +
        'found none',
    );
  }
  return store;
}

/** Reads the store from the nearest RunsStoreContext provider. */
export function useRuns<T>(selector: (state: RunsState) => T): T {
  return useStore(useRunsStore(), selector);
}
