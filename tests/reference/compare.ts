// Assertions shared by the Node and browser reference tests.
import { expect } from 'vitest';
import type { Computed } from './check-cases';
import expectedJson from './foundation.json';

export const expected = expectedJson as unknown as typeof expectedJson &
  import('./check-cases').Expected;

/** Largest absolute difference, after checking lengths agree. */
export function maxAbsDiff(actual: number[], wanted: number[]): number {
  expect(actual.length).toBe(wanted.length);
  return actual.reduce((m, v, i) => Math.max(m, Math.abs(v - wanted[i]!)), 0);
}

/**
 * float32 sums in another order: absolute tolerance scaled to the values'
 * magnitude. Reference values are rounded to 7 decimals when written.
 */
export function expectClose(actual: number[], wanted: number[], tol = 1e-4) {
  const scale = Math.max(1, ...wanted.map(Math.abs));
  expect(maxAbsDiff(actual, wanted)).toBeLessThan(tol * scale);
}

export function compareAll(computed: Computed): void {
  const bn = expected.batchNorm;
  expectClose(computed.batchNorm.y, bn.y);
  expectClose(computed.batchNorm.dx, bn.dx);
  expectClose(computed.batchNorm.dgamma, bn.dgamma);
  expectClose(computed.batchNorm.dbeta, bn.dbeta);
  expectClose(computed.batchNorm.runningMean, bn.runningMean);
  expectClose(computed.batchNorm.runningVar, bn.runningVar);
  expected.sgd.forEach((c, i) => {
    c.after.forEach((w, step) => expectClose(computed.sgd[i]![step]!, w, 1e-5));
  });
  expected.conv.forEach((c, i) => {
    expectClose(computed.conv[i]!.y, c.y);
    expectClose(computed.conv[i]!.dw, c.dw);
  });
  expectClose(computed.maxPool, expected.maxPool.y, 1e-6);
  expect(
    Math.abs(computed.crossEntropy - expected.crossEntropy.loss),
  ).toBeLessThan(1e-5);
}
