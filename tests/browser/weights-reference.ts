// torchvision's side of the weights tests: the reference files that
// tests/reference/make_weights_expected.py writes on first use into a
// git-ignored folder (243 MB of weights), the scripts run with
// Debian's python, and the tolerance logits are held to.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

const PYTHON = '/usr/bin/python3';
const REFERENCE = resolve(import.meta.dirname, '../reference');
export const CACHE = join(REFERENCE, 'weights-cache');
/** The same folder as the module test page's dev server serves it. */
export const CACHE_URL = '/tests/reference/weights-cache';

/** The networks the script writes, each with its logits. */
export const REFERENCE_MODELS = [
  'resnet18',
  'resnet34',
  'resnet50',
  'mobilenet_v3_large',
] as const;

export interface Expected {
  inputShape: [number, number, number, number];
  input: number[];
  grayInput: number[];
  models: Record<
    (typeof REFERENCE_MODELS)[number],
    {
      file: string;
      numClasses: number;
      /** num_batches_tracked entries: the loader ignores and counts them. */
      numBatchCounters: number;
      logits: number[];
      grayLogits: number[];
    }
  >;
}

/** Runs a script of tests/reference; its stdout. */
export function python(args: string[]): string {
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', cwd: REFERENCE });
  if (run.status !== 0) {
    throw new Error(`${PYTHON} ${args.join(' ')} failed:\n${run.stderr}`);
  }
  return run.stdout;
}

const read = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as Expected;

/** The reference files, written first if missing or older than the list. */
export function referenceFiles(): Expected {
  const path = join(CACHE, 'expected.json');
  const complete = () =>
    existsSync(path) &&
    REFERENCE_MODELS.every((m) => read(path).models[m]?.numBatchCounters);
  if (!complete()) python(['make_weights_expected.py', CACHE]);
  return read(path);
}

/**
 * Absolute, as a fraction of the largest logit. The same float32 maths
 * summed in another order (the lab's WebGPU kernels against torch on the
 * CPU) differed here by at most 1.5e-6 of it through ResNet-50's 53
 * layers; 2e-5 leaves room for other adapters' orders, while a wrong
 * layout or a missed statistic moves logits by tens of percent.
 */
export const TOLERANCE = 2e-5;

export function expectLogitsClose(got: number[], want: number[]) {
  expect(got.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
  expect(worst).toBeLessThan(TOLERANCE * scale);
}
