// One pass of training or evaluation over a stream of host batches. The
// only GPU readbacks are the loss, summed on the GPU and read every
// `printFreq` steps, and the accuracy counts, read once per evaluation. A
// fence per step (waiting for the GPU to finish the step before last, which
// reads nothing back) bounds the work queued ahead and lets control
// messages in between steps.
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/schema';
import type { Backend } from './backend';
import type { ErrorCode } from './protocol';
import {
  evalBatch,
  trainStep,
  uploadBatch,
  type StoredImages,
  type Trainee,
} from './step';
import type { TrainBatch } from './train-batch';

export class RunError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}

/** Pause and stop requests, checked between steps. */
export class RunControl {
  private paused: { promise: Promise<void>; resolve: () => void } | null = null;
  stopRequested = false;

  pause(): void {
    if (this.paused) return;
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.paused = { promise, resolve };
  }

  resume(): void {
    this.paused?.resolve();
    this.paused = null;
  }

  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  get isPaused(): boolean {
    return this.paused !== null;
  }

  async waitWhilePaused(): Promise<void> {
    while (this.paused) await this.paused.promise;
  }
}

export interface StepReport {
  step: number;
  /** Mean loss over the steps since the previous read. */
  loss: number;
  imagesPerSecond: number;
}

export interface TrainPassOptions {
  trainee: Trainee;
  backend: Backend;
  control: RunControl;
  stored: StoredImages;
  imageSize: number;
  lr: number;
  /** The LR of the step `stepInEpoch` (from 0); `lr` throughout if absent. */
  lrAt?: (stepInEpoch: number) => number;
  /** Uploads and augments a batch; the plain upload if absent. */
  prepare?: (batch: HostBatch) => TrainBatch;
  /** Steps between loss reads. */
  printFreq: number;
  /** Stop after this many steps (benchmarks); all batches if absent. */
  maxSteps?: number;
  onLossRead?: (report: StepReport) => void;
  /** Called after every step with the number of steps done; awaited. */
  onStep?: (step: number) => void | Promise<void>;
}

export interface TrainPassResult {
  steps: number;
  images: number;
  meanLoss: number;
  seconds: number;
}

function checkFault(backend: Backend): void {
  const fault = backend.fault();
  if (fault) throw new RunError(fault.code, fault.message);
}

function plainBatch(batch: HostBatch, o: TrainPassOptions): TrainBatch {
  const { x, labels } = uploadBatch(batch, o.stored, o.imageSize);
  return { x, targets: labels };
}

/** Trains on every batch of `batches` (or the first maxSteps). */
export async function trainPass(
  batches: AsyncIterable<HostBatch>,
  o: TrainPassOptions,
): Promise<TrainPassResult> {
  const start = performance.now();
  let lossSum: tf.Scalar = tf.scalar(0);
  let windowSteps = 0;
  let windowStart = start;
  let windowImages = 0;
  let totalLoss = 0;
  let steps = 0;
  let images = 0;
  let fence: Promise<void> = Promise.resolve();

  // Loss reads are started, not awaited: the GPU answers when it reaches
  // them, and the loop keeps queueing steps meanwhile (the fence below
  // still bounds how far ahead it runs). Reads finish in order.
  let reads: Promise<void> = Promise.resolve();
  const readLoss = () => {
    const sum = lossSum;
    const n = windowSteps;
    const images = windowImages;
    const step = steps;
    lossSum = tf.scalar(0);
    windowSteps = 0;
    windowImages = 0;
    const pending = sum.data();
    reads = reads.then(async () => {
      const value = (await pending)[0]!;
      sum.dispose();
      totalLoss += value;
      const now = performance.now();
      o.onLossRead?.({
        step,
        loss: value / n,
        imagesPerSecond: (images * 1000) / Math.max(1, now - windowStart),
      });
      windowStart = now;
    });
  };

  try {
    for await (const batch of batches) {
      await o.control.waitWhilePaused();
      if (o.control.stopRequested) break;
      const { x, targets } = o.prepare
        ? o.prepare(batch)
        : plainBatch(batch, o);
      const lr = o.lrAt ? o.lrAt(steps) : o.lr;
      const loss = trainStep(o.trainee, x, targets, lr);
      tf.dispose([x, targets]);
      const sum = lossSum.add(loss) as tf.Scalar;
      tf.dispose([lossSum, loss]);
      lossSum = sum;
      steps++;
      windowSteps++;
      images += batch.size;
      windowImages += batch.size;
      await o.onStep?.(steps);
      if (windowSteps >= o.printFreq) readLoss();
      await fence;
      fence = o.backend.fence();
      checkFault(o.backend);
      if (o.maxSteps !== undefined && steps >= o.maxSteps) break;
    }
    if (windowSteps > 0) readLoss();
    await reads;
    checkFault(o.backend);
  } finally {
    lossSum.dispose();
    // When the loop failed first, its error is the one to report.
    reads.catch(() => undefined);
  }
  return {
    steps,
    images,
    meanLoss: steps > 0 ? totalLoss / steps : NaN,
    seconds: (performance.now() - start) / 1000,
  };
}

export type EvalPassOptions = Pick<
  TrainPassOptions,
  'trainee' | 'backend' | 'stored' | 'imageSize'
> & {
  /** Uploads a validation batch; the plain upload if absent. */
  prepareEval?: (batch: HostBatch) => { x: tf.Tensor4D; labels: tf.Tensor1D };
};

/** Top-1 and top-5 accuracy over every batch, as fractions. */
export async function evaluatePass(
  batches: AsyncIterable<HostBatch>,
  o: EvalPassOptions,
  model = o.trainee.model,
): Promise<{ top1: number; top5: number; images: number }> {
  let top1: tf.Scalar = tf.scalar(0, 'int32');
  let top5: tf.Scalar = tf.scalar(0, 'int32');
  let images = 0;
  let fence: Promise<void> = Promise.resolve();
  try {
    for await (const batch of batches) {
      await fence;
      fence = o.backend.fence();
      const { x, labels } = o.prepareEval
        ? o.prepareEval(batch)
        : uploadBatch(batch, o.stored, o.imageSize);
      const hits = evalBatch(model, x, labels, 5);
      const next1 = top1.add(hits.top1) as tf.Scalar;
      const next5 = top5.add(hits.topK) as tf.Scalar;
      tf.dispose([x, labels, hits.top1, hits.topK, top1, top5]);
      top1 = next1;
      top5 = next5;
      images += batch.size;
    }
    const [c1, c5] = await Promise.all([top1.data(), top5.data()]);
    checkFault(o.backend);
    const n = Math.max(1, images);
    return { top1: c1[0]! / n, top5: c5[0]! / n, images };
  } finally {
    tf.dispose([top1, top5]);
  }
}
