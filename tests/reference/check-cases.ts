// Runs the reference cases of foundation.json through the lab's code on
// whatever tfjs backend is active, and returns what the lab computed. The
// Node unit tests call it on the CPU backend; the browser tests call it in
// a page on WebGPU with the lab's kernels. Comparison happens in the tests.
import * as tf from '@tensorflow/tfjs';
import {
  batchNormTrain,
  runningStatsUpdate,
} from '../../src/train/ops/batch-norm';
import { Sgd } from '../../src/train/optim/sgd';

export interface Expected {
  batchNorm: {
    x: number[];
    shape: [number, number, number, number];
    gamma: number[];
    beta: number[];
    upstream: number[];
  };
  sgd: {
    nesterov: boolean;
    weightDecay: number;
    lr: number;
    momentum: number;
    w0: number[];
    grads: number[][];
  }[];
  conv: {
    stride: number;
    pad: number;
    x: number[];
    xShape: [number, number, number, number];
    w: number[];
    wShape: [number, number, number, number];
    upstream: number[];
    yShape: [number, number, number, number];
  }[];
  maxPool: { x: number[]; xShape: [number, number, number, number] };
  crossEntropy: { logits: number[]; labels: number[] };
}

export interface Computed {
  batchNorm: {
    y: number[];
    dx: number[];
    dgamma: number[];
    dbeta: number[];
    runningMean: number[];
    runningVar: number[];
  };
  sgd: number[][][];
  conv: { y: number[]; dw: number[] }[];
  maxPool: number[];
  crossEntropy: number;
}

/** Reads and disposes a tensor (async: WebGPU has no synchronous read). */
async function values(t: tf.Tensor): Promise<number[]> {
  const data = Array.from(await t.data());
  t.dispose();
  return data;
}

async function read<K extends string>(
  tensors: Record<K, tf.Tensor>,
): Promise<Record<K, number[]>> {
  const out = {} as Record<K, number[]>;
  for (const key of Object.keys(tensors) as K[]) {
    out[key] = await values(tensors[key]);
  }
  return out;
}

function batchNormCase(
  c: Expected['batchNorm'],
): Promise<Computed['batchNorm']> {
  const tensors = tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.shape);
    const gamma = tf.tensor1d(c.gamma);
    const beta = tf.tensor1d(c.beta);
    const upstream = tf.tensor4d(c.upstream, c.shape);
    let stats: tf.Tensor2D | null = null;
    const sink = (s: tf.Tensor2D) => (stats = s);
    const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      batchNormTrain(
        xi as tf.Tensor4D,
        g as tf.Tensor1D,
        b as tf.Tensor1D,
        true,
        sink,
      )
        .mul(upstream)
        .sum();
    const y = batchNormTrain(x, gamma, beta, true, () => {});
    const [dx, dgamma, dbeta] = tf.grads(f)([x, gamma, beta]);
    const channels = c.shape[3];
    const count = x.size / channels;
    const [rm, rv] = runningStatsUpdate(
      tf.zeros([channels]),
      tf.ones([channels]),
      stats!,
      0.1,
      count,
    );
    return {
      y,
      dx: dx!,
      dgamma: dgamma!,
      dbeta: dbeta!,
      runningMean: rm,
      runningVar: rv,
    };
  });
  return read(tensors);
}

async function sgdCase(c: Expected['sgd'][number]): Promise<number[][]> {
  const w = tf.variable(tf.tensor1d(c.w0), true, `sgd-case-${Math.random()}`);
  const sgd = new Sgd([{ variables: [w], weightDecay: c.weightDecay }], {
    momentum: c.momentum,
    nesterov: c.nesterov,
    dampening: 0,
  });
  const after: number[][] = [];
  for (const g of c.grads) {
    const grad = tf.tensor1d(g);
    sgd.step({ [w.name]: grad }, c.lr);
    grad.dispose();
    after.push(Array.from(await w.data()));
  }
  sgd.dispose();
  w.dispose();
  return after;
}

function convCase(
  c: Expected['conv'][number],
): Promise<Computed['conv'][number]> {
  const tensors = tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.xShape);
    const w = tf.tensor4d(c.w, c.wShape);
    const upstream = tf.tensor4d(c.upstream, c.yShape);
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const dw = tf.grad((wi: tf.Tensor) =>
      tf
        .conv2d(x, wi as tf.Tensor4D, c.stride, c.pad)
        .mul(upstream)
        .sum(),
    )(w);
    return { y, dw };
  });
  return read(tensors);
}

export async function computeAll(expected: Expected): Promise<Computed> {
  const pool = expected.maxPool;
  const maxPool = await values(
    tf.tidy(() => tf.maxPool(tf.tensor4d(pool.x, pool.xShape), 3, 2, 1)),
  );
  const { logits, labels } = expected.crossEntropy;
  const n = labels.length;
  const k = logits.length / n;
  const loss = await values(
    tf.tidy(() =>
      tf.losses.softmaxCrossEntropy(
        tf.oneHot(tf.tensor1d(labels, 'int32'), k),
        tf.tensor2d(logits, [n, k]),
      ),
    ),
  );
  const sgd: number[][][] = [];
  for (const c of expected.sgd) sgd.push(await sgdCase(c));
  const conv: Computed['conv'] = [];
  for (const c of expected.conv) conv.push(await convCase(c));
  return {
    batchNorm: await batchNormCase(expected.batchNorm),
    sgd,
    conv,
    maxPool,
    crossEntropy: loss[0]!,
  };
}
