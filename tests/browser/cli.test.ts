// Runs the lab CLI as a user does, `npm run lab -- ...`, in a child
// process, against the built app in headless Chromium.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ImportReport } from '../../src/data/import/types';
import type { TrainReport } from '../../src/train/protocol';
import { lab } from './cli-run';
import { BROKEN_IMAGE, writeCarsFolder } from './fixture-folder';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('an unknown flag exits 2 and names the flag', async () => {
  const result = await lab(['train', '--epoch', '2'], 60_000);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('unknown flag --epoch for train');
  expect(result.stderr).toContain('did you mean --epochs?');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('an unknown model exits 2 and lists the models', async () => {
  const result = await lab(['bench', '--model', 'resnet101'], 60_000);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    '--model: expected one of resnet18, resnet34, resnet50, ' +
      'mobilenet_v3_large, got "resnet101"',
  );
});

test('train on the demo set writes a WebGPU report', async () => {
  const out = join(dir, 'out.json');
  const result = await lab(
    [
      'train',
      '--data',
      'demo',
      '--limit',
      '64',
      '--epochs',
      '1',
      '--width',
      '0.125',
      '--image-size',
      '28',
      '--batch-size',
      '16',
      '--json',
      out,
    ],
    540_000,
  );
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^backend webgpu \| /m);
  expect(result.stdout).toMatch(/^epoch 1\/1 {2}loss \d/m);
  expect(result.stdout).toMatch(/^done: best val top-1 /m);

  const report = JSON.parse(await readFile(out, 'utf8')) as TrainReport;
  expect(report.backend).toBe('webgpu');
  expect(report.dataset).toBe('fashion-mnist-demo');
  expect(report.recipe).toMatchObject({ limit: 64, epochs: 1, width: 0.125 });
  expect(report.epochs).toHaveLength(1);
  expect(report.wallSeconds).toBeGreaterThan(0);
}, 600_000);

test('train --kill-after-epoch exits 3 after the checkpoint; --resume finishes the run', async () => {
  const profile = join(dir, 'resume-profile');
  const tiny = [
    '--limit',
    '160',
    '--epochs',
    '2',
    '--width',
    '0.125',
    '--image-size',
    '28',
    '--batch-size',
    '16',
    '--lr',
    '0.01',
  ];
  const killed = await lab(
    ['train', ...tiny, '--kill-after-epoch', '1', '--profile', profile],
    540_000,
  );
  expect(killed.stderr).toMatch(
    /closed the page after epoch 1 of 2 was checkpointed, as --kill-after-epoch asked; run (run-\S+) can be resumed; continue it with:/,
  );
  expect(killed.code).toBe(3);
  const runId = /run (run-\S+) can be resumed/.exec(killed.stderr)![1]!;
  expect(killed.stderr).toContain(
    `npm run lab -- train --resume ${runId} --profile ${profile}`,
  );
  expect(killed.stdout).toMatch(
    new RegExp(`checkpoint: run ${runId} after epoch 1/2, [\\d.]+ MiB`),
  );
  expect(killed.stdout).not.toMatch(/^epoch 2\/2/m);

  const json = join(dir, 'resumed.json');
  const resumed = await lab(
    ['train', '--resume', 'last', '--profile', profile, '--json', json],
    540_000,
  );
  expect(resumed.stderr).not.toMatch(/lab: .*failed/);
  expect(resumed.code).toBe(0);
  expect(resumed.stdout).toContain(`resuming run ${runId} (resnet18 on `);
  const report = JSON.parse(await readFile(json, 'utf8')) as TrainReport;
  expect(report.runId).toBe(runId);
  expect(report.epochs.map((e) => e.epoch)).toEqual([1, 2]);

  // Nothing is left to resume once the run finished.
  const again = await lab(
    ['train', '--resume', 'last', '--profile', profile],
    300_000,
  );
  expect(again.code).toBe(1);
  expect(again.stderr).toContain(
    'expected a stopped run to resume (last), found none',
  );
});

test('import with a bad value or no source exits 2 and says what is allowed', async () => {
  const bad = await lab(['import', dir, '--fit', 'stretch'], 60_000);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(
    '--fit: expected one of squash, keep-aspect, got "stretch"',
  );
  const missing = await lab(['import', join(dir, 'nothing-here')], 60_000);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(
    /expected a folder, a \.zip, .* found nothing/,
  );
});

test('import of a devkit folder prints the plan and progress and writes the report', async () => {
  // 24 images: 21 train (one of them text, not a JPEG), 3 test, 4 classes.
  const folder = await writeCarsFolder(dir, 24);
  const out = join(dir, 'import.json');
  const result = await lab(
    [
      'import',
      folder,
      '--name',
      'cars-cli',
      '--image-size',
      '32',
      '--json',
      out,
    ],
    300_000,
  );
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^recognised cars-devkit: Stanford Cars/m);
  expect(result.stdout).toMatch(/^ {2}4 classes; planned 21 train \/ 3 val/m);
  expect(result.stdout).toMatch(/^import 24\/24 images \(100\.0%\)/m);
  expect(result.stdout).toMatch(
    /^imported "cars-cli": 20 train \/ 3 val images of 4 classes/m,
  );

  const report = JSON.parse(await readFile(out, 'utf8')) as ImportReport;
  expect(report).toMatchObject({
    dataset: 'cars-cli',
    layout: 'cars-devkit',
    imported: { train: 20, val: 3 },
    classes: 4,
    complete: true,
    storedBytes: 23 * (32 * 32 * 3 + 4),
  });
  expect(report.skipped).toEqual([
    {
      file: `synthetic-cars-24/${BROKEN_IMAGE}`,
      reason: expect.stringMatching(/^not an image/),
    },
  ]);
}, 300_000);
