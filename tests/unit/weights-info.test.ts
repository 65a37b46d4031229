// What the weights cache records about a file, from its names, shapes and
// metadata alone, and the normalisation a run takes from it.
import { describe, expect, test } from 'vitest';
import { MODEL_NAMES } from '../../src/recipe/recipe';
import { describeModel, type ModelConfig } from '../../src/train/model';
import {
  describeWeightsFile,
  guessModel,
  IMAGENET_PARAMETERS,
  inputNormalization,
} from '../../src/weights/info';
import {
  readSafetensors,
  writeSafetensors,
} from '../../src/weights/safetensors';
import { stateDictEntries } from '../../src/weights/state-dict';
import { IMAGENET_NORMALIZATION } from '../../src/weights/sources';

/** A zero-valued file in torchvision's layout for `config`. */
function torchFile(config: ModelConfig, metadata: Record<string, string> = {}) {
  const tensors = stateDictEntries(describeModel(config)).map((e) => ({
    name: e.name,
    shape: e.torchShape,
    data: new Float32Array(e.torchShape.reduce((a, d) => a * d, 1)),
  }));
  return readSafetensors(writeSafetensors(tensors, metadata));
}

const config = (name: ModelConfig['name']): ModelConfig => ({
  name,
  numClasses: 1000,
  inChannels: 3,
  widthMultiplier: 1,
});

describe('guessModel', () => {
  test.each(MODEL_NAMES)('knows %s by its tensors', (name) => {
    const names = stateDictEntries(describeModel(config(name))).map(
      (e) => e.name,
    );
    expect(guessModel(names)).toBe(name);
  });

  test('a ResNet-101 is none of the lab', () => {
    const names = stateDictEntries(describeModel(config('resnet50'))).map(
      (e) => e.name,
    );
    names.push(
      ...Array.from({ length: 23 }, (_, i) => `layer3.${i}.conv3.weight`),
    );
    expect(guessModel(names)).toBeNull();
  });
});

test.each(MODEL_NAMES)(
  "%s's parameter count shown in the panel is the network's",
  (name) => {
    const params = describeModel(config(name)).params;
    const count = params.reduce(
      (n, p) => n + p.shape.reduce((a, d) => a * d, 1),
      0,
    );
    expect(IMAGENET_PARAMETERS[name]).toBe(count);
  },
);

describe('describeWeightsFile', () => {
  test('a known source takes its config; shapes give the rest', () => {
    const file = torchFile({ ...config('resnet18'), widthMultiplier: 0.125 });
    const info = describeWeightsFile('timm/resnet18.tv_in1k', file);
    expect(info).toMatchObject({
      model: 'resnet18',
      width: 0.125,
      numClasses: 1000,
      inChannels: 3,
      inputSize: 224,
      normalization: IMAGENET_NORMALIZATION,
      configFrom: 'known source',
    });
  });

  test("an unknown file's metadata gives mean, std and input size", () => {
    const file = torchFile(
      {
        name: 'resnet18',
        numClasses: 10,
        inChannels: 1,
        widthMultiplier: 0.25,
      },
      { mean: '[0.25]', std: '[0.5]', input_size: '28' },
    );
    expect(describeWeightsFile('tiny.safetensors', file)).toMatchObject({
      width: 0.25,
      numClasses: 10,
      inChannels: 1,
      inputSize: 28,
      normalization: { mean: [0.25], std: [0.5] },
      configFrom: 'file metadata',
    });
  });

  test("a MobileNetV3's width, classes and channels", () => {
    const file = torchFile({
      name: 'mobilenet_v3_large',
      numClasses: 7,
      inChannels: 1,
      widthMultiplier: 0.5,
    });
    expect(describeWeightsFile('m.safetensors', file)).toMatchObject({
      model: 'mobilenet_v3_large',
      width: 0.5,
      numClasses: 7,
      inChannels: 1,
    });
  });

  test('unusable metadata falls back to ImageNet', () => {
    const file = torchFile(config('resnet50'), { mean: '[0.5]', std: '[0]' });
    const info = describeWeightsFile('https://x/y.safetensors', file);
    expect(info.normalization).toEqual(IMAGENET_NORMALIZATION);
    expect(info.configFrom).toBe('ImageNet defaults');
  });
});

describe('inputNormalization', () => {
  test('RGB weights for gray images average the channels', () => {
    const gray = inputNormalization(IMAGENET_NORMALIZATION, 1);
    expect(gray.mean[0]).toBeCloseTo((0.485 + 0.456 + 0.406) / 3, 12);
    expect(gray.std[0]).toBeCloseTo((0.229 + 0.224 + 0.225) / 3, 12);
    expect(inputNormalization(IMAGENET_NORMALIZATION, 3)).toEqual(
      IMAGENET_NORMALIZATION,
    );
  });

  test('gray weights cannot normalise RGB images', () => {
    expect(() => inputNormalization({ mean: [0.5], std: [0.5] }, 3)).toThrow(
      'the weights normalise 1 channels; expected 1 or 3',
    );
  });
});
