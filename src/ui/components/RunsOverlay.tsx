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
import {
  lossSeries,
  overlayRows,
  top1Series,
  type OverlayRow,
  type OverlaySeries,
} from '../../runs/overlay';
import type { RunRow } from '../../runs/table';

const HEIGHT = 220;
const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
// Told apart on a white panel and by people with the commoner colour
// blindnesses (Okabe and Ito's palette).
const COLOURS = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#000000',
];
const tick = (v: number) => String(Number(v.toPrecision(3)));

interface ChartProps {
  title: string;
  series: OverlaySeries[];
  xLabel: string;
  percent?: boolean;
}

function OverlayChart({ title, series, xLabel, percent }: ChartProps) {
  const rows = useMemo(() => overlayRows(series), [series]);
  const format = (v: unknown) =>
    percent ? `${Number(v).toFixed(1)}%` : tick(Number(v));
  const axisTick = (v: number) => (percent ? `${v}%` : tick(v));
  return (
    <figure className="overlay-chart" data-points={rows.length}>
      <figcaption>{title}</figcaption>
      <LineChart
        responsive
        width="100%"
        height={HEIGHT}
        data={rows}
        margin={MARGIN}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
        <XAxis
          dataKey="x"
          type="number"
          domain={['dataMin', 'dataMax']}
          allowDecimals={false}
        />
        <YAxis
          domain={percent ? [0, 100] : ['auto', 'auto']}
          ticks={percent ? [0, 25, 50, 75, 100] : undefined}
          width={52}
          tickFormatter={axisTick}
        />
        <Tooltip formatter={format} labelFormatter={(x) => `${xLabel} ${x}`} />
        <Legend />
        {series.map((s, i) => (
          <Line
            key={s.key}
            // A function, not a path: run ids may hold dots.
            dataKey={(row: OverlayRow) => row[s.key]}
            name={s.label}
            stroke={COLOURS[i % COLOURS.length]}
            dot={rows.length < 3}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}

/** The chosen runs' loss and val top-1 together, labelled by changes. */
export function RunsOverlay({ rows }: { rows: readonly RunRow[] }) {
  const losses = useMemo(() => lossSeries(rows), [rows]);
  const top1 = useMemo(() => top1Series(rows), [rows]);
  if (rows.length === 0) return null;
  return (
    <div className="runs-overlay" data-testid="runs-overlay">
      <ul className="overlay-labels" aria-label="Overlaid runs">
        {losses.map((s, i) => (
          <li key={s.key} style={{ color: COLOURS[i % COLOURS.length] }}>
            {s.label}
          </li>
        ))}
      </ul>
      <OverlayChart title="Training loss" series={losses} xLabel="step" />
      <OverlayChart
        title="Validation top-1"
        series={top1}
        xLabel="epoch"
        percent
      />
    </div>
  );
}
