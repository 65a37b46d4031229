// The app's side of the training Worker: owns the Worker, sends typed
// requests, and hands typed events to listeners. A crash inside the Worker
// (an uncaught error, a message that cannot be decoded) becomes an 'error'
// event with a code, never a silent stall. A run holds the trainer lock
// (trainer-lock.ts) from before its Worker starts until it ends, so two
// tabs of the lab never train on one GPU at once.
import type {
  BenchOptions,
  BenchReport,
  EvalResult,
  EvalSource,
  TrainerEvent,
  TrainerRequest,
  TrainReport,
} from './protocol';
import type { Recipe } from '../recipe/recipe';
import { takeTrainerLock } from './trainer-lock';

export type TrainerListener = (event: TrainerEvent) => void;

export class TrainerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrainerError';
  }
}

export class TrainerClient {
  private worker: Worker | null = null;
  /** Set from the request until the run ends, lock wait included. */
  private running = false;
  /** Ends the run under way when the Worker is terminated. */
  private abort: ((error: TrainerError) => void) | null = null;
  private readonly listeners = new Set<TrainerListener>();

  /** Adds a listener for every event; returns a function that removes it. */
  subscribe(listener: TrainerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Trains a recipe on a stored dataset; resolves with the final report. */
  train(dataset: string, recipe: Recipe, runId: string): Promise<TrainReport> {
    return this.run<TrainReport>(
      { type: 'train', runId, dataset, recipe },
      'done',
    );
  }

  /** Continues a run from its stored checkpoint, at the next epoch. */
  resumeRun(runId: string): Promise<TrainReport> {
    return this.run<TrainReport>({ type: 'resume-run', runId }, 'done');
  }

  bench(options: BenchOptions): Promise<BenchReport> {
    return this.run<BenchReport>({ type: 'bench', options }, 'bench-done');
  }

  /** Predicts the validation set with a run's final or checkpoint weights. */
  evaluate(runId: string, source: EvalSource): Promise<EvalResult> {
    return this.run<EvalResult>(
      { type: 'evaluate', runId, source },
      'eval-done',
    );
  }

  pause(): void {
    this.post({ type: 'pause' });
  }

  resume(): void {
    this.post({ type: 'resume' });
  }

  stop(): void {
    this.post({ type: 'stop' });
  }

  /** Ends the Worker at once, releasing its GPU device. */
  terminate(): void {
    this.abort?.(new TrainerError('internal', 'the worker was terminated'));
  }

  get isBusy(): boolean {
    return this.running;
  }

  private async run<R>(
    request: TrainerRequest,
    doneType: 'done' | 'bench-done' | 'eval-done',
  ): Promise<R> {
    if (this.running) {
      throw new TrainerError('busy', 'a run is already in progress');
    }
    this.running = true;
    try {
      // An evaluation reads stored weights beside whatever trains: only
      // runs and benchmarks claim the tabs' one trainer.
      if (doneType === 'eval-done') {
        return await this.runWorker<R>(request, doneType);
      }
      const release = await takeTrainerLock();
      if (!release) {
        throw new TrainerError(
          'busy',
          'expected no run in another tab of the lab, but one is ' +
            'training there; this tab can train once it ends',
        );
      }
      try {
        return await this.runWorker<R>(request, doneType);
      } finally {
        release();
      }
    } finally {
      this.running = false;
    }
  }

  private runWorker<R>(
    request: TrainerRequest,
    doneType: 'done' | 'bench-done' | 'eval-done',
  ): Promise<R> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), {
      type: 'module',
    });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      const finish = () => {
        worker.terminate();
        this.worker = null;
        this.abort = null;
      };
      this.abort = (error) => {
        finish();
        reject(error);
      };
      worker.onmessage = (message: MessageEvent<TrainerEvent>) => {
        const event = message.data;
        this.emit(event);
        if (event.type === doneType) {
          finish();
          resolve(('result' in event ? event.result : event.report) as R);
        } else if (event.type === 'error') {
          finish();
          reject(new TrainerError(event.error.code, event.error.message));
        }
      };
      worker.onerror = (e) => {
        e.preventDefault();
        const error = {
          code: 'internal' as const,
          message: `training worker crashed: ${e.message || 'unknown error'}`,
        };
        this.emit({ type: 'error', error });
        finish();
        reject(new TrainerError(error.code, error.message));
      };
      worker.onmessageerror = () => {
        const error = {
          code: 'internal' as const,
          message: 'a message from the training worker could not be decoded',
        };
        this.emit({ type: 'error', error });
        finish();
        reject(new TrainerError(error.code, error.message));
      };
      worker.postMessage(request);
    });
  }

  private post(request: TrainerRequest): void {
    this.worker?.postMessage(request);
  }

  private emit(event: TrainerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
