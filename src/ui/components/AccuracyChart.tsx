import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { accuracyRows, type AccuracyRow } from '../chart-data';
import { useLab } from '../store';

const HEIGHT = 200;
const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
const tick = (v: number) => `${v}%`;
const percent = (v: unknown) => `${Number(v).toFixed(1)}%`;

function Chart({ rows }: { rows: AccuracyRow[] }) {
  const hasEma = rows.some((r) => r.top1Ema !== undefined);
  return (
    <LineChart
      responsive
      width="100%"
      height={HEIGHT}
      data={rows}
      margin={MARGIN}
    >
      <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
      <XAxis
        dataKey="epoch"
        type="number"
        domain={[1, 'dataMax']}
        allowDecimals={false}
      />
      <YAxis
        domain={[0, 100]}
        ticks={[0, 25, 50, 75, 100]}
        width={48}
        tickFormatter={tick}
      />
      <Tooltip formatter={percent} labelFormatter={(e) => `epoch ${e}`} />
      <Legend />
      <Line
        dataKey="top1"
        name="top-1"
        stroke="var(--accent)"
        strokeWidth={2}
        isAnimationActive={false}
      />
      <Line
        dataKey="top5"
        name="top-5"
        stroke="var(--accent-2)"
        isAnimationActive={false}
      />
      {hasEma && (
        <Line
          dataKey="top1Ema"
          name="top-1 EMA"
          stroke="var(--accent)"
          strokeDasharray="4 3"
          isAnimationActive={false}
        />
      )}
    </LineChart>
  );
}

/** Validation top-1 and top-5 after each epoch, and the EMA's top-1. */
export function AccuracyChart() {
  const epochs = useLab((s) => s.run.epochs);
  const rows = useMemo(() => accuracyRows(epochs), [epochs]);

  return (
    <section className="panel chart-panel" aria-labelledby="accuracy-title">
      <div className="chart-head">
        <h2 id="accuracy-title">Validation accuracy</h2>
      </div>
      <div className="chart" data-points={rows.length}>
        {rows.length > 0 ? (
          <Chart rows={rows} />
        ) : (
          <p className="chart-empty" style={{ height: HEIGHT }}>
            Top-1 and top-5 appear here after each epoch.
          </p>
        )}
      </div>
    </section>
  );
}
