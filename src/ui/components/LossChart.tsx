import { useMemo } from 'react';
import { lossRows, type LossRow } from '../chart-data';
import { niceTicks } from '../chart-geometry';
import { useLab } from '../store';
import { LineChart } from './LineChart';

const HEIGHT = 240;
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
  const steps = rows.map((r) => r.step);
  const losses = rows.flatMap((r) => [r.loss, r.smoothed]);
  const x = niceTicks(Math.min(...steps), Math.max(...steps), 6);
  const y = niceTicks(Math.min(...losses), Math.max(...losses), 4);
  return (
    <LineChart
      label="Training loss by step"
      height={HEIGHT}
      x={{ ...x, format: String }}
      y={{ ...y, format: tick }}
      series={[
        {
          name: 'loss',
          color: 'var(--raw-line)',
          points: rows.map((r) => [r.step, r.loss]),
        },
        {
          name: `moving average (${smoothing.toFixed(2)})`,
          color: 'var(--accent)',
          strokeWidth: 2,
          dots: rows.length < 3,
          points: rows.map((r) => [r.step, r.smoothed]),
        },
      ]}
    />
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
