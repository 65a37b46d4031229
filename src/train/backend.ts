// Picks the tfjs backend for training: WebGPU, then WebGL, then the CPU,
// recording why each earlier one was passed over. On WebGPU the lab's own
// kernels are registered, and on software adapters the direct convolution
// kernels replace tfjs's tiled ones (see kernels/conv.ts). Device errors,
// which tfjs only logs (a tensor over maxStorageBufferBindingSize yields
// garbage, not an exception), are captured so the loop can fail loudly.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { installDirectConvKernels } from './kernels/conv';
import { registerLabKernels } from './kernels/register';
import type {
  BackendInfo,
  BackendName,
  ErrorCode,
  KernelSet,
} from './protocol';

/**
 * The tensor count, and the bytes of tensors on the GPU where the backend
 * reports them: WebGPU and WebGL add `numBytesInGPU` to tf.memory(), the
 * CPU backend does not.
 */
export function memoryInUse(): { numTensors: number; gpuBytes?: number } {
  const info: tf.MemoryInfo & { numBytesInGPU?: unknown } = tf.memory();
  const { numTensors, numBytesInGPU } = info;
  return typeof numBytesInGPU === 'number'
    ? { numTensors, gpuBytes: numBytesInGPU }
    : { numTensors };
}

export interface DeviceFault {
  code: ErrorCode;
  message: string;
}

export interface Backend {
  info: BackendInfo;
  /** The first device error since start, or null. */
  fault(): DeviceFault | null;
  /** Resolves when the GPU finished what was submitted so far. */
  fence(): Promise<void>;
}

/** Whether an adapter is a CPU implementation of WebGPU. */
export function isSoftwareAdapter(info: GPUAdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.description}`;
  return /swiftshader|llvmpipe|lavapipe|software/i.test(text);
}

function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown';
  const parts = [info.vendor, info.architecture, info.device, info.description]
    .map((p) => p?.trim())
    .filter((p): p is string => Boolean(p));
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unknown';
}

async function tryWebGpu(kernels: KernelSet): Promise<string | null> {
  if (typeof navigator === 'undefined' || !navigator.gpu) {
    return 'WebGPU is not available in this browser (navigator.gpu is missing)';
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return 'the browser offered no WebGPU adapter';
  if (kernels === 'lab') {
    registerLabKernels();
    if (isSoftwareAdapter(adapter.info)) installDirectConvKernels();
  }
  try {
    if (await tf.setBackend('webgpu')) return null;
    return 'tfjs could not initialise its WebGPU backend';
  } catch (e) {
    return `tfjs could not initialise its WebGPU backend: ${String(e)}`;
  }
}

async function trySimple(name: 'webgl' | 'cpu'): Promise<string | null> {
  try {
    if (await tf.setBackend(name)) return null;
    return `tfjs could not initialise its ${name} backend`;
  } catch (e) {
    return `tfjs could not initialise its ${name} backend: ${String(e)}`;
  }
}

/**
 * Initialises the best backend available. With `kernels` 'tfjs' the stock
 * kernels stay in place, to measure what the lab's own kernels change.
 */
export async function initBackend(
  kernels: KernelSet = 'lab',
): Promise<Backend> {
  const order: BackendName[] = ['webgpu', 'webgl', 'cpu'];
  const fallbackReasons: string[] = [];
  for (const name of order) {
    const reason =
      name === 'webgpu' ? await tryWebGpu(kernels) : await trySimple(name);
    if (reason === null) {
      await tf.ready();
      return makeBackend(name, fallbackReasons, kernels);
    }
    fallbackReasons.push(`${name}: ${reason}`);
  }
  throw new Error(`no tfjs backend could start: ${fallbackReasons.join('; ')}`);
}

function makeBackend(
  name: BackendName,
  fallbackReasons: string[],
  kernels: KernelSet,
): Backend {
  let fault: DeviceFault | null = null;
  const info: BackendInfo = {
    backend: name,
    adapter: name === 'cpu' ? 'cpu' : 'unknown',
    tfjsVersion: tf.version.tfjs,
    fallbackReasons,
    maxStorageBufferBindingSize: null,
    kernels: 'tfjs',
  };
  if (name !== 'webgpu') {
    return { info, fault: () => fault, fence: async () => {} };
  }
  const backend = tf.backend() as WebGPUBackend;
  const device = backend.device;
  const adapterInfo = device.adapterInfo;
  info.adapter = describeAdapter(adapterInfo);
  info.maxStorageBufferBindingSize = device.limits.maxStorageBufferBindingSize;
  info.kernels =
    kernels === 'tfjs'
      ? 'tfjs'
      : adapterInfo && isSoftwareAdapter(adapterInfo)
        ? 'lab (batch norm, SGD, direct convolution)'
        : 'lab (batch norm, SGD) + tfjs convolution';
  device.addEventListener('uncapturederror', (event) => {
    const message = (event as GPUUncapturedErrorEvent).error.message;
    fault ??= {
      code: /size|limit|exceed/i.test(message) ? 'device-limit' : 'backend',
      message: `the GPU reported an error: ${message}`,
    };
  });
  void device.lost.then((lost) => {
    fault ??= {
      code: 'device-lost',
      message: `the GPU device was lost (${lost.reason}): ${lost.message}`,
    };
  });
  return {
    info,
    fault: () => fault,
    fence: async () => {
      // tfjs batches dispatches into an open pass; close and submit it so
      // the fence covers everything recorded so far.
      const internal = backend as unknown as { commandEncoder: unknown };
      if (internal.commandEncoder) {
        backend.endComputePassEncoder();
        backend.submitQueue();
      }
      await device.queue.onSubmittedWorkDone();
    },
  };
}
