import { afterAll, beforeAll, expect, test } from 'vitest';
import type * as Random from '../../src/lib/random';
import { openModules, type Session } from './harness';

let session: Session;
beforeAll(async () => {
  session = await openModules();
});
afterAll(async () => {
  await session?.close();
});

test('the test browser exposes WebGPU with an adapter', async () => {
  const adapter = await session.page.evaluate(async () => {
    const gpu = navigator.gpu;
    if (!gpu) return null;
    const a = await gpu.requestAdapter();
    return a ? a.info.architecture || a.info.vendor || 'unknown' : null;
  });
  expect(adapter).not.toBeNull();
});

test('source modules import into the page', async () => {
  const draws = await session.page.evaluate(async () => {
    const m = await window.importModule<typeof Random>('/src/lib/random.ts');
    const rng = m.createRng(7);
    return [rng(), rng()];
  });
  expect(draws).toHaveLength(2);
  expect(draws[0]).not.toBe(draws[1]);
});
