// The evaluation panel's store: which run's weights are evaluated, the
// Worker's progress, the predictions and their figures (src/eval/), and
// what the panel shows of them: raw or EMA weights, the matrix order, the
// class table's sort and filter, the explorer's filter and chosen image.
// The figures are computed once per result, not per render.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ShardStore } from '../data/shard-store';
import { SplitImages, type StoredImage } from '../data/split-images';
import {
  DEFAULT_CLASS_SORT,
  type ClassColumn,
  type ClassSort,
} from '../eval/class-rows';
import { evaluatePredictions, type Evaluation } from '../eval/metrics';
import { matrixOrder, type MatrixOrder } from '../eval/order';
import { ALL_IMAGES, type ImageFilter } from '../eval/select';
import type { EvalResult, EvalSource, TrainerEvent } from '../train/protocol';

/** The parts of TrainerClient an evaluation uses. */
export interface EvaluatorPort {
  evaluate(runId: string, source: EvalSource): Promise<EvalResult>;
  subscribe(listener: (event: TrainerEvent) => void): () => void;
  /** Ends the evaluation under way, releasing its GPU device. */
  terminate(): void;
}

export interface EvalDeps {
  evaluator: EvaluatorPort;
  openShards(): Promise<ShardStore>;
}

export type EvalWeights = 'raw' | 'ema';

export interface EvalState {
  target: { runId: string; name: string; source: EvalSource } | null;
  status: 'idle' | 'running' | 'done' | 'failed';
  progress: { weights: EvalWeights; done: number; total: number } | null;
  result: EvalResult | null;
  evaluation: Evaluation | null;
  error: string | null;
  /** Whose predictions the matrix, pairs and explorer show. */
  weights: EvalWeights;
  order: MatrixOrder;
  /** Classes in the matrix's row and column order. */
  matrixClasses: number[];
  classSort: ClassSort;
  classFilter: string;
  imageFilter: ImageFilter;
  /** Position in the result of the image the explorer shows. */
  selected: number | null;

  /** Evaluates a run's weights in the Worker and shows the result. */
  open(runId: string, source: EvalSource, name?: string): Promise<void>;
  /** Shows predictions made elsewhere (automation, tests). */
  show(result: EvalResult, name?: string): void;
  close(): void;
  setWeights(weights: EvalWeights): void;
  setOrder(order: MatrixOrder): void;
  sortClassesBy(column: ClassColumn): void;
  setClassFilter(text: string): void;
  setImageFilter(filter: Partial<ImageFilter>): void;
  select(position: number | null): void;
  /** A validation image of the result's dataset by its split index. */
  image(index: number): Promise<StoredImage>;
}

export type EvalStore = StoreApi<EvalState>;

const IDLE = {
  target: null,
  status: 'idle' as const,
  progress: null,
  result: null,
  evaluation: null,
  error: null,
  weights: 'raw' as const,
  order: 'class' as const,
  matrixClasses: [],
  imageFilter: ALL_IMAGES,
  selected: null,
};

export function createEvalStore(deps: EvalDeps): EvalStore {
  let images: { dataset: string; reader: Promise<SplitImages> } | null = null;
  let asked = 0;

  const imagesOf = (dataset: string) => {
    if (images?.dataset !== dataset) {
      const reader = deps.openShards().then(async (store) => {
        const manifest = await store.getManifest(dataset);
        if (!manifest) {
          throw new Error(`expected a stored dataset "${dataset}", found none`);
        }
        return new SplitImages(store, manifest, 'val');
      });
      images = { dataset, reader };
      // A failed open is not kept, so the next image tries again.
      reader.catch(() => {
        if (images?.reader === reader) images = null;
      });
    }
    return images.reader;
  };

  return createStore<EvalState>()((set, get) => {
    const orderFor = (
      s: Pick<EvalState, 'order' | 'weights' | 'evaluation'>,
    ) => {
      const e = s.evaluation;
      if (!e) return [];
      const model = s.weights === 'ema' && e.ema ? e.ema : e.raw;
      return matrixOrder(s.order, model.confusion, e.numClasses);
    };

    deps.evaluator.subscribe((event) => {
      if (event.type !== 'eval-progress' || get().status !== 'running') return;
      const { weights, done, total } = event;
      set({ progress: { weights, done, total } });
    });

    const showResult = (result: EvalResult, name: string) => {
      const evaluation = evaluatePredictions(result);
      const weights: EvalWeights = 'raw';
      const { order } = get();
      set({
        ...IDLE,
        target: { runId: result.runId, name, source: result.source },
        status: 'done',
        result,
        evaluation,
        order,
        matrixClasses: orderFor({ order, weights, evaluation }),
      });
    };

    return {
      ...IDLE,
      classSort: DEFAULT_CLASS_SORT,
      classFilter: '',

      async open(runId, source, name = runId) {
        // One evaluation at a time: a new one ends the one under way.
        if (get().status === 'running') deps.evaluator.terminate();
        const ticket = ++asked;
        set({
          ...IDLE,
          target: { runId, name, source },
          status: 'running',
        });
        try {
          const result = await deps.evaluator.evaluate(runId, source);
          if (ticket === asked) showResult(result, name);
        } catch (error) {
          if (ticket !== asked) return;
          const message =
            error instanceof Error ? error.message : String(error);
          set({ status: 'failed', error: message, progress: null });
        }
      },

      show(result, name = result.runId) {
        asked++;
        showResult(result, name);
      },

      close() {
        if (get().status === 'running') deps.evaluator.terminate();
        asked++;
        set(IDLE);
      },

      setWeights(weights) {
        if (weights === 'ema' && !get().evaluation?.ema) return;
        set((s) => ({
          weights,
          selected: null,
          matrixClasses: orderFor({ ...s, weights }),
        }));
      },

      setOrder(order) {
        set((s) => ({ order, matrixClasses: orderFor({ ...s, order }) }));
      },

      sortClassesBy(column) {
        set(({ classSort }) => ({
          classSort:
            classSort.column === column
              ? { column, descending: !classSort.descending }
              : { column, descending: column === 'count' },
        }));
      },

      setClassFilter(text) {
        set({ classFilter: text });
      },

      setImageFilter(filter) {
        set((s) => ({
          imageFilter: { ...s.imageFilter, ...filter },
          selected: null,
        }));
      },

      select(position) {
        set({ selected: position });
      },

      async image(index) {
        const dataset = get().result?.dataset;
        if (!dataset) throw new Error('expected an evaluation, found none');
        return (await imagesOf(dataset)).get(index);
      },
    };
  });
}

export const EvalStoreContext = createContext<EvalStore | null>(null);

/** Reads the store from the nearest EvalStoreContext provider. */
export function useEval<T>(selector: (state: EvalState) => T): T {
  const store = useContext(EvalStoreContext);
  if (!store) {
    throw new Error(
      'useEval: expected an EvalStoreContext provider above this component, ' +
        'found none',
    );
  }
  return useStore(store, selector);
}
