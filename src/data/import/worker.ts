// The import Worker's entry: one import or inspection at a time, cancelled
// by a 'cancel' message. Decoding, cropping and storing all happen here,
// off the page's main thread.
import { StorageError } from '../errors';
import { DB_NAME, openShardStore, type ShardStore } from '../shard-store';
import { decodeOnly } from './decode-only';
import { inspectImport, runImport, type PipelineDeps } from './pipeline';
import type { ImportEvent, ImportFailure, ImportRequest } from './protocol';
import { openPart, READERS } from './readers';
import { ImportError } from './types';

const stores = new Map<string, Promise<ShardStore>>();
let running: AbortController | null = null;

function post(event: ImportEvent): void {
  self.postMessage(event);
}

function failure(error: unknown): ImportFailure {
  if (error instanceof ImportError || error instanceof StorageError) {
    return { code: error.code, message: error.message };
  }
  const code = (error as { code?: unknown })?.code;
  return {
    code: typeof code === 'string' ? code : 'internal',
    message: error instanceof Error ? error.message : String(error),
  };
}

async function deps(dbName = DB_NAME): Promise<PipelineDeps> {
  if (!stores.has(dbName)) stores.set(dbName, openShardStore({ dbName }));
  const store = await stores.get(dbName)!.catch((error: unknown) => {
    stores.delete(dbName);
    throw error;
  });
  return { store, openPart, readers: READERS };
}

async function handle(request: ImportRequest): Promise<void> {
  if (request.type === 'cancel') {
    running?.abort();
    return;
  }
  if (running) {
    post({
      type: 'error',
      error: { code: 'busy', message: 'an import is already under way' },
    });
    return;
  }
  running = new AbortController();
  try {
    if (request.type === 'inspect') {
      const summary = await inspectImport(
        await deps(request.dbName),
        request.source,
        request.options,
      );
      post({ type: 'summary', summary });
    } else if (request.type === 'decode') {
      const report = await decodeOnly(
        await deps(request.dbName),
        request.source,
        request.options,
        (progress) => post({ type: 'progress', progress }),
        running.signal,
      );
      post({ type: 'decoded', report });
    } else {
      const report = await runImport(
        await deps(request.dbName),
        request.source,
        request.options,
        (progress) => post({ type: 'progress', progress }),
        running.signal,
      );
      post({ type: 'report', report });
    }
  } catch (error) {
    post({ type: 'error', error: failure(error) });
  } finally {
    running = null;
  }
}

self.onmessage = (message: MessageEvent<ImportRequest>) => {
  void handle(message.data);
};
