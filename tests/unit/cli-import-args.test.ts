import { describe, expect, test } from 'vitest';
import { nameFromPath, parseArgs } from '../../tools/lab/args';
import { BENCH_IMPORT_FLAGS, IMPORT_FLAGS } from '../../tools/lab/flags';
import { usage } from '../../tools/lab/usage';
import { usageError } from './cli-helpers';

describe('import', () => {
  test('takes a path, a name, the import options and a report path', () => {
    const command = parseArgs([
      'import',
      '/data/cars',
      '--name',
      'cars',
      '--image-size',
      '64',
      '--fit',
      'keep-aspect',
      '--val-fraction=0.2',
      '--seed',
      '7',
      '--json',
      'report.json',
      '--profile',
      '~/lab-profile',
    ]);
    expect(command).toEqual({
      kind: 'import',
      path: '/data/cars',
      name: 'cars',
      options: { imageSize: 64, fit: 'keep-aspect', valFraction: 0.2, seed: 7 },
      jsonPath: 'report.json',
      profileDir: '~/lab-profile',
    });
  });

  test('the path may come after the flags; defaults fill the rest', () => {
    expect(parseArgs(['import', '--json', 'r.json', 'cars.tgz'])).toEqual({
      kind: 'import',
      path: 'cars.tgz',
      name: 'cars',
      options: { imageSize: 224, fit: 'squash', valFraction: 0.1, seed: 1 },
      jsonPath: 'r.json',
      profileDir: null,
    });
  });

  test('names a dataset after its source', () => {
    expect(nameFromPath('/data/Stanford Cars.zip')).toBe('Stanford Cars');
    expect(nameFromPath('cars/')).toBe('cars');
    expect(nameFromPath('a/train-00000.parquet')).toBe('train-00000');
    expect(nameFromPath('x.tar.gz')).toBe('x');
    expect(nameFromPath('/')).toBe('imported');
  });

  test('bad values are all named, each with what is allowed', () => {
    const message = usageError([
      'import',
      'cars',
      '--fit',
      'crop',
      '--val-fraction',
      '0.9',
      '--image-size',
      '4',
    ]).message;
    expect(message.split('\n')).toEqual([
      '--fit: expected one of squash, keep-aspect, got "crop"',
      '--val-fraction: expected a number from 0 to 0.5, got "0.9"',
      '--image-size: expected an integer from 8 to 1024, got "4"',
    ]);
  });

  test('a missing path, two paths and an unknown flag', () => {
    expect(usageError(['import', '--name', 'x']).message).toBe(
      'no source given: expected a folder, a .zip, a .tgz or .tar.gz, ' +
        'or a .parquet file after "import"',
    );
    expect(usageError(['import', 'a', 'b']).message).toBe(
      'expected one source path, got 2: "a", "b"',
    );
    const unknown = usageError(['import', 'a', '--val', '0.1']);
    expect(unknown.topic).toBe('import');
    expect(unknown.message).toMatch(
      /^unknown flag --val for import; known flags: --name, --image-size/,
    );
    expect(usageError(['import', 'a', '--sed', '1']).message).toContain(
      'did you mean --seed?',
    );
  });
});

describe('bench-import', () => {
  test('takes a path or --synthetic N, never both or neither', () => {
    expect(parseArgs(['bench-import', '--synthetic', '200'])).toMatchObject({
      kind: 'bench-import',
      path: null,
      synthetic: 200,
    });
    expect(parseArgs(['bench-import', 'cars.zip'])).toMatchObject({
      kind: 'bench-import',
      path: 'cars.zip',
      synthetic: null,
    });
    expect(usageError(['bench-import']).message).toBe(
      'expected either a source PATH or --synthetic N, got neither',
    );
    expect(usageError(['bench-import', 'a', '--synthetic', '20']).message).toBe(
      'expected either a source PATH or --synthetic N, got both',
    );
    expect(usageError(['bench-import', '--synthetic', '5']).message).toBe(
      '--synthetic: expected an integer from 10 to 100000, got "5"',
    );
  });
});

test('help for both commands lists every flag within 80 columns', () => {
  for (const [topic, flags] of [
    ['import', IMPORT_FLAGS],
    ['bench-import', BENCH_IMPORT_FLAGS],
  ] as const) {
    const text = usage(topic);
    for (const spec of flags) expect(text).toContain(`--${spec.name}`);
    for (const line of text.split('\n')) {
      expect(line.length, line).toBeLessThanOrEqual(80);
    }
  }
  expect(usage('import')).toContain('Usage: npm run lab -- import PATH');
  expect(usage(null)).toContain('bench-import');
});
