// One pass of training or evaluation over a stream of host batches. The
// only GPU readbacks are the loss, summed on the GPU and read every
// `printFreq` steps together with the training accuracy counts, and the
// validation accuracy counts, read once per evaluation. A
// fence per step (waiting for the GPU to finish the step before last, which
// reads nothing back) bounds the work queued ahead and lets control
// messages in between steps.
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/schema';
import type { Backend } from './backend';
import type { ErrorCode } from './protocol';
import {
  countedTrainStep,
  evalBatch,
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
  /**
   * Training top-1 and top-5 accuracy of the pass, as fractions: the
   * logits each step trained on against the batch's targets (the class of
   * the largest weight for mixed targets), as torchvision's
   * train_one_epoch reports acc1 and acc5. NaN when no step ran.
   */
  top1: number;
  top5: number;
  seconds: number;
}

/** Accuracy is counted within the top 5 classes (fewer if fewer). */
const TOP_K = 5;

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
  let top1Sum: tf.Scalar = tf.scalar(0, 'int32');
  let top5Sum: tf.Scalar = tf.scalar(0, 'int32');
  const hits = { top1: 0, top5: 0 };
  let windowSteps = 0;
  let windowStart = start;
  let windowImages = 0;
  let totalLoss = 0;
  let steps = 0;
  let images = 0;
  let fence: Promise<void> = Promise.resolve();

  // Loss reads are started, not awaited: the GPU answers when it reaches
  // them, and the loop keeps queueing steps meanwhile (the fence below
  // still bounds how far ahead it runs). Reads finish in order. Each read
  // also carries the pass's running hit counts, in the same buffer, so the
  // last read of the pass holds its accuracy and no read is added. They
  // travel as float32, exact up to 2^24 images a pass.
  let reads: Promise<void> = Promise.resolve();
  const readLoss = () => {
    const sum = lossSum;
    const n = windowSteps;
    const images = windowImages;
    const step = steps;
    const packed = tf.tidy(() =>
      tf.stack([sum, top1Sum.toFloat(), top5Sum.toFloat()]),
    );
    sum.dispose();
    lossSum = tf.scalar(0);
    windowSteps = 0;
    windowImages = 0;
    const pending = packed.data();
    reads = reads.then(async () => {
      const [value, top1, top5] = await pending;
      packed.dispose();
      totalLoss += value!;
      hits.top1 = top1!;
      hits.top5 = top5!;
      const now = performance.now();
      o.onLossRead?.({
        step,
        loss: value! / n,
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
      const out = countedTrainStep(o.trainee, x, targets, lr, TOP_K);
      tf.dispose([x, targets]);
      const next = {
        loss: lossSum.add(out.loss) as tf.Scalar,
        top1: top1Sum.add(out.hits.top1) as tf.Scalar,
        top5: top5Sum.add(out.hits.topK) as tf.Scalar,
      };
      const used = [lossSum, top1Sum, top5Sum, out.loss];
      tf.dispose([...used, out.hits.top1, out.hits.topK]);
      ({ loss: lossSum, top1: top1Sum, top5: top5Sum } = next);
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
    tf.dispose([lossSum, top1Sum, top5Sum]);
    // When the loop failed first, its error is the one to report.
    reads.catch(() => undefined);
  }
  return {
    steps,
    images,
    meanLoss: steps > 0 ? totalLoss / steps : NaN,
    top1: images > 0 ? hits.top1 / images : NaN,
    top5: images > 0 ? hits.top5 / images : NaN,
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
      const hits = evalBatch(model, x, labels, TOP_K);
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
