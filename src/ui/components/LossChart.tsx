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
import { lossRows, type LossRow } from '../chart-data';
import { formatLoss } from '../format';
import { useLab } from '../store';

const HEIGHT = 240;
const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
// Three significant digits, without trailing zeros (0.45, not 0.450).
const tick = (v: number) => String(Number(v.toPrecision(3)));

function SmoothingSlider() {
  const smoothing = useLab((s) => s.smoothing);
  const setSmoothing = useLab((s) => s.setSmoothing);
  return (
    <label className="slider">
      Smoothing
      <input
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={smoothing}
        onChange={(e) => setSmoothing(Number(e.target.value))}
      />
      <output>{smoothing.toFixed(2)}</output>
    </label>
  );
}

function Chart({ rows, smoothing }: { rows: LossRow[]; smoothing: number }) {
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
        dataKey="step"
        type="number"
        domain={['dataMin', 'dataMax']}
        allowDecimals={false}
      />
      <YAxis domain={['auto', 'auto']} width={56} tickFormatter={tick} />
      <Tooltip
        formatter={(v) => formatLoss(Number(v))}
        labelFormatter={(step) => `step ${step}`}
      />
      <Legend />
      <Line
        dataKey="loss"
        name="loss"
        stroke="var(--raw-line)"
        dot={false}
        isAnimationActive={false}
      />
      <Line
        dataKey="smoothed"
        name={`moving average (${smoothing.toFixed(2)})`}
        stroke="var(--accent)"
        strokeWidth={2}
        dot={rows.length < 3}
        isAnimationActive={false}
      />
    </LineChart>
  );
}

/** Training loss per step: the raw windows and their moving average. */
export function LossChart() {
  const losses = useLab((s) => s.run.losses);
  const smoothing = useLab((s) => s.smoothing);
  const rows = useMemo(() => lossRows(losses, smoothing), [losses, smoothing]);

  return (
    <section className="panel chart-panel" aria-labelledby="loss-title">
      <div className="chart-head">
        <h2 id="loss-title">Training loss</h2>
        <SmoothingSlider />
      </div>
      <div className="chart" data-points={rows.length}>
        {rows.length > 0 ? (
          <Chart rows={rows} smoothing={smoothing} />
        ) : (
          <p className="chart-empty" style={{ height: HEIGHT }}>
            The loss appears here after the first training steps.
          </p>
        )}
      </div>
    </section>
  );
}
