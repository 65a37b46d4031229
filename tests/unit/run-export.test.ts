// A run's export as the Worker builds it (src/export/run-export.ts), in
// Node: each format's zip holds its files and the model card, the card
// says what the run was, and what cannot be exported says why.
import { expect, test } from 'vitest';
import {
  buildRunExport,
  fileStem,
  type RunExportSource,
} from '../../src/export/run-export';
import { withReport } from '../../src/runs/record';
import type { NamedWeights, TrainReport } from '../../src/train/protocol';
import { describeResNet, type ResNetConfig } from '../../src/train/resnet';
import type { ModelCard } from '../../src/weights/model-card';
import { readSafetensors } from '../../src/weights/safetensors';
import { record } from './runs-fixtures';
import { unzipAll } from '../zip-files';

const CONFIG: ResNetConfig = {
  name: 'resnet18',
  numClasses: 3,
  inChannels: 1,
  widthMultiplier: 0.125,
};
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover'];
const DATE = new Date('2026-12-04T12:00:00Z');

/** Every tensor filled with its index in the graph plus its position. */
function weightsOf(config: ResNetConfig): NamedWeights {
  const graph = describeResNet(config);
  const all = [...graph.params, ...graph.buffers];
  return Object.fromEntries(
    all.map(({ name, shape }, i) => {
      const size = shape.reduce((a, d) => a * d, 1);
      const data = Float32Array.from({ length: size }, (_, j) => i + j / size);
      return [name, { shape, data }];
    }),
  );
}

function finishedSource(): RunExportSource {
  const r = record('run-1', {
    name: 'cars: lr 0.4',
    recipe: { width: 0.125, imageSize: 32, seed: 5 },
    top1: [0.4, 0.6],
  });
  const report = {
    epochs: r.epochs,
    bestValTop1: 0.6,
    bestEpoch: 2,
    stopped: false,
    normalization: { mean: [0.286], std: [0.353] },
    numTrainImages: 30,
    numValImages: 1000,
  } as unknown as TrainReport;
  const environment = {
    backend: 'webgpu',
    adapter: 'google swiftshader',
    tfjsVersion: '4.22.0',
    kernels: 'lab',
    userAgent: 'test',
  };
  return {
    record: { ...withReport(r, report, 1), environment, hasWeights: true },
    weights: weightsOf(CONFIG),
    classNames: CLASSES,
    date: DATE,
  };
}

test('each format is one zip of its files and the model card', async () => {
  const expected = {
    safetensors: ['model.safetensors', 'model-card.json'],
    onnx: ['model.onnx', 'model-card.json'],
    tfjs: ['model.json', 'weights.bin', 'model-card.json'],
  } as const;
  for (const [format, names] of Object.entries(expected)) {
    const built = await buildRunExport(
      format as keyof typeof expected,
      finishedSource(),
    );
    expect(built.fileName).toBe(`cars-lr-0.4-${format}.zip`);
    const files = await unzipAll(built.parts);
    expect([...files.keys()]).toEqual(names);
    const card = JSON.parse(
      new TextDecoder().decode(files.get('model-card.json')),
    ) as ModelCard;
    expect(card).toEqual(built.card);
    expect(card.weights.files).toEqual(names.slice(0, -1));
  }
});

test('the card holds classes, input, recipe, metrics, dataset and backend', async () => {
  const source = finishedSource();
  const { card, notes } = await buildRunExport('safetensors', source);
  expect(notes).toEqual([]);
  expect(card).toMatchObject({
    format: 'recipe-lab-model-card',
    model: { name: 'resnet18', width: 0.125, numClasses: 3 },
    classes: CLASSES,
    input: {
      size: 32,
      channels: 1,
      normalization: { mean: [0.286], std: [0.353] },
    },
    recipe: source.record.recipe,
    dataset: { name: 'fashion-mnist-demo', numTrain: 30, numVal: 1000 },
    seed: 5,
    metrics: { bestValTop1: 0.6, bestEpoch: 2 },
    backend: {
      name: 'webgpu',
      adapter: 'google swiftshader',
      tfjsVersion: '4.22.0',
    },
    date: '2026-12-04T12:00:00.000Z',
  });
});

test("safetensors holds torchvision's layout: [out, in, kh, kw], fc [out, in]", async () => {
  const source = finishedSource();
  const files = await unzipAll(
    (await buildRunExport('safetensors', source)).parts,
  );
  const file = readSafetensors(files.get('model.safetensors')!);
  const conv1 = file.tensors.get('conv1.weight')!;
  expect(conv1.shape).toEqual([8, 1, 7, 7]);
  const values = new Float32Array(conv1.bytes.slice().buffer as ArrayBuffer);
  // Lab [kh, kw, in, out] index of (o=3, i=0, y=2, x=5).
  const lab = source.weights['conv1.weight']!.data;
  expect(values[((3 * 1 + 0) * 7 + 2) * 7 + 5]).toBe(lab[(2 * 7 + 5) * 8 + 3]);
  expect(file.tensors.get('fc.weight')!.shape).toEqual([3, 8 * 8]);
  expect(file.metadata).toEqual({ format: 'pt' });
});

test('a dataset that is gone leaves numbered classes and says so', async () => {
  const built = await buildRunExport('onnx', {
    ...finishedSource(),
    classNames: null,
  });
  expect(built.card.classes).toEqual(['0', '1', '2']);
  expect(built.notes).toEqual([
    'classes are numbered: expected 3 class names from dataset ' +
      '"fashion-mnist-demo", got none (the dataset is gone)',
  ]);
});

test('what cannot be exported says what was expected and what came', async () => {
  const source = finishedSource();
  const mobile = {
    ...source,
    record: {
      ...source.record,
      recipe: { ...source.record.recipe, model: 'mobilenet_v3_large' as const },
    },
  };
  // A MobileNet run sized by a ResNet's weights.
  await expect(buildRunExport('safetensors', mobile)).rejects.toThrow(
    'expected features.0.0.weight [3, 3, in, out] and classifier.3.bias ' +
      '[classes] among the stored weights of "cars: lr 0.4", got null and null',
  );
  const other = {
    ...source,
    record: {
      ...source.record,
      recipe: { ...source.record.recipe, model: 'vgg16' as 'resnet18' },
    },
  };
  await expect(buildRunExport('onnx', other)).rejects.toThrow(
    'expected one of resnet18, resnet34, resnet50, mobilenet_v3_large to ' +
      'export, got vgg16',
  );
  const old = { ...source, record: { ...source.record, outcome: undefined } };
  await expect(buildRunExport('tfjs', old)).rejects.toThrow(
    'expected the input normalisation of "cars: lr 0.4" in its record, got ' +
      'a record kept without it',
  );
  const weights = { ...source.weights };
  delete weights['layer4.1.bn2.running_var'];
  await expect(
    buildRunExport('safetensors', { ...source, weights }),
  ).rejects.toThrow(
    'the stored weights of "cars: lr 0.4" do not fit resnet18 at width ' +
      '0.125: missing weight "layer4.1.bn2.running_var": expected shape [64]',
  );
  expect(fileStem('///')).toBe('run');
});
