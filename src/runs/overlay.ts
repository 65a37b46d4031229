// The overlay charts' rows: several runs' series on one x axis (global
// step for the loss, epoch for top-1), one column per run. Pure.
import type { RunRow } from './table';

export interface OverlaySeries {
  /** Column of this series in the rows; the run id. */
  key: string;
  /** The legend: the run's name and what changed against the baseline. */
  label: string;
  points: readonly { x: number; y: number }[];
}

export type OverlayRow = { x: number } & Record<string, number>;

/** The legend of a run: its name, and its changes when there are any. */
export function overlayLabel(row: RunRow): string {
  const { name } = row.record;
  return row.changes === '' ? name : `${name} (${row.changes})`;
}

/**
 * One row per x any series has, in order; a series without a point at
 * some x has no value there (the chart bridges the gap).
 */
export function overlayRows(series: readonly OverlaySeries[]): OverlayRow[] {
  const byX = new Map<number, OverlayRow>();
  for (const s of series) {
    for (const { x, y } of s.points) {
      let row = byX.get(x);
      if (!row) {
        row = { x } as OverlayRow;
        byX.set(x, row);
      }
      row[s.key] = y;
    }
  }
  return [...byX.values()].sort((a, b) => a.x - b.x);
}

export function lossSeries(rows: readonly RunRow[]): OverlaySeries[] {
  return rows.map((row) => ({
    key: row.record.runId,
    label: overlayLabel(row),
    points: row.record.steps.map((p) => ({ x: p.step, y: p.loss })),
  }));
}

/**
 * Training top-1 in percent, per epoch; a run recorded before it was
 * measured has no points.
 */
export function trainTop1Series(rows: readonly RunRow[]): OverlaySeries[] {
  return rows.map((row) => ({
    key: row.record.runId,
    label: overlayLabel(row),
    points: row.record.epochs.flatMap((e) =>
      e.trainTop1 === undefined ? [] : [{ x: e.epoch, y: 100 * e.trainTop1 }],
    ),
  }));
}

/** Validation top-1 in percent, per epoch. */
export function top1Series(rows: readonly RunRow[]): OverlaySeries[] {
  return rows.map((row) => ({
    key: row.record.runId,
    label: overlayLabel(row),
    points: row.record.epochs.map((e) => ({ x: e.epoch, y: 100 * e.valTop1 })),
  }));
}
