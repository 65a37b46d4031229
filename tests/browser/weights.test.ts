// Weight files between the lab and torchvision, on real WebGPU: files that
// torchvision wrote (ResNet-18/34/50, MobileNetV3-Large) load into the lab
// and give torchvision's logits, and a model the lab trained, exported as
// safetensors, loads into torchvision's own network (strict) and gives the
// lab's logits. The torchvision files (243 MB) are made on first run by
// tests/reference/make_weights_expected.py into a git-ignored folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ModelName } from '../../src/recipe/recipe';
import { openModules, pageModuleCaller, type Session } from './harness';
import type * as WeightsPage from './weights.page';
import {
  CACHE_URL,
  expectLogitsClose,
  python,
  REFERENCE_MODELS,
  referenceFiles,
  type Expected,
} from './weights-reference';

const inPage = pageModuleCaller<typeof WeightsPage>(
  '/tests/browser/weights.page.ts',
);

let session: Session;
let expected: Expected;
beforeAll(async () => {
  expected = referenceFiles();
  session = await openModules();
});
afterAll(async () => {
  await session?.close();
});

const config = <N extends ModelName>(name: N, inChannels = 3) => ({
  name,
  numClasses: 10,
  inChannels,
  widthMultiplier: 1,
});

test.each(REFERENCE_MODELS)(
  "torchvision's %s loads and gives its logits on WebGPU",
  async (name) => {
    const want = expected.models[name];
    const result = await inPage(
      session.page,
      'loadAndRun',
      `${CACHE_URL}/${want.file}`,
      config(name),
      expected.input,
      expected.inputShape,
    );
    expect(result.gpuError).toBeNull();
    expect(result.backend).toBe('webgpu');
    expect(result.report.headReplaced).toBeNull();
    expect(result.report.numIgnored).toBe(want.numBatchCounters);
    expectLogitsClose(result.logits, want.logits);
  },
);

test('a gray image through the summed stem gives RGB logits of it repeated', async () => {
  const want = expected.models.resnet18;
  const [n, h, w] = expected.inputShape;
  const result = await inPage(
    session.page,
    'loadAndRun',
    `${CACHE_URL}/${want.file}`,
    config('resnet18', 1),
    expected.grayInput,
    [n, h, w, 1],
  );
  expect(result.report.inputConvSummed).toEqual({
    fileChannels: 3,
    inChannels: 1,
  });
  expectLogitsClose(result.logits, want.grayLogits);
});

test.each(['resnet18', 'mobilenet_v3_large'] as const)(
  'a %s trained in the lab, exported, loads strictly into torchvision',
  async (name) => {
    const result = await inPage(
      session.page,
      'trainAndExport',
      `${CACHE_URL}/${expected.models[name].file}`,
      config(name),
      1,
      expected.input,
      expected.inputShape,
    );
    expect(result.gpuError).toBeNull();
    expect(result.logits.every(Number.isFinite)).toBe(true);
    expect(result.stemChange).toBeGreaterThan(1e-4);
    const dir = mkdtempSync(join(tmpdir(), 'lab-weights-'));
    try {
      const file = join(dir, 'exported.safetensors');
      writeFileSync(file, Buffer.from(result.file, 'base64'));
      const inputs = join(dir, 'inputs.json');
      writeFileSync(
        inputs,
        JSON.stringify({
          input: expected.input,
          inputShape: expected.inputShape,
        }),
      );
      const out = python([
        'check_exported_weights.py',
        file,
        name,
        '10',
        inputs,
      ]);
      const torch = JSON.parse(out) as { logits: number[] };
      expectLogitsClose(result.logits, torch.logits);
      // The steps changed what the model computes.
      const before = expected.models[name].logits;
      expect(
        Math.max(...torch.logits.map((v, i) => Math.abs(v - before[i]!))),
      ).toBeGreaterThan(1e-3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test.each(['resnet18', 'resnet50'] as const)(
  "the tfjs layers format of a %s gives the lab's logits",
  async (name) => {
    const [n] = expected.inputShape;
    const size = 32;
    const input = expected.input.slice(0, n * size * size * 3);
    const result = await inPage(
      session.page,
      'layersRoundTrip',
      { ...config(name), widthMultiplier: 0.125 },
      input,
      [n, size, size, 3],
    );
    expect(result.files).toEqual(['model.json', 'weights.bin']);
    expectLogitsClose(result.layers, result.lab);
  },
);
