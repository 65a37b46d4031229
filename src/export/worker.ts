// The export Worker's entry: builds each requested download off the main
// thread (reading megabytes from IndexedDB, re-laying out every tensor,
// zipping) and posts the zip back as a Blob.
import { StorageError } from '../data/errors';
import type { ExportReply, ExportRequest } from './protocol';
import { ExportError } from './run-export';
import { exportStoredRun } from './stored-run';

function errorOf(
  error: unknown,
): Extract<ExportReply, { type: 'error' }>['error'] {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ExportError) return { code: error.code, message };
  if (error instanceof StorageError) return { code: 'storage', message };
  return { code: 'internal', message };
}

self.onmessage = async (event: MessageEvent<ExportRequest>) => {
  const { id, runId, format, date } = event.data;
  let reply: ExportReply;
  try {
    const built = await exportStoredRun(runId, format, new Date(date));
    const blob = new Blob(built.parts as Uint8Array<ArrayBuffer>[], {
      type: 'application/zip',
    });
    reply = {
      type: 'done',
      id,
      fileName: built.fileName,
      blob,
      notes: built.notes,
    };
  } catch (error) {
    reply = { type: 'error', id, error: errorOf(error) };
  }
  self.postMessage(reply);
};
