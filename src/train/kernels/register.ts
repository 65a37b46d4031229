// Registers the lab's own kernels with the tfjs WebGPU backend. The ops in
// batch-norm.ts and sgd.ts call them through `tf.engine().runKernel`, so
// they show up in tf.profile like stock kernels; on other backends those
// ops fall back to compositions of stock ops.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  BatchNormApplyProgram,
  BatchNormGradProgram,
  ChunkSumProgram,
  CHUNK_ROWS,
  PickRowProgram,
  RowPartialsProgram,
  RunningUpdateProgram,
} from './webgpu-programs';
import { SgdBufferProgram, SgdWeightProgram } from './sgd-programs';

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;

function uniforms(
  numThreads: number,
  rows: number,
  channels: number,
  ...floats: number[]
) {
  return [
    { type: 'int32', data: [numThreads] },
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [channels] },
    ...floats.map((f) => ({ type: 'float32', data: [f] })),
  ];
}

function rowsAndChannels(shape: number[]): [number, number] {
  const channels = shape[shape.length - 1]!;
  return [tf.util.sizeFromShape(shape) / channels, channels];
}

const KERNELS: Record<
  string,
  (inputs: Info[], attrs: Attrs, backend: WebGPUBackend) => Info
> = {
  LabBatchStats([x], _attrs, backend) {
    const [rows, channels] = rowsAndChannels(x!.shape);
    const numChunks = Math.ceil(rows / CHUNK_ROWS);
    const partials = backend.runWebGPUProgram(
      new RowPartialsProgram('stats', numChunks, channels),
      [x!],
      'float32',
      uniforms(numChunks * channels, rows, channels, 0),
    );
    const out = backend.runWebGPUProgram(
      new ChunkSumProgram('stats', numChunks, channels),
      [partials],
      'float32',
      uniforms(2 * channels, rows, channels, 0),
    );
    backend.disposeData(partials.dataId);
    return out;
  },

  LabBatchNormApply([x, stats, gamma, beta], attrs, backend) {
    const [rows, channels] = rowsAndChannels(x!.shape);
    const size = rows * channels;
    return backend.runWebGPUProgram(
      new BatchNormApplyProgram(attrs.relu as boolean, x!.shape, size),
      [x!, stats!, gamma!, beta!],
      'float32',
      uniforms(size, rows, channels, attrs.epsilon as number),
    );
  },

  LabBatchNormGradSums(inputs, attrs, backend) {
    const [x] = inputs;
    const [rows, channels] = rowsAndChannels(x!.shape);
    const numChunks = Math.ceil(rows / CHUNK_ROWS);
    const mode = attrs.relu ? 'grad-relu' : 'grad';
    const partials = backend.runWebGPUProgram(
      new RowPartialsProgram(mode, numChunks, channels),
      inputs,
      'float32',
      uniforms(numChunks * channels, rows, channels, attrs.epsilon as number),
    );
    const out = backend.runWebGPUProgram(
      new ChunkSumProgram('sum', numChunks, channels),
      [partials],
      'float32',
      uniforms(2 * channels, rows, channels, 0),
    );
    backend.disposeData(partials.dataId);
    return out;
  },

  LabBatchNormGrad(inputs, attrs, backend) {
    const [x] = inputs;
    const [rows, channels] = rowsAndChannels(x!.shape);
    const size = rows * channels;
    return backend.runWebGPUProgram(
      new BatchNormGradProgram(attrs.relu as boolean, x!.shape, size),
      inputs,
      'float32',
      uniforms(size, rows, channels, attrs.epsilon as number),
    );
  },

  LabPickRow([pair], attrs, backend) {
    const channels = pair!.shape[1]!;
    return backend.runWebGPUProgram(
      new PickRowProgram(channels),
      [pair!],
      'float32',
      uniforms(channels, 2, channels, attrs.row as number),
    );
  },

  LabRunningUpdate([running, stats], attrs, backend) {
    const channels = running!.shape[0]!;
    return backend.runWebGPUProgram(
      new RunningUpdateProgram(attrs.row as 0 | 1, channels),
      [running!, stats!],
      'float32',
      uniforms(
        channels,
        2,
        channels,
        attrs.momentum as number,
        attrs.scale as number,
      ),
    );
  },

  LabSgdBuffer([buffer, grad, weight], attrs, backend) {
    const size = tf.util.sizeFromShape(weight!.shape);
    return backend.runWebGPUProgram(
      new SgdBufferProgram(weight!.shape, size),
      [buffer!, grad!, weight!],
      'float32',
      uniforms(
        size,
        0,
        0,
        attrs.momentum as number,
        attrs.weightDecay as number,
        attrs.dampening as number,
      ),
    );
  },

  LabSgdWeight([weight, grad, buffer], attrs, backend) {
    const size = tf.util.sizeFromShape(weight!.shape);
    return backend.runWebGPUProgram(
      new SgdWeightProgram(attrs.nesterov as boolean, weight!.shape, size),
      attrs.nesterov ? [weight!, grad!, buffer!] : [weight!, buffer!],
      'float32',
      uniforms(
        size,
        0,
        0,
        attrs.lr as number,
        attrs.momentum as number,
        attrs.weightDecay as number,
      ),
    );
  },
};

export const LAB_KERNEL_NAMES = Object.keys(KERNELS);

let registered = false;

/** Registers the lab's WebGPU kernels once; safe to call again. */
export function registerLabKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, run] of Object.entries(KERNELS)) {
    tf.registerKernel({
      kernelName,
      backendName: 'webgpu',
      kernelFunc: ({ inputs, attrs, backend }) =>
        run(
          Object.values(inputs) as Info[],
          attrs as Attrs,
          backend as WebGPUBackend,
        ),
    });
  }
}

/** Runs one of the lab's kernels; inputs keep the order the kernel lists. */
export function runLabKernel(
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: Attrs = {},
): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor;
}

/** Whether the active backend runs the lab's kernels. */
export function hasLabKernels(): boolean {
  return registered && tf.getBackend() === 'webgpu';
}
