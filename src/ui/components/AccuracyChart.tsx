import { useMemo } from 'react';
import { accuracyRows, type AccuracyRow } from '../chart-data';
import { niceTicks } from '../chart-geometry';
import { useLab } from '../store';
import { LineChart, type ChartSeries } from './LineChart';

const HEIGHT = 200;

const Y_AXIS = {
  domain: [0, 100] as const,
  ticks: [0, 25, 50, 75, 100],
  format: (v: number) => `${v}%`,
};

function Chart({ rows }: { rows: AccuracyRow[] }) {
  const last = rows.at(-1)!.epoch;
  const x = niceTicks(1, Math.max(2, last), Math.min(8, last));
  const series: ChartSeries[] = [
    {
      name: 'val top-1',
      color: 'var(--accent)',
      strokeWidth: 2,
      dots: true,
      points: rows.map((r) => [r.epoch, r.top1]),
    },
    {
      name: 'val top-5',
      color: 'var(--accent-2)',
      dots: true,
      points: rows.map((r) => [r.epoch, r.top5]),
    },
  ];
  if (rows.some((r) => r.top1Ema !== undefined)) {
    series.push({
      name: 'val top-1 EMA',
      color: 'var(--accent)',
      dashed: true,
      points: rows.map((r) => [r.epoch, r.top1Ema ?? NaN]),
    });
  }
  // Training accuracy, on the augmented (and mixed) batches as they were
  // trained: thin lines in colours of their own.
  if (rows.some((r) => r.trainTop1 !== undefined)) {
    series.push(
      {
        name: 'train top-1',
        color: '#009e73',
        strokeWidth: 1,
        points: rows.map((r) => [r.epoch, r.trainTop1 ?? NaN]),
      },
      {
        name: 'train top-5',
        color: '#cc79a7',
        strokeWidth: 1,
        points: rows.map((r) => [r.epoch, r.trainTop5 ?? NaN]),
      },
    );
  }
  return (
    <LineChart
      label="Validation and training accuracy by epoch"
      height={HEIGHT}
      x={{
        domain: [1, x.domain[1]],
        ticks: x.ticks.filter((t) => t >= 1 && Number.isInteger(t)),
        format: String,
      }}
      y={Y_AXIS}
      series={series}
    />
  );
}

/**
 * Validation top-1 and top-5 after each epoch, the EMA's top-1, and the
 * epoch's training top-1 and top-5.
 */
export function AccuracyChart() {
  const epochs = useLab((s) => s.run.epochs);
  const rows = useMemo(() => accuracyRows(epochs), [epochs]);

  return (
    <section className="panel chart-panel" aria-labelledby="accuracy-title">
      <div className="chart-head">
        <h2 id="accuracy-title">Accuracy</h2>
      </div>
      <div className="chart" data-points={rows.length}>
        {rows.length > 0 ? (
          <Chart rows={rows} />
        ) : (
          <p className="chart-empty" style={{ height: HEIGHT }}>
            Validation and training top-1 and top-5 appear here after each
            epoch.
          </p>
        )}
      </div>
    </section>
  );
}
