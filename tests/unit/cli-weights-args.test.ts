// The command lines of `convert`, `predict` and `weights`: what they take, what they
// require, and what they say about a bad value.
import { describe, expect, test } from 'vitest';
import { parseArgs } from '../../tools/lab/args';
import { usage } from '../../tools/lab/usage';
import { usageError } from './cli-helpers';

describe('convert', () => {
  test('reads its flags, with the defaults for the rest', () => {
    expect(
      parseArgs([
        'convert',
        '--in',
        'w.safetensors',
        '--model',
        'resnet50',
        '--classes',
        '196',
        '--out',
        'cars',
      ]),
    ).toEqual({
      kind: 'convert',
      inPath: 'w.safetensors',
      model: 'resnet50',
      numClasses: 196,
      width: 1,
      inChannels: 3,
      imageSize: 224,
      formats: ['safetensors'],
      outDir: 'cars',
    });
  });

  test('requires --in, --classes and --out, naming what each takes', () => {
    expect(
      usageError(['convert', '--classes', '3', '--out', 'o']).message,
    ).toBe('--in is required: expected a file path');
    expect(usageError(['convert', '--in', 'w', '--out', 'o']).message).toBe(
      '--classes is required: expected an integer from 1 to 100000',
    );
    expect(usageError(['convert', '--in', 'w', '--classes', '3']).message).toBe(
      '--out is required: expected a folder path',
    );
  });

  test('--format takes tfjs, safetensors and onnx together, in order', () => {
    const command = parseArgs([
      'convert',
      '--in',
      'w.safetensors',
      '--classes',
      '10',
      '--out',
      'o',
      '--format',
      'tfjs,safetensors,onnx',
    ]);
    expect(command).toMatchObject({
      kind: 'convert',
      formats: ['tfjs', 'safetensors', 'onnx'],
    });
  });

  test('a MobileNet converts to every format', () => {
    expect(
      parseArgs([
        'convert',
        '--in',
        'w.safetensors',
        '--model',
        'mobilenet_v3_large',
        '--classes',
        '10',
        '--out',
        'o',
        '--format',
        'safetensors,onnx,tfjs',
      ]),
    ).toMatchObject({
      kind: 'convert',
      model: 'mobilenet_v3_large',
      formats: ['safetensors', 'onnx', 'tfjs'],
    });
  });

  test('a format it cannot write lists those it can', () => {
    const error = usageError([
      'convert',
      '--in',
      'w',
      '--classes',
      '3',
      '--out',
      'o',
      '--format',
      'safetensors,pickle',
    ]);
    expect(error.message).toBe(
      '--format: expected a comma-separated list of safetensors, tfjs, ' +
        'onnx, got "safetensors,pickle"',
    );
    expect(usage('convert')).toContain('--format LIST');
  });
});

describe('predict', () => {
  test('reads its flags; the image size defaults to the model card', () => {
    expect(
      parseArgs([
        'predict',
        '--weights',
        'out/model.safetensors',
        '--images',
        'photos',
        '--json',
        'p.json',
      ]),
    ).toEqual({
      kind: 'predict',
      weightsPath: 'out/model.safetensors',
      model: 'resnet18',
      imagesDir: 'photos',
      imageSize: null,
      jsonPath: 'p.json',
    });
    const sized = parseArgs([
      'predict',
      '--weights',
      'w',
      '--images',
      'i',
      '--json',
      'j',
      '--image-size',
      '64',
    ]);
    expect(sized).toMatchObject({ imageSize: 64 });
  });

  test('takes a MobileNet too', () => {
    expect(
      parseArgs([
        'predict',
        '--weights',
        'w',
        '--model',
        'mobilenet_v3_large',
        '--images',
        'i',
        '--json',
        'j',
      ]),
    ).toMatchObject({ kind: 'predict', model: 'mobilenet_v3_large' });
  });

  test('requires --json and a sane image size', () => {
    expect(
      usageError(['predict', '--weights', 'w', '--images', 'i']).message,
    ).toBe('--json is required: expected a file path');
    expect(
      usageError([
        'predict',
        '--weights',
        'w',
        '--images',
        'i',
        '--json',
        'j',
        '--image-size',
        '2',
      ]).message,
    ).toBe('--image-size: expected an integer from 8 to 1024, got "2"');
  });
});

describe('weights', () => {
  test('add takes a file or a URL, an id and a profile; list takes none', () => {
    expect(
      parseArgs(['weights', 'add', 'r18.safetensors', '--id', 'r18']),
    ).toEqual({
      kind: 'weights',
      action: 'add',
      source: 'r18.safetensors',
      id: 'r18',
      profileDir: null,
    });
    expect(parseArgs(['weights', 'list', '--profile', 'p'])).toEqual({
      kind: 'weights',
      action: 'list',
      source: null,
      id: null,
      profileDir: 'p',
    });
  });

  test('anything else says the two forms it takes', () => {
    const forms = 'expected "weights add FILE|URL [--id ID]" or "weights list"';
    expect(usageError(['weights', 'add']).message).toBe(
      `${forms}, got "weights add"`,
    );
    expect(usageError(['weights', 'list', '--id', 'x']).message).toBe(
      `${forms}, got "weights list --id x"`,
    );
    expect(usageError(['weights', 'drop', 'x']).message).toBe(
      `${forms}, got "weights drop x"`,
    );
    expect(usage('weights')).toContain(
      'Usage: npm run lab -- weights add FILE|URL [flags] | list [flags]',
    );
  });
});
