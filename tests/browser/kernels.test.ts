// The lab's own WebGPU kernels (batch norm, SGD, direct convolution and
// its filter gradient) in real Chromium against PyTorch's outputs, the
// same cases the Node tests run on the CPU backend.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Expected } from '../reference/check-cases';
import type * as KernelPage from './kernel-page';
import { compareAll, expected } from '../reference/compare';
import { openModules, type Session } from './harness';

let session: Session;
beforeAll(async () => {
  session = await openModules();
});
afterAll(async () => {
  await session?.close();
});

test('lab kernels on WebGPU match PyTorch', async () => {
  const result = await session.page.evaluate(async (expected) => {
    const page = await window.importModule<typeof KernelPage>(
      '/tests/browser/kernel-page.ts',
    );
    return page.runOnWebGpu(expected as Expected);
  }, expected);
  expect(result.gpuErrors).toEqual([]);
  expect(result.backend).toBe('webgpu');
  expect(result.hasLab).toBe(true);
  expect(result.used).toEqual(
    expect.arrayContaining([
      'LabBatchStats',
      'LabBatchNormApply',
      'LabBatchNormGradSums',
      'LabBatchNormGrad',
      'LabSgdBuffer',
      'LabSgdWeight',
      'Conv2D',
      'Conv2DBackpropFilter',
    ]),
  );
  compareAll(result.computed);
});
