// The app's side of the import Worker: owns the Worker, sends requests and
// turns its events into promise results, progress callbacks and typed
// errors. A crash inside the Worker rejects the call under way with code
// 'internal' and starts a fresh Worker for the next one.
import type { ImportEvent, ImportRequest } from './protocol';
import {
  ImportError,
  type DecodeReport,
  type ImportOptions,
  type ImportPlanSummary,
  type ImportProgress,
  type ImportReport,
  type ImportSource,
} from './types';

type Code = ImportError['code'];

function codeOf(code: string): Code {
  const known: Code[] = ['layout', 'options', 'source', 'busy', 'internal'];
  return (known as string[]).includes(code) ? (code as Code) : 'internal';
}

/** An error from the Worker; `workerCode` keeps 'quota' and 'storage'. */
export class ImportFailedError extends ImportError {
  constructor(
    readonly workerCode: string,
    message: string,
  ) {
    super(codeOf(workerCode), message);
  }
}

export class ImportClient {
  private worker: Worker | null = null;
  private busy = false;

  /** `dbName` picks another IndexedDB database (tests). */
  constructor(private readonly options: { dbName?: string } = {}) {}

  /** Lists and plans the source; stores nothing. */
  inspect(
    source: ImportSource,
    options: ImportOptions,
  ): Promise<ImportPlanSummary> {
    return this.run(
      { type: 'inspect', source, options, ...this.db },
      (event) => (event.type === 'summary' ? event.summary : undefined),
    );
  }

  /** Imports; resolves with a report also when cancelled or out of quota. */
  start(
    source: ImportSource,
    options: ImportOptions,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<ImportReport> {
    return this.run({ type: 'start', source, options, ...this.db }, (event) => {
      if (event.type === 'progress') onProgress(event.progress);
      return event.type === 'report' ? event.report : undefined;
    });
  }

  /** Decodes, crops and resizes every planned image; stores nothing. */
  decodeOnly(
    source: ImportSource,
    options: ImportOptions,
    onProgress: (progress: ImportProgress) => void = () => {},
  ): Promise<DecodeReport> {
    return this.run(
      { type: 'decode', source, options, ...this.db },
      (event) => {
        if (event.type === 'progress') onProgress(event.progress);
        return event.type === 'decoded' ? event.report : undefined;
      },
    );
  }

  private get db(): { dbName?: string } {
    return this.options.dbName ? { dbName: this.options.dbName } : {};
  }

  cancel(): void {
    this.worker?.postMessage({ type: 'cancel' } satisfies ImportRequest);
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private spawn(): Worker {
    // Written out in full: this is the form Vite bundles as a Worker.
    return new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
    });
  }

  private run<T>(
    request: ImportRequest,
    onEvent: (event: ImportEvent) => T | undefined,
  ): Promise<T> {
    if (this.busy) {
      return Promise.reject(
        new ImportFailedError('busy', 'an import is already under way'),
      );
    }
    this.busy = true;
    const worker = (this.worker ??= this.spawn());
    return new Promise<T>((resolve, reject) => {
      const end = () => {
        this.busy = false;
        worker.onmessage = worker.onerror = worker.onmessageerror = null;
      };
      const crash = (message: string) => {
        end();
        worker.terminate();
        if (this.worker === worker) this.worker = null;
        reject(new ImportFailedError('internal', message));
      };
      worker.onmessage = (message: MessageEvent<ImportEvent>) => {
        const event = message.data;
        if (event.type === 'error') {
          end();
          reject(new ImportFailedError(event.error.code, event.error.message));
          return;
        }
        const result = onEvent(event);
        if (result !== undefined) {
          end();
          resolve(result);
        }
      };
      worker.onerror = (e) => {
        e.preventDefault();
        crash(`the import worker crashed: ${e.message || 'unknown error'}`);
      };
      worker.onmessageerror = () =>
        crash('a message from the import worker could not be decoded');
      worker.postMessage(request);
    });
  }
}
