import { useMemo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ErrorBar,
  Tooltip,
  XAxis,
  YAxis,
  type BarShapeProps,
} from 'recharts';
import { ladderAxisRange } from '../../recipe/ladder-chart';
import { ladderTitle, type LadderRow } from '../../recipe/ladder';
import { ladderBars, ladderStateReport, type LadderBar } from '../ladder-state';
import { useLadder } from '../ladder-store';
import { LadderDownloads } from './LadderDownloads';
import { LadderTable } from './LadderTable';

const HEIGHT = 280;
const MARGIN = { top: 24, right: 16, bottom: 8, left: 0 };
const tick = (v: number) => `${v.toFixed(0)}%`;
const percent = (v: unknown) => `${Number(v).toFixed(1)}%`;

/**
 * A rung's bar, hollow and dashed for a rejected step as in the study, with
 * its gain over the rung below written above its whisker.
 */
function rungShape(low: number) {
  return function RungShape(props: BarShapeProps) {
    const { x, y, width } = props;
    const height = Math.max(0, props.height);
    const bar = props.payload as LadderBar;
    const branch = bar.kind === 'branch';
    // The axis starts at `low`, so the bar's pixels per point follow.
    const scale = bar.mean > low ? height / (bar.mean - low) : 0;
    return (
      <g className={`ladder-bar ladder-bar-${bar.kind}`} data-rung={bar.name}>
        <rect
          x={x}
          y={y}
          width={width}
          height={height}
          fill={branch ? 'none' : 'var(--accent)'}
          stroke="var(--accent)"
          strokeWidth={branch ? 1.5 : 0}
          strokeDasharray={branch ? '5 3' : undefined}
        />
        {bar.gain && (
          <text
            className="ladder-gain"
            x={x + width / 2}
            y={y - bar.spread * scale - 6}
            textAnchor="middle"
            fontSize={12}
          >
            {bar.gain}
          </text>
        )}
      </g>
    );
  };
}

function Chart({ rows }: { rows: LadderRow[] }) {
  const bars = useMemo(() => ladderBars(rows), [rows]);
  const [low, high] = ladderAxisRange(rows);
  const shape = useMemo(() => rungShape(100 * low), [low]);
  return (
    <BarChart
      responsive
      width="100%"
      height={HEIGHT}
      data={bars}
      margin={MARGIN}
    >
      <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
      <XAxis dataKey="name" interval={0} fontSize={12} />
      <YAxis
        domain={[100 * low, 100 * high]}
        allowDataOverflow
        width={48}
        tickFormatter={tick}
      />
      <Tooltip formatter={percent} />
      <Bar
        dataKey="mean"
        name="mean best top-1"
        shape={shape}
        isAnimationActive={false}
      >
        <ErrorBar dataKey="spread" width={8} stroke="var(--text)" />
      </Bar>
    </BarChart>
  );
}

/** The ladder's bars and table, growing as each of its runs ends. */
export function LadderChart() {
  const choice = useLadder((s) => s.choice);
  const dataset = useLadder((s) => s.dataset);
  const plan = useLadder((s) => s.plan);
  const results = useLadder((s) => s.results);
  const runs = useLadder((s) => s.runs);
  const report = useMemo(
    () => ladderStateReport({ choice, dataset, plan, results, runs }),
    [choice, dataset, plan, results, runs],
  );
  if (!report) return null;
  const title = ladderTitle(report.dataset, report.seeds);
  return (
    <section className="panel chart-panel" aria-labelledby="ladder-chart-title">
      <div className="chart-head">
        <h2 id="ladder-chart-title">Ladder results</h2>
        <LadderDownloads report={report} />
      </div>
      <p className="muted">{title}; dashed: tried and rejected.</p>
      <div className="chart" data-points={report.rows.length}>
        {report.rows.length > 0 ? (
          <Chart rows={report.rows} />
        ) : (
          <p className="chart-empty" style={{ height: HEIGHT }}>
            A bar appears here as each rung&apos;s runs end.
          </p>
        )}
      </div>
      <LadderTable rows={report.rows} />
    </section>
  );
}
