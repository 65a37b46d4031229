// The app's side of the export Worker: one Worker, started on the first
// export and kept for the next, requests matched to replies by id. A
// crash in the Worker fails every export waiting on it with code
// 'internal'.
import type { WeightFormatName } from '../weights/formats';
import type { ExportReply, ExportRequest } from './protocol';
import type { ExportErrorCode } from './run-export';

export class ExportFailure extends Error {
  override readonly name = 'ExportFailure';
  constructor(
    readonly code: ExportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ExportedFile {
  fileName: string;
  blob: Blob;
  notes: string[];
}

type Pending = {
  resolve: (file: ExportedFile) => void;
  reject: (error: ExportFailure) => void;
};

export class ExportClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** The run's weights in `format` with their model card, as a zip. */
  exportRun(
    runId: string,
    format: WeightFormatName,
    date = new Date(),
  ): Promise<ExportedFile> {
    const request: ExportRequest = {
      id: this.nextId++,
      runId,
      format,
      date: date.toISOString(),
    };
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.start().postMessage(request);
    });
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.failAll('the export worker was stopped');
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.onmessage = (message: MessageEvent<ExportReply>) => {
      const reply = message.data;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.type === 'done') waiting.resolve(reply);
      else {
        const { code, message: text } = reply.error;
        waiting.reject(new ExportFailure(code, text));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.worker?.terminate();
      this.worker = null;
      this.failAll(`export worker crashed: ${e.message || 'unknown error'}`);
    };
    worker.onmessageerror = () =>
      this.failAll('a message from the export worker could not be decoded');
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    for (const { reject } of this.pending.values()) {
      reject(new ExportFailure('internal', message));
    }
    this.pending.clear();
  }
}
