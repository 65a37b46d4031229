// Loaded into the module test page: runs the reference cases on WebGPU
// with the lab's kernels registered and the direct convolutions installed.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { installDirectConvKernels } from '../../src/train/kernels/conv';
import {
  hasLabKernels,
  registerLabKernels,
} from '../../src/train/kernels/register';
import {
  computeAll,
  type Computed,
  type Expected,
} from '../reference/check-cases';

export async function runOnWebGpu(expected: Expected): Promise<{
  gpuErrors: string[];
  backend: string;
  hasLab: boolean;
  computed: Computed;
  used: string[];
}> {
  registerLabKernels();
  installDirectConvKernels();
  await tf.setBackend('webgpu');
  // tfjs only logs GPU validation errors; collect them so the test fails.
  const gpuErrors: string[] = [];
  const { device } = tf.backend() as WebGPUBackend;
  device.addEventListener('uncapturederror', (e) =>
    gpuErrors.push((e as GPUUncapturedErrorEvent).error.message),
  );
  const profile = await tf.profile(async () => {
    await computeAll(expected);
  });
  const computed = await computeAll(expected);
  return {
    gpuErrors,
    backend: tf.getBackend(),
    hasLab: hasLabKernels(),
    computed,
    used: [...new Set(profile.kernels.map((k) => k.name))],
  };
}
