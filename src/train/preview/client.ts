// The app's side of the preview Worker: owns it, sends one request at a
// time, and keeps only the newest of those asked for meanwhile (an older
// one is rejected as superseded). release() ends the Worker, and with it
// its GPU device, for a training run to have the GPU alone; the next draw
// starts a new one.
import { TrainerError } from '../client';
import type { AugmentPreview } from './preview';
import type { PreviewEvent, PreviewRequest } from './protocol';

export type PreviewArgs = Omit<PreviewRequest, 'type' | 'id'>;

/** Codes of a draw that was dropped rather than failed. */
export const DROPPED_CODES = ['superseded', 'released'] as const;

interface Pending {
  request: PreviewRequest;
  resolve(preview: AugmentPreview): void;
  reject(error: TrainerError): void;
}

export class PreviewClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private inFlight: Pending | null = null;
  private waiting: Pending | null = null;

  /** Draws a preview once the Worker is free; a newer call supersedes. */
  draw(args: PreviewArgs): Promise<AugmentPreview> {
    return new Promise((resolve, reject) => {
      const request = { type: 'preview' as const, id: this.nextId++, ...args };
      this.waiting?.reject(
        new TrainerError('superseded', 'a newer preview was asked for'),
      );
      this.waiting = { request, resolve, reject };
      this.pump();
    });
  }

  /** Ends the Worker; draws under way or waiting are rejected. */
  release(): void {
    this.worker?.terminate();
    this.worker = null;
    const dropped = [this.inFlight, this.waiting];
    this.inFlight = null;
    this.waiting = null;
    const error = new TrainerError('released', 'the preview was paused');
    for (const pending of dropped) pending?.reject(error);
  }

  private pump(): void {
    if (this.inFlight || !this.waiting) return;
    this.inFlight = this.waiting;
    this.waiting = null;
    this.ensureWorker().postMessage(this.inFlight.request);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.onmessage = (message: MessageEvent<PreviewEvent>) =>
      this.settle(message.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.crash(`the preview worker crashed: ${e.message || 'unknown error'}`);
    };
    worker.onmessageerror = () =>
      this.crash('a message from the preview worker could not be decoded');
    this.worker = worker;
    return worker;
  }

  private settle(event: PreviewEvent): void {
    const pending = this.inFlight;
    if (!pending || event.id !== pending.request.id) return;
    this.inFlight = null;
    if (event.type === 'preview-done') pending.resolve(event.preview);
    else
      pending.reject(new TrainerError(event.error.code, event.error.message));
    this.pump();
  }

  /** A broken Worker is ended; the next draw starts a new one. */
  private crash(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    const pending = this.inFlight;
    this.inFlight = null;
    pending?.reject(new TrainerError('internal', message));
    this.pump();
  }
}
