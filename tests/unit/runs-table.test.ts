// The runs table: changes against the baseline, sorting by each column and
// filtering by text; the exports and the overlay's rows of chosen runs.
import { describe, expect, test } from 'vitest';
import { RUNS_CSV_COLUMNS, runsCsv, runsJson } from '../../src/runs/export';
import {
  lossSeries,
  overlayLabel,
  overlayRows,
  top1Series,
  trainTop1Series,
} from '../../src/runs/overlay';
import {
  filterRuns,
  runRows,
  sortRuns,
  SORT_COLUMNS,
  type RunRow,
} from '../../src/runs/table';
import { withSteps } from '../../src/runs/record';
import { record } from './runs-fixtures';

const records = [
  record('a', { name: 'base run', createdAt: 1, top1: [0.3, 0.5] }),
  record('b', {
    name: 'Trivial',
    createdAt: 2,
    recipe: { autoAugment: 'ta_wide', lr: 0.4 },
    top1: [0.6],
  }),
  record('c', {
    name: 'cars',
    createdAt: 3,
    dataset: 'stanford-cars',
    recipe: { model: 'resnet50' },
  }),
];

const ids = (rows: RunRow[]) => rows.map((r) => r.record.runId);

describe('rows and changes', () => {
  test('each run is labelled against the baseline; none without one', () => {
    const rows = runRows(records, 'a');
    expect(rows.map((r) => r.changes)).toEqual([
      'baseline',
      'lr 0.4, +auto-augment ta_wide',
      'model resnet50',
    ]);
    expect(runRows(records, null).map((r) => r.changes)).toEqual(['', '', '']);
    expect(runRows(records, 'gone').every((r) => r.changes === '')).toBe(true);
  });
});

describe('sortRuns', () => {
  const rows = runRows(records, 'a');

  test('by each column, both ways', () => {
    const cases: Record<string, string[]> = {
      name: ['a', 'c', 'b'],
      // Ties (a and b share both) newest first.
      dataset: ['b', 'a', 'c'],
      model: ['b', 'a', 'c'],
      epochs: ['c', 'b', 'a'],
      createdAt: ['a', 'b', 'c'],
      changes: ['a', 'b', 'c'],
    };
    for (const [column, order] of Object.entries(cases)) {
      const sort = { column: column as (typeof SORT_COLUMNS)[number] };
      expect(
        ids(sortRuns(rows, { ...sort, descending: false })),
        column,
      ).toEqual(order);
    }
    expect(ids(sortRuns(rows, { column: 'name', descending: true }))).toEqual([
      'b',
      'c',
      'a',
    ]);
  });

  test('runs without a best top-1 go last in either direction', () => {
    const asc = sortRuns(rows, { column: 'bestTop1', descending: false });
    const desc = sortRuns(rows, { column: 'bestTop1', descending: true });
    expect(ids(asc)).toEqual(['a', 'b', 'c']);
    expect(ids(desc)).toEqual(['b', 'a', 'c']);
  });

  test('ties fall back to the newest first; the input is not changed', () => {
    const same = [0, 1, 2].map((i) => record(`t${i}`, { createdAt: i }));
    const tied = runRows(same, null);
    expect(
      ids(sortRuns(tied, { column: 'status', descending: false })),
    ).toEqual(['t2', 't1', 't0']);
    expect(ids(tied)).toEqual(['t0', 't1', 't2']);
  });

  test('status sorts running first', () => {
    const done = { ...records[0]!, status: 'finished' as const };
    const rs = runRows([done, records[1]!], null);
    const sorted = sortRuns(rs, { column: 'status', descending: false });
    expect(sorted.map((r) => r.record.status)).toEqual(['running', 'finished']);
  });
});

describe('filterRuns', () => {
  const rows = runRows(records, 'a');

  test('matches name, dataset, model and recipe, every word, any case', () => {
    expect(ids(filterRuns(rows, 'trivial'))).toEqual(['b']);
    expect(ids(filterRuns(rows, 'STANFORD'))).toEqual(['c']);
    expect(ids(filterRuns(rows, 'resnet18'))).toEqual(['a', 'b']);
    expect(ids(filterRuns(rows, 'ta_wide'))).toEqual(['b']);
    expect(ids(filterRuns(rows, 'lr=0.4 resnet18'))).toEqual(['b']);
    expect(ids(filterRuns(rows, 'lr=0.4 cars'))).toEqual([]);
    expect(ids(filterRuns(rows, '   '))).toEqual(['a', 'b', 'c']);
  });
});

describe('exports', () => {
  const rows = runRows(records, 'a');

  test('CSV has one row per run and epoch, quoted where needed', () => {
    const lines = runsCsv(rows).trimEnd().split('\n');
    expect(lines[0]).toBe(RUNS_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 2 + 1);
    const cell = (line: string, column: string) => {
      // The changes field holds a comma and is quoted; split on the rest.
      const fields = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!;
      const value = fields[RUNS_CSV_COLUMNS.indexOf(column as never)]!;
      return value.replace(/,$/, '').replace(/^"|"$/g, '');
    };
    expect(lines.slice(1).map((l) => cell(l, 'run_id'))).toEqual([
      'a',
      'a',
      'b',
    ]);
    expect(lines.slice(1).map((l) => cell(l, 'epoch'))).toEqual([
      '1',
      '2',
      '1',
    ]);
    expect(cell(lines[2]!, 'val_top1')).toBe('0.5');
    expect(cell(lines[2]!, 'train_top1')).toBe('0.6');
    expect(cell(lines[2]!, 'train_top5')).toBe('0.8');
    expect(cell(lines[3]!, 'changes')).toBe('lr 0.4, +auto-augment ta_wide');
    expect(lines[3]).toContain('"lr 0.4, +auto-augment ta_wide"');
    expect(cell(lines[1]!, 'val_top1_ema')).toBe('');
  });

  test('a quote in a name is doubled', () => {
    const quoted = runRows([{ ...records[0]!, name: 'the "best"' }], null);
    expect(runsCsv(quoted).split('\n')[1]).toContain('"the ""best"""');
  });

  test('JSON holds each record with its changes and the baseline', () => {
    const file = JSON.parse(runsJson(rows.slice(0, 2), 'a'));
    expect(file.version).toBe(1);
    expect(file.baseline).toBe('a');
    expect(file.runs.map((r: { runId: string }) => r.runId)).toEqual([
      'a',
      'b',
    ]);
    expect(file.runs[1].changes).toBe('lr 0.4, +auto-augment ta_wide');
    expect(file.runs[1].recipe.autoAugment).toBe('ta_wide');
    expect(file.runs[0].epochs).toHaveLength(2);
  });
});

describe('overlay', () => {
  test('rows join the runs on x, a run absent where it has no point', () => {
    const rows = overlayRows([
      {
        key: 'a',
        label: 'A',
        points: [
          { x: 1, y: 10 },
          { x: 3, y: 30 },
        ],
      },
      {
        key: 'b',
        label: 'B',
        points: [
          { x: 2, y: 20 },
          { x: 3, y: 31 },
        ],
      },
    ]);
    expect(rows).toEqual([
      { x: 1, a: 10 },
      { x: 2, b: 20 },
      { x: 3, a: 30, b: 31 },
    ]);
  });

  test('series carry the loss, the top-1 in percent and the labels', () => {
    const withLoss = withSteps(records[1]!, [
      {
        epoch: 1,
        step: 10,
        stepsPerEpoch: 20,
        globalStep: 10,
        loss: 2.5,
        lr: 0.4,
        imagesPerSecond: 1,
        numTensors: 1,
      },
    ]);
    const rows = runRows([records[0]!, withLoss], 'a');
    expect(lossSeries(rows)[1]!.points).toEqual([{ x: 10, y: 2.5 }]);
    expect(top1Series(rows)[0]!.points).toEqual([
      { x: 1, y: 30 },
      { x: 2, y: 50 },
    ]);
    expect(trainTop1Series(rows)[0]!.points).toEqual([
      { x: 1, y: 40 },
      { x: 2, y: 60 },
    ]);
    // A run recorded before training accuracy was measured: no points.
    const older = {
      ...records[0]!,
      epochs: records[0]!.epochs.map(({ trainTop1: _, ...e }) => e),
    };
    expect(trainTop1Series(runRows([older], null))[0]!.points).toEqual([]);
    expect(overlayLabel(rows[1]!)).toBe(
      'Trivial (lr 0.4, +auto-augment ta_wide)',
    );
    expect(overlayLabel(runRows([records[0]!], null)[0]!)).toBe('base run');
  });
});
