// The known weight sources and the model card written beside exports.
import { describe, expect, test } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/recipe/recipe';
import { buildModelCard } from '../../src/weights/model-card';
import {
  IMAGENET_NORMALIZATION,
  KNOWN_WEIGHTS,
  knownWeights,
} from '../../src/weights/sources';

describe('known weights', () => {
  test('each names its Hugging Face file, input size and normalisation', () => {
    expect(KNOWN_WEIGHTS.map((w) => w.id)).toEqual([
      'resnet50.tv2_in1k',
      'resnet50.a1_in1k',
      'resnet18.tv_in1k',
    ]);
    const a1 = knownWeights('timm/resnet50.a1_in1k');
    expect(a1.url).toBe(
      'https://huggingface.co/timm/resnet50.a1_in1k/resolve/main/model.safetensors',
    );
    expect(a1).toMatchObject({ model: 'resnet50', inputSize: 224 });
    expect(knownWeights('resnet50.tv2_in1k').inputSize).toBe(176);
    for (const w of KNOWN_WEIGHTS) {
      expect(w.normalization).toEqual(IMAGENET_NORMALIZATION);
      expect(w.numClasses).toBe(1000);
    }
  });

  test('an unknown id lists the known ones', () => {
    expect(() => knownWeights('timm/resnet101.a1_in1k')).toThrow(
      'unknown weights "timm/resnet101.a1_in1k": expected one of ' +
        'timm/resnet50.tv2_in1k, timm/resnet50.a1_in1k, timm/resnet18.tv_in1k',
    );
  });
});

describe('model card', () => {
  const config = {
    name: 'resnet18' as const,
    numClasses: 2,
    inChannels: 3,
    widthMultiplier: 1,
  };

  test('holds classes, input, recipe, seed, metrics and date as JSON', () => {
    const card = buildModelCard({
      config,
      weightsFiles: ['model.safetensors'],
      classes: ['cat', 'dog'],
      inputSize: 224,
      normalization: IMAGENET_NORMALIZATION,
      startedFrom: 'timm/resnet18.tv_in1k',
      recipe: { ...DEFAULT_RECIPE, seed: 7 },
      dataset: { name: 'pets', numTrain: 10, numVal: 4 },
      metrics: { bestValTop1: 0.5, bestEpoch: 1 },
      backend: { name: 'webgpu', adapter: 'x', tfjsVersion: '4.22.0' },
      date: new Date(Date.UTC(2026, 11, 4, 9, 0, 0)),
    });
    expect(JSON.parse(JSON.stringify(card))).toEqual(card);
    expect(card).toMatchObject({
      format: 'recipe-lab-model-card',
      version: 1,
      model: { name: 'resnet18', width: 1, numClasses: 2 },
      weights: {
        files: ['model.safetensors'],
        startedFrom: 'timm/resnet18.tv_in1k',
      },
      classes: ['cat', 'dog'],
      input: { size: 224, channels: 3 },
      seed: 7,
      date: '2026-12-04T09:00:00.000Z',
    });
  });

  test('refuses class names that do not match the outputs', () => {
    expect(() =>
      buildModelCard({
        config,
        weightsFiles: ['w'],
        classes: ['cat'],
        inputSize: 32,
        normalization: IMAGENET_NORMALIZATION,
        date: new Date(),
      }),
    ).toThrow('expected 2 class names, one per output, got 1');
    expect(() =>
      buildModelCard({
        config,
        weightsFiles: ['w'],
        classes: ['cat', 'dog'],
        inputSize: 32,
        normalization: { mean: [0.5], std: [0.5] },
        date: new Date(),
      }),
    ).toThrow('expected a mean and std per input channel (3), got 1 and 1');
  });
});
