// The lines and numbers of `lab import` and `lab bench-import` as pure
// functions: plans, progress, summaries, the bench's verdict, the memory
// samples read from ps, and the synthetic devkit's plan.
import { describe, expect, test } from 'vitest';
import type {
  ImportPlanSummary,
  ImportReport,
} from '../../src/data/import/types';
import {
  formatBenchImport,
  formatImportDone,
  formatImportProgress,
  formatPlan,
  SKIPPED_SHOWN,
  type BenchImportReport,
} from '../../tools/lab/import-output';
import { descendantRss, parsePs } from '../../tools/lab/memory';
import { planSynthetic, syntheticClasses } from '../../tools/lab/synthetic';

const PLAN: ImportPlanSummary = {
  layout: 'hf-parquet',
  description: 'Hugging Face parquet (2 files): images and labels, no boxes',
  classNames: ['a', 'b', 'c'],
  planned: { train: 8144, val: 8041 },
  valFrom: 'test-split',
  cropped: false,
  notes: ['parquet files carry no boxes: images are stored uncropped'],
  skipped: [{ file: 'x.parquet row 3', reason: 'bad label' }],
  sourceId: 'files-sha256:00',
  existing: { name: 'cars', complete: false },
};

const REPORT: ImportReport = {
  dataset: 'cars',
  layout: 'cars-devkit',
  imported: { train: 8144, val: 8041 },
  classes: 196,
  skipped: [],
  storedBytes: 16185 * (224 * 224 * 3 + 4),
  resumed: false,
  complete: true,
  wallSeconds: 125,
};

describe('import lines', () => {
  test('the plan says what was recognised, and that parquet is uncropped', () => {
    expect(formatPlan(PLAN)).toEqual([
      'recognised hf-parquet: Hugging Face parquet (2 files): images and ' +
        'labels, no boxes',
      '  3 classes; planned 8,144 train / 8,041 val images (val is the ' +
        'test split)',
      '  no boxes in this source: images are imported uncropped',
      '  note: parquet files carry no boxes: images are stored uncropped',
      '  1 problems found in planning',
      '  resumes the incomplete "cars"',
    ]);
  });

  test('progress: done of total, rate and time left', () => {
    expect(
      formatImportProgress({
        phase: 'importing',
        imagesDone: 1234,
        imagesTotal: 16185,
        imagesPerSecond: 57.34,
        secondsLeft: 260.7,
      }),
    ).toBe('import 1,234/16,185 images (7.6%)  57.3 img/s  left ~4:21');
  });

  test('the summary, and at most SKIPPED_SHOWN skipped files', () => {
    const skipped = Array.from({ length: 13 }, (_, i) => ({
      file: `cars_train/${i}.jpg`,
      reason: 'truncated JPEG',
    }));
    const lines = formatImportDone({ ...REPORT, skipped });
    expect(lines[0]).toBe(
      'imported "cars": 8,144 train / 8,041 val images of 196 classes, ' +
        '2.44 GB stored, 13 skipped, wall 2:05',
    );
    expect(lines).toHaveLength(1 + SKIPPED_SHOWN + 1);
    expect(lines[1]).toBe('  skipped cars_train/0.jpg: truncated JPEG');
    expect(lines.at(-1)).toBe('  ... and 3 more in the JSON report');
  });

  test('a stopped import says why and what it keeps', () => {
    const [line] = formatImportDone({
      ...REPORT,
      imported: { train: 100, val: 0 },
      complete: false,
      stopped: { reason: 'quota', message: 'storage quota exceeded' },
    });
    expect(line).toMatch(
      /^stopped \(quota\): "cars" keeps 100 train \/ 0 val images .*; storage quota exceeded$/,
    );
  });
});

describe('bench-import', () => {
  const bench: BenchImportReport = {
    source: '/tmp/x/synthetic-cars-300',
    synthetic: 300,
    options: { imageSize: 224, fit: 'squash' },
    numImages: 300,
    decodeRuns: [
      { images: 300, skipped: 0, wallSeconds: 2 },
      { images: 300, skipped: 0, wallSeconds: 2.5 },
    ],
    decodeImagesPerSecond: 150,
    importImagesPerSecond: 120,
    ratio: 0.8,
    meetsTarget: true,
    import: { ...REPORT, numSkipped: 0 },
    memory: {
      method: 'RSS summed',
      sampleMs: 250,
      beforeBytes: 9.5e8,
      decodePeakBytes: 1.1e9,
      importPeakBytes: 1.2e9,
      peakMemoryBytes: 1.2e9,
      processes: 6,
      byProcessKind: {},
      samples: [],
    },
  };

  test('both rates, their ratio against the target, and memory', () => {
    expect(formatBenchImport(bench)).toEqual([
      'bench-import on 300 images (synthetic devkit), 224 px, squash',
      '  decode only  150 img/s  (passes: 150 img/s, 120 img/s)',
      '  import       120 img/s  import/decode 0.80 (meets the target >= 0.7)',
      '  memory       peak 1.20 GB (before 950.0 MB, decoding 1.10 GB, ' +
        'importing 1.20 GB): RSS summed',
    ]);
    const slow = { ...bench, ratio: 0.5, meetsTarget: false };
    expect(formatBenchImport(slow)[2]).toContain('MISSES the target >= 0.7');
  });

  test('memory: ps rows summed over the descendants of one process', () => {
    const rows = parsePs(
      [
        '  10     1  1000 /usr/lib/chromium/chromium --headless',
        '  11    10  2000 /usr/lib/chromium/chromium --type=renderer --x',
        '  12    11   300 /usr/lib/chromium/chromium --type=utility',
        '  13     1    99 bash',
        '',
      ].join('\n'),
    );
    expect(rows.map((r) => r.kind)).toEqual([
      'browser',
      'renderer',
      'utility',
      'browser',
    ]);
    expect(descendantRss(rows, 1)).toEqual({
      bytes: 3399 * 1024,
      processes: 4,
      byKind: {
        browser: 1099 * 1024,
        renderer: 2000 * 1024,
        utility: 300 * 1024,
      },
    });
    expect(descendantRss(rows, 10)).toMatchObject({
      bytes: 2300 * 1024,
      processes: 2,
    });
    expect(descendantRss(rows, 12)).toMatchObject({ bytes: 0, processes: 0 });
  });

  test('the synthetic devkit: every class used, a long tail, boxes inside', () => {
    const images = planSynthetic(600);
    const counts = new Map<number, number>();
    for (const image of images) {
      counts.set(image.classId, (counts.get(image.classId) ?? 0) + 1);
      const [x1, y1, x2, y2] = image.box;
      expect(x1).toBeGreaterThanOrEqual(1);
      expect(y1).toBeGreaterThanOrEqual(1);
      expect(x2).toBeLessThanOrEqual(image.width);
      expect(y2).toBeLessThanOrEqual(image.height);
    }
    expect(counts.size).toBe(100);
    expect(counts.get(1)!).toBeGreaterThan(5 * counts.get(100)!);
    expect(images.filter((i) => i.split === 'test')).toHaveLength(85);
    expect(planSynthetic(600)).toEqual(images);
    expect(syntheticClasses(12, () => 0.5)).toHaveLength(12);
  });
});
