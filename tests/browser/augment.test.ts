// The augmentation on WebGPU in real Chromium: the same draws give the
// CPU backend's result and torchvision's, and an augmented batch costs far
// less than a training step (measured and reported, never asserted).
import { afterAll, beforeAll, expect, test } from 'vitest';
import type * as AugmentPage from './augment.page';
import { openModules, type Session } from './harness';
import {
  countDiffs,
  decodeFloats,
  expected,
  mismatchesOffTies,
  toDraws,
} from '../reference/augment-compare';
import { drawStandard } from '../../src/train/augment';
import { createRng } from '../../src/lib/random';

let session: Session;
beforeAll(async () => {
  session = await openModules();
});
afterAll(async () => {
  await session?.close();
});

const POLICIES = ['ta_wide', 'ra', 'imagenet'] as const;

test('policies and the standard transform on WebGPU match the CPU backend and torchvision', async () => {
  const one = Array.from(decodeFloats(expected.images, 'uint8'));
  const cases: AugmentPage.Cases = {
    pixels: [...one, ...one, ...one, ...one],
    shape: [12, 16, 16, 3],
    policies: Object.fromEntries(
      POLICIES.map((p) => [p, toDraws(expected.policies[p]!.draws)]),
    ),
    standard: drawStandard(createRng(5), 12, 16, 16, true),
    size: 16,
  };
  const result = await session.page.evaluate(async (cases) => {
    const page = await window.importModule<typeof AugmentPage>(
      '/tests/browser/augment.page.ts',
    );
    return page.compareBackends(cases);
  }, cases);
  expect(result.gpuName).toBe('webgpu');
  expect(result.fault).toBeNull();
  expect(result.gpu.leaked).toBe(0);
  expect(result.cpu.leaked).toBe(0);
  const shape = { n: 12, height: 16, width: 16 };
  for (const p of POLICIES) {
    const perImage = expected.policies[p]!.draws.map((calls) =>
      calls.map(([op, magnitude]) => ({ op, magnitude })),
    );
    const torch = decodeFloats(expected.policies[p]!.out, 'uint8');
    // The GPU rounds half to even like torchvision; the CPU kernel rounds
    // half up; so only nearest-sampling ties may differ between them.
    for (const other of [result.cpu.out[p]!, torch]) {
      const { offTies } = mismatchesOffTies(
        result.gpu.out[p]!,
        other,
        perImage,
        shape,
      );
      expect(offTies, p).toBe(0);
    }
  }
  // Crop, flip, jitter and lighting: GPU float division and fused
  // multiply-adds may move a truncated blend by one, rarely.
  const d = countDiffs(
    result.gpu.out.standard!,
    result.cpu.out.standard!,
    1e-3,
  );
  console.log('standard transform, WebGPU vs CPU:', d);
  expect(d.max).toBeLessThanOrEqual(1.001);
  expect(d.count).toBeLessThanOrEqual(d.length * 0.01);
});

test('an augmented batch costs far less than a training step on WebGPU (reported)', async () => {
  const timing = await session.page.evaluate(async () => {
    const page = await window.importModule<typeof AugmentPage>(
      '/tests/browser/augment.page.ts',
    );
    return page.timeOnWebGpu({ batchSize: 8, imageSize: 32, width: 0.125 });
  });
  expect(timing.backend).toBe('webgpu');
  expect(timing.fault).toBeNull();
  console.log(
    `WebGPU, batch 8: ResNet-50 (width 1/8) step at 32 px ` +
      `${timing.stepSeconds.toFixed(3)} s; crop+flip+TrivialAugmentWide ` +
      `at 32 px ${timing.augmentSeconds.toFixed(4)} s ` +
      `(ratio ${(timing.augmentSeconds / timing.stepSeconds).toFixed(4)}); ` +
      `at 224 px ${timing.augment224Seconds.toFixed(4)} s`,
  );
  expect(timing.stepSeconds).toBeGreaterThan(0);
  expect(timing.augmentSeconds).toBeGreaterThan(0);
});
