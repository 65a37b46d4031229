import { useMemo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { DatasetManifest } from '../../data/schema';
import { classChartRows, classSpread } from '../import-view';

const HEIGHT = 220;
const MARGIN = { top: 8, right: 16, bottom: 4, left: 0 };
// Above this many classes the names would overlap: the axis shows ranks.
const MAX_NAMED = 24;

/**
 * Images per class, most first, train and val stacked: a long tail shows
 * as a slope to the right. Clicking a bar shows that class's images.
 */
export function ClassChart({
  manifest,
  onPick,
}: {
  manifest: DatasetManifest;
  onPick(classId: number): void;
}) {
  const rows = useMemo(() => classChartRows(manifest), [manifest]);
  const named = rows.length <= MAX_NAMED;
  const spread = classSpread(rows.map((r) => r.train + r.val));
  return (
    <figure className="class-chart" data-testid="class-chart">
      <div className="chart" data-bars={rows.length}>
        <BarChart
          responsive
          width="100%"
          height={HEIGHT}
          data={rows}
          margin={MARGIN}
          barCategoryGap={rows.length > 60 ? 0 : '10%'}
        >
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis
            dataKey="name"
            tick={named}
            interval={0}
            height={named ? 60 : 8}
            angle={named ? -30 : 0}
            textAnchor={named ? 'end' : 'middle'}
            fontSize={11}
          />
          <YAxis width={44} allowDecimals={false} />
          <Tooltip />
          <Legend />
          {(['train', 'val'] as const).map((split) => (
            <Bar
              key={split}
              dataKey={split}
              stackId="images"
              name={split === 'train' ? 'training' : 'validation'}
              fill={split === 'train' ? 'var(--accent)' : 'var(--accent-2)'}
              isAnimationActive={false}
              cursor="pointer"
              onClick={(entry) => {
                const id = (entry as { payload?: { classId?: number } }).payload
                  ?.classId;
                if (typeof id === 'number') onPick(id);
              }}
            />
          ))}
        </BarChart>
      </div>
      <figcaption className="muted">
        {rows.length} classes, most images first: {spread}.
        {!named && ' Hover a bar for its class; click it for its images.'}
      </figcaption>
    </figure>
  );
}
