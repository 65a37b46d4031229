// The import panel's and the dataset view's store: the source the user
// picked, the form, the plan the importer made of it, the progress and the
// report, and the datasets stored in this browser. A zustand core apart
// from the lab store so that the training side stays as it was; the
// automation API drives it with the same actions as the buttons.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ClassImages } from '../data/class-images';
import type {
  DecodeReport,
  ImportOptions,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
  ImportSource,
} from '../data/import/types';
import type { DatasetManifest, SplitName } from '../data/schema';
import {
  defaultImportForm,
  formFromOptions,
  IMPORT_FITS,
  importOptionsFromForm,
  importFormProblems,
  sameOptions,
  type ImportField,
  type ImportForm,
  type PickedSource,
} from './import-form';
import { createThrottle } from './throttle';

const PROGRESS_INTERVAL_MS = 100;
/** Images the class grid shows at most. */
export const CLASS_GRID_SIZE = 48;

/** The parts of ImportClient the store uses; tests pass a fake. */
export interface ImportPort {
  inspect(
    source: ImportSource,
    options: ImportOptions,
  ): Promise<ImportPlanSummary>;
  start(
    source: ImportSource,
    options: ImportOptions,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<ImportReport>;
  cancel(): void;
  decodeOnly(
    source: ImportSource,
    options: ImportOptions,
  ): Promise<DecodeReport>;
}

export interface ImportDeps {
  importer: ImportPort;
  listDatasets(): Promise<DatasetManifest[]>;
  /** Up to `limit` stored images of a class, from the shards. */
  readClassImages(
    dataset: string,
    split: SplitName,
    classId: number,
    limit: number,
  ): Promise<ClassImages>;
  schedule(run: () => void): void;
  now(): number;
}

export type ImportPhase =
  | 'empty'
  | 'inspecting'
  | 'planned'
  | 'importing'
  | 'cancelling'
  | 'finished'
  | 'failed';

export interface ImportState {
  form: ImportForm;
  picked: PickedSource | null;
  phase: ImportPhase;
  plan: ImportPlanSummary | null;
  /** The options the plan was made with. */
  planOptions: ImportOptions | null;
  progress: ImportProgress | null;
  report: ImportReport | null;
  /** Why inspecting or starting failed (not a stopped import: see report). */
  failure: string | null;
  /** Every dataset stored in this browser, the demo included. */
  datasets: DatasetManifest[];
  /** The dataset the dataset view shows. */
  viewed: string | null;
  /** The class whose stored images the dataset view's grid shows. */
  classView: ClassView | null;
}

export interface ClassView {
  dataset: string;
  split: SplitName;
  classId: number;
  /** Null while they are read. */
  images: ClassImages | null;
  failure: string | null;
}

export interface ImportActions {
  setField<F extends ImportField>(field: F, value: ImportForm[F]): void;
  /** Takes a source and plans it with the form's options. */
  pick(picked: PickedSource): Promise<ImportPlanSummary | null>;
  /** Plans the picked source, reusing a plan made with the same options. */
  inspect(): Promise<ImportPlanSummary>;
  /** Imports the picked source; resolves with the report, also if stopped. */
  start(): Promise<ImportReport>;
  cancel(): void;
  refreshDatasets(): Promise<DatasetManifest[]>;
  view(name: string | null): void;
  /** Reads the stored images of one class of the viewed dataset. */
  showClass(classId: number, split?: SplitName): Promise<void>;
  /**
   * Decodes, crops and resizes the picked source's images with the form's
   * options, storing nothing (the bench's baseline).
   */
  measureDecode(): Promise<DecodeReport>;
}

export type ImportStoreState = ImportState & ImportActions;
export type ImportStore = StoreApi<ImportStoreState>;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why the form cannot be used as it is, as one line; null when it can. */
function formProblem(form: ImportForm): string | null {
  const problems = Object.entries(importFormProblems(form));
  if (problems.length === 0) return null;
  return problems.map(([field, text]) => `${field}: ${text}`).join('; ');
}

/**
 * The form to resume an interrupted import of the planned source with,
 * when the form differs from the settings that import started with.
 */
export function resumeForm(
  plan: ImportPlanSummary,
  datasets: readonly DatasetManifest[],
  options: ImportOptions,
): ImportForm | null {
  if (!plan.existing || plan.existing.complete) return null;
  const stored = datasets.find((d) => d.name === plan.existing!.name);
  const settings = stored?.importRecord?.settings;
  const fit = IMPORT_FITS.find((f) => f === settings?.fit);
  if (!stored || !settings || !fit) return null;
  const wanted: ImportOptions = { ...settings, fit, name: stored.name };
  return sameOptions(wanted, options) ? null : formFromOptions(wanted);
}

export function createImportStore(deps: ImportDeps): ImportStore {
  let inspecting: {
    options: ImportOptions;
    plan: Promise<ImportPlanSummary>;
  } | null = null;
  let importing: Promise<ImportReport> | null = null;
  // Whether the form's name came from the picked source, not the user.
  let nameSuggested = false;

  return createStore<ImportStoreState>()((set, get) => {
    const runInspect = (options: ImportOptions): Promise<ImportPlanSummary> => {
      const { picked } = get();
      if (!picked) {
        return Promise.reject(
          new Error('expected a picked folder or files to inspect, got none'),
        );
      }
      set({
        phase: 'inspecting',
        plan: null,
        planOptions: null,
        failure: null,
      });
      const plan = deps.importer.inspect(picked.source, options).then(
        (summary) => {
          if (inspecting?.plan !== plan) return summary;
          set({ phase: 'planned', plan: summary, planOptions: options });
          // An interrupted import of this source resumes only with the
          // settings it started with: the form takes them, and Start
          // plans again with them.
          const resume = resumeForm(summary, get().datasets, options);
          if (resume) set({ form: resume });
          return summary;
        },
        (error: unknown) => {
          if (inspecting?.plan === plan) {
            inspecting = null;
            set({ phase: 'failed', failure: messageOf(error) });
          }
          throw error;
        },
      );
      inspecting = { options, plan };
      return plan;
    };

    const runImport = async (options: ImportOptions): Promise<ImportReport> => {
      const { picked } = get();
      if (!picked) throw new Error('expected a picked source, got none');
      const progress = createThrottle<ImportProgress>(
        (p) => set({ progress: p }),
        {
          intervalMs: PROGRESS_INTERVAL_MS,
          now: deps.now,
          schedule: deps.schedule,
        },
      );
      set({ phase: 'importing', progress: null, report: null, failure: null });
      try {
        const report = await deps.importer.start(
          picked.source,
          options,
          progress.push,
        );
        progress.flush();
        set({
          phase: 'finished',
          report,
          viewed: report.dataset,
          classView: null,
        });
        return report;
      } catch (error) {
        progress.flush();
        set({ phase: 'failed', failure: messageOf(error) });
        throw error;
      } finally {
        // The plan's "already imported" no longer holds after an import.
        inspecting = null;
        await get()
          .refreshDatasets()
          .catch(() => []);
      }
    };

    return {
      form: defaultImportForm(),
      picked: null,
      phase: 'empty',
      plan: null,
      planOptions: null,
      progress: null,
      report: null,
      failure: null,
      datasets: [],
      viewed: null,
      classView: null,

      setField(field, value) {
        if (field === 'name') nameSuggested = false;
        set((s) => ({ form: { ...s.form, [field]: value } }));
      },

      async pick(picked) {
        if (importing) {
          throw new Error('expected no import under way, but one is');
        }
        // A picked folder names the dataset unless the user named it.
        const named = get().form.name.trim() !== '' && !nameSuggested;
        const form = named
          ? get().form
          : { ...get().form, name: picked.suggestedName };
        nameSuggested = !named;
        inspecting = null;
        set({ picked, form, report: null, progress: null });
        const options = importOptionsFromForm(form);
        if (!options) {
          set({ phase: 'failed', failure: formProblem(form) });
          return null;
        }
        return runInspect(options).catch(() => null);
      },

      inspect() {
        const options = importOptionsFromForm(get().form);
        if (!options) {
          const failure = formProblem(get().form) as string;
          set({ phase: 'failed', failure });
          return Promise.reject(new Error(failure));
        }
        if (inspecting && sameOptions(inspecting.options, options)) {
          return inspecting.plan;
        }
        return runInspect(options);
      },

      start() {
        // One promise from the first call on, so a double click (or the
        // CLI and a click) cannot start two imports.
        importing ??= get()
          .inspect()
          .then(() => runImport(get().planOptions as ImportOptions))
          .finally(() => {
            importing = null;
          });
        return importing;
      },

      cancel() {
        if (get().phase !== 'importing') return;
        deps.importer.cancel();
        set({ phase: 'cancelling' });
      },

      async refreshDatasets() {
        const datasets = await deps.listDatasets();
        datasets.sort((a, b) => a.name.localeCompare(b.name));
        set((s) => ({
          datasets,
          viewed:
            s.viewed && datasets.some((d) => d.name === s.viewed)
              ? s.viewed
              : (datasets[0]?.name ?? null),
        }));
        return datasets;
      },

      view(name) {
        if (name !== get().viewed) set({ viewed: name, classView: null });
      },

      async showClass(classId, split = 'train') {
        const dataset = get().viewed;
        if (dataset === null) return;
        const view = { dataset, split, classId };
        set({ classView: { ...view, images: null, failure: null } });
        const isCurrent = () => {
          const now = get().classView;
          return (
            now?.dataset === dataset &&
            now.split === split &&
            now.classId === classId
          );
        };
        try {
          const images = await deps.readClassImages(
            dataset,
            split,
            classId,
            CLASS_GRID_SIZE,
          );
          if (isCurrent()) {
            set({ classView: { ...view, images, failure: null } });
          }
        } catch (error) {
          if (isCurrent()) {
            set({
              classView: { ...view, images: null, failure: messageOf(error) },
            });
          }
        }
      },

      async measureDecode() {
        const { picked } = get();
        if (!picked) {
          throw new Error('expected a picked source to decode, got none');
        }
        if (importing) {
          throw new Error('expected no import under way, but one is');
        }
        const options = importOptionsFromForm(get().form);
        if (!options) throw new Error(formProblem(get().form) as string);
        return deps.importer.decodeOnly(picked.source, options);
      },
    };
  });
}

export const ImportStoreContext = createContext<ImportStore | null>(null);

/** Reads the import store from the nearest ImportStoreContext provider. */
export function useImports<T>(selector: (state: ImportStoreState) => T): T {
  const store = useContext(ImportStoreContext);
  if (!store) {
    throw new Error(
      'useImports: expected an ImportStoreContext provider above this ' +
        'component, found none',
    );
  }
  return useStore(store, selector);
}
