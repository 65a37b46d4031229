// A line chart drawn as plain SVG, for the charts that change while a run
// trains: one render is a few path strings, cheap enough for every loss
// read (see chart-geometry.ts for why not a charting library).
import { linearScale, linePath, type Domain } from '../chart-geometry';

export interface ChartSeries {
  name: string;
  /** A CSS colour, e.g. "var(--accent)". */
  color: string;
  points: readonly (readonly [number, number])[];
  strokeWidth?: number;
  dashed?: boolean;
  /** Marks each point too: for series of a few points. */
  dots?: boolean;
}

export interface ChartAxis {
  domain: Domain;
  ticks: readonly number[];
  format(value: number): string;
}

const WIDTH = 640;
const MARGIN = { top: 8, right: 16, bottom: 22, left: 52 };

function Dots({ series, x, y }: { series: ChartSeries; x: Scale; y: Scale }) {
  return series.points
    .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
    .map(([px, py]) => (
      <circle
        key={px}
        cx={x(px)}
        cy={y(py)}
        r={3}
        fill="var(--panel)"
        stroke={series.color}
      />
    ));
}

type Scale = (value: number) => number;

export function LineChart(props: {
  label: string;
  /** In the SVG's units, which are CSS pixels at this width; 640 if absent. */
  width?: number;
  height: number;
  x: ChartAxis;
  y: ChartAxis;
  series: readonly ChartSeries[];
}) {
  const { height, series } = props;
  const width = props.width ?? WIDTH;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const x = linearScale(props.x.domain, [left, right]);
  const y = linearScale(props.y.domain, [bottom, top]);
  return (
    <>
      <svg
        className="line-chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={props.label}
      >
        <g className="chart-grid">
          {props.y.ticks.map((t) => (
            <g key={`y${t}`}>
              <line x1={left} x2={right} y1={y(t)} y2={y(t)} />
              <text x={left - 6} y={y(t)} dy="0.32em" textAnchor="end">
                {props.y.format(t)}
              </text>
            </g>
          ))}
          {props.x.ticks.map((t) => (
            <g key={`x${t}`}>
              <line x1={x(t)} x2={x(t)} y1={top} y2={bottom} />
              <text x={x(t)} y={bottom + 16} textAnchor="middle">
                {props.x.format(t)}
              </text>
            </g>
          ))}
        </g>
        {series.map((s) => (
          <g key={s.name}>
            <path
              d={linePath(s.points, x, y)}
              fill="none"
              stroke={s.color}
              strokeWidth={s.strokeWidth ?? 1.5}
              strokeDasharray={s.dashed ? '4 3' : undefined}
            />
            {s.dots && <Dots series={s} x={x} y={y} />}
          </g>
        ))}
      </svg>
      <ul className="chart-legend">
        {series.map((s) => (
          <li key={s.name}>
            <span
              className={s.dashed ? 'swatch dashed' : 'swatch'}
              style={{ borderColor: s.color }}
            />
            {s.name}
          </li>
        ))}
      </ul>
    </>
  );
}
