// Messages between the app (client.ts) and the import Worker (worker.ts).
// Files cross as File objects (structured clone), never as bytes.
import type {
  DecodeReport,
  ImportOptions,
  ImportPlanSummary,
  ImportProgress,
  ImportReport,
  ImportSource,
} from './types';

export type ImportRequest =
  | {
      /** 'decode': decode, crop and resize every image, store nothing. */
      type: 'inspect' | 'start' | 'decode';
      source: ImportSource;
      options: ImportOptions;
      /** The IndexedDB database; the lab's own when absent. */
      dbName?: string;
    }
  | { type: 'cancel' };

export interface ImportFailure {
  /** ImportError codes, 'storage' / 'quota' from the store, or 'internal'. */
  code: string;
  message: string;
}

export type ImportEvent =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'summary'; summary: ImportPlanSummary }
  | { type: 'report'; report: ImportReport }
  | { type: 'decoded'; report: DecodeReport }
  | { type: 'error'; error: ImportFailure };
