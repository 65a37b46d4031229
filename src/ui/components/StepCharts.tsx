// Two small live charts under the loss: the LR the schedule gave each
// loss read's window, and the training speed, per window and per epoch.
// Each reads only its own slice of the run and redraws when that changes.
import { useMemo, type ReactNode } from 'react';
import {
  epochSpeedRows,
  stepRateRows,
  type EpochSpeedRow,
  type StepRateRow,
} from '../chart-data';
import { niceTicks } from '../chart-geometry';
import { useLab } from '../store';
import { LineChart, type ChartAxis, type ChartSeries } from './LineChart';

const WIDTH = 320;
const HEIGHT = 160;
// Three significant digits, without trailing zeros (0.45, not 0.450).
const tick = (v: number) => String(Number(v.toPrecision(3)));

function axes(steps: readonly number[], values: readonly number[]) {
  const x = niceTicks(Math.min(...steps), Math.max(...steps), 3);
  // From zero: a speed or an LR read against nothing misleads.
  const y = niceTicks(Math.min(0, ...values), Math.max(...values), 3);
  const xAxis: ChartAxis = { ...x, format: String };
  const yAxis: ChartAxis = { ...y, format: tick };
  return { x: xAxis, y: yAxis };
}

function SmallChart(props: {
  id: string;
  title: string;
  numPoints: number;
  empty: string;
  extra?: Record<string, number>;
  children: ReactNode;
}) {
  const dataset = Object.fromEntries(
    Object.entries(props.extra ?? {}).map(([k, v]) => [`data-${k}`, v]),
  );
  return (
    <section className="panel chart-panel" aria-labelledby={props.id}>
      <div className="chart-head">
        <h2 id={props.id}>{props.title}</h2>
      </div>
      <div className="chart" data-points={props.numPoints} {...dataset}>
        {props.numPoints > 0 ? (
          props.children
        ) : (
          <p className="chart-empty" style={{ height: HEIGHT }}>
            {props.empty}
          </p>
        )}
      </div>
    </section>
  );
}

function LrLines({ rows }: { rows: StepRateRow[] }) {
  const { x, y } = axes(
    rows.map((r) => r.step),
    rows.map((r) => r.lr),
  );
  return (
    <LineChart
      label="Learning rate by step"
      width={WIDTH}
      height={HEIGHT}
      x={x}
      y={y}
      series={[
        {
          name: 'LR',
          color: 'var(--accent)',
          strokeWidth: 2,
          dots: rows.length < 3,
          points: rows.map((r) => [r.step, r.lr]),
        },
      ]}
    />
  );
}

function SpeedLines(props: { rows: StepRateRow[]; epochs: EpochSpeedRow[] }) {
  const { rows, epochs } = props;
  const { x, y } = axes(
    [...rows, ...epochs].map((r) => r.step),
    [...rows, ...epochs].map((r) => r.imagesPerSecond),
  );
  const series: ChartSeries[] = [
    {
      name: 'per read',
      color: 'var(--raw-line)',
      dots: rows.length < 3,
      points: rows.map((r) => [r.step, r.imagesPerSecond]),
    },
  ];
  if (epochs.length > 0) {
    series.push({
      name: 'epoch mean',
      color: 'var(--accent)',
      strokeWidth: 2,
      dots: true,
      points: epochs.map((r) => [r.step, r.imagesPerSecond]),
    });
  }
  return (
    <LineChart
      label="Training images per second by step and by epoch"
      width={WIDTH}
      height={HEIGHT}
      x={x}
      y={y}
      series={series}
    />
  );
}

function LrChart() {
  const rates = useLab((s) => s.run.rates);
  const rows = useMemo(() => stepRateRows(rates), [rates]);
  return (
    <SmallChart
      id="lr-title"
      title="LR by step"
      numPoints={rows.length}
      empty="The LR of each loss read appears here."
    >
      <LrLines rows={rows} />
    </SmallChart>
  );
}

function SpeedChart() {
  const rates = useLab((s) => s.run.rates);
  const epochs = useLab((s) => s.run.epochs);
  const stepsPerEpoch = useLab((s) => s.run.progress?.stepsPerEpoch ?? null);
  const rows = useMemo(() => stepRateRows(rates), [rates]);
  const epochRows = useMemo(
    () => epochSpeedRows(epochs, stepsPerEpoch),
    [epochs, stepsPerEpoch],
  );
  return (
    <SmallChart
      id="speed-title"
      title="Images per second"
      numPoints={rows.length}
      extra={{ 'epoch-points': epochRows.length }}
      empty="Training speed appears here, per loss read and per epoch."
    >
      <SpeedLines rows={rows} epochs={epochRows} />
    </SmallChart>
  );
}

/** The LR and the speed side by side, as wide as the loss chart. */
export function StepCharts() {
  return (
    <div className="chart-pair">
      <LrChart />
      <SpeedChart />
    </div>
  );
}
