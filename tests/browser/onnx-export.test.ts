// The ONNX export against the lab itself: a ResNet-18 and a ResNet-50 with
// trained-like batch norms run eval-mode on WebGPU in Chromium, the same
// page exports them, and onnxruntime (in this Node process) runs the file
// on the same batch. Page-side code lives in onnx-export.page.ts.
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ResNetConfig } from '../../src/train/resnet';
import { openModules, pageModuleCaller, type Session } from './harness';
import type * as PageHelpers from './onnx-export.page';

const inPage = pageModuleCaller<typeof PageHelpers>(
  '/tests/browser/onnx-export.page.ts',
);

let session: Session;
beforeAll(async () => {
  session = await openModules();
});
afterAll(async () => {
  await session?.close();
});

// WebGPU's sums (the lab's direct convolutions on a software adapter) and
// onnxruntime's (im2col GEMMs on the CPU) run in different orders, and the
// folded weights are rounded once more; in float32 over some 50 layers that
// stays near 1e-6 of the largest logit. A kernel in the wrong layout, a
// lost bias or a padding off by one moves the logits by order one.
const TOLERANCE = 1e-4;

const CASES: [string, ResNetConfig][] = [
  [
    'ResNet-18 width 0.125',
    { name: 'resnet18', numClasses: 10, inChannels: 3, widthMultiplier: 0.125 },
  ],
  [
    'ResNet-50 width 0.125',
    { name: 'resnet50', numClasses: 10, inChannels: 3, widthMultiplier: 0.125 },
  ],
];

test.each(CASES)(
  '%s at 32 px: onnxruntime reproduces the logits of WebGPU',
  async (_, config) => {
    const batch = { n: 4, size: 32, seed: 7 };
    const out = await inPage(session.page, 'exportOnWebGpu', config, batch);
    expect(out.backend).toBe('webgpu');
    expect(out.kernels).toMatch(/^lab/);
    expect(out.gpuError).toBeNull();

    const bytes = Buffer.from(out.onnxBase64, 'base64');
    const onnx = await ort.InferenceSession.create(bytes);
    expect(onnx.inputNames).toEqual(['input']);
    expect(onnx.outputNames).toEqual(['logits']);
    const input = new ort.Tensor('float32', Float32Array.from(out.input), [
      batch.n,
      config.inChannels,
      batch.size,
      batch.size,
    ]);
    const { logits } = await onnx.run({ input });
    await onnx.release();

    expect(logits!.dims).toEqual([batch.n, config.numClasses]);
    const got = logits!.data as Float32Array;
    const scale = Math.max(...out.logits.map(Math.abs));
    const diff = Math.max(...out.logits.map((e, i) => Math.abs(got[i]! - e)));
    console.log(`${config.name}: max |diff| ${diff} of max |logit| ${scale}`);
    expect(diff / scale).toBeLessThan(TOLERANCE);
  },
);
