// MobileNetV3-Large as a tfjs Layers model, in Node on the CPU backend:
// the files saved as the export writes them, read back with
// tf.loadLayersModel (no custom layers registered), give the lab's own
// eval-mode logits, RGB and gray, at more than one image size.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createMobileNet,
  disposeMobileNet,
  forwardMobileNet,
  type MobileNetConfig,
  type MobileNetState,
} from '../../src/train/mobilenet';
import {
  exportTfjsLayers,
  type LayersFile,
} from '../../src/weights/tfjs-layers';
import {
  randomizeBatchNorm,
  settleBatchNorm,
} from '../../tools/fixtures/resnet-state';
import { randomImages, relativeError } from './logit-checks';

const models: MobileNetState[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  models.splice(0).forEach(disposeMobileNet);
});

function trainedLike(config: MobileNetConfig, seed: number) {
  const state = createMobileNet(config, seed);
  randomizeBatchNorm(state, seed);
  settleBatchNorm(state, seed);
  models.push(state);
  return state;
}

/** tf.loadLayersModel on the files, as a user's page reads them. */
async function load(files: LayersFile[]): Promise<tf.LayersModel> {
  const byName = new Map(files.map((f) => [f.name, f.bytes]));
  const json = JSON.parse(new TextDecoder().decode(byName.get('model.json')));
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
  const bin = byName.get(manifest[0]!.paths[0]!)!;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: manifest[0]!.weights,
      weightData: bin.buffer.slice(
        bin.byteOffset,
        bin.byteOffset + bin.byteLength,
      ),
    }),
  );
}

// The same tfjs CPU kernels on both sides; what differs is the gates'
// affine map (x / 6 + 1/2 through a batch-norm layer, rounded once, where
// the lab adds 3 and divides by 6), about 1e-7 relative at each gate:
// measured up to 3.6e-6 of the largest logit on these networks (batch
// norms settled on noise, as after training). Keras's hardSigmoid slope
// (0.2) in the gates moved the logits by 0.29 and 0.43, eps 1e-5 for 1e-3
// by 8.6e-2 and 0.42.
const TOLERANCE = 1e-4;

const SLOW = 60_000;

describe('MobileNetV3-Large as tfjs layers', { timeout: SLOW }, () => {
  test.each([
    ['width 0.25, RGB', 3, 0.25],
    ['width 0.5, gray', 1, 0.5],
  ])('%s: loadLayersModel gives the lab’s logits', async (_, channels, w) => {
    const config: MobileNetConfig = {
      name: 'mobilenet_v3_large',
      numClasses: 6,
      inChannels: channels,
      widthMultiplier: w,
    };
    const state = trainedLike(config, 7 + channels);
    const files = await exportTfjsLayers(state);
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
    const loaded = await load(files);
    for (const [n, size] of [
      [2, 32],
      [1, 56],
    ] as const) {
      const x = randomImages(n, size, channels, size);
      const want = tf.tidy(() => forwardMobileNet(state, x, null));
      const got = loaded.predict(x) as tf.Tensor;
      expect(got.shape).toEqual([n, 6]);
      const error = relativeError(
        (await got.data()) as Float32Array,
        (await want.data()) as Float32Array,
      );
      console.info(`${w}x ${channels}-channel ${size} px: ${error}`);
      expect(error).toBeLessThan(TOLERANCE);
      tf.dispose([x, want, got]);
    }
    loaded.dispose();
  });
});
