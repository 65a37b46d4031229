import { useMemo, useState } from 'react';
import {
  classRows,
  sortClasses,
  type ClassColumn,
} from '../../eval/class-rows';
import { formatPercent } from '../format';
import { useEval } from '../eval-store';

const COLUMNS: { column: ClassColumn; label: string; ema?: boolean }[] = [
  { column: 'name', label: 'Class' },
  { column: 'count', label: 'Images' },
  { column: 'accuracy', label: 'Top-1' },
  { column: 'change', label: 'EMA change', ema: true },
];

/** Row height in px (the stylesheet's too) and the rows drawn beyond view. */
const ROW_PX = 24;
const VIEW_ROWS = 16;
const SPARE_ROWS = 8;

const percent = (x: number | null) => (x === null ? '–' : formatPercent(x));
const signed = (x: number | null) =>
  x === null ? '–' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}`;

function Header({ column, label }: (typeof COLUMNS)[number]) {
  const sort = useEval((s) => s.classSort);
  const sortBy = useEval((s) => s.sortClassesBy);
  const active = sort.column === column;
  return (
    <th
      aria-sort={
        active ? (sort.descending ? 'descending' : 'ascending') : 'none'
      }
    >
      <button type="button" onClick={() => sortBy(column)}>
        {label}
        {active && (sort.descending ? ' ▾' : ' ▴')}
      </button>
    </th>
  );
}

/** Accuracy class by class; a row's button lists its images. */
export function EvalClassTable() {
  const evaluation = useEval((s) => s.evaluation);
  const classNames = useEval((s) => s.result?.classNames);
  const sort = useEval((s) => s.classSort);
  const filter = useEval((s) => s.classFilter);
  const setFilter = useEval((s) => s.setClassFilter);
  const setImageFilter = useEval((s) => s.setImageFilter);
  const rows = useMemo(
    () => (evaluation ? classRows(evaluation, classNames ?? []) : []),
    [evaluation, classNames],
  );
  const shown = useMemo(
    () => sortClasses(rows, sort, filter),
    [rows, sort, filter],
  );
  const hasEma = evaluation?.ema != null;
  const columns = COLUMNS.filter((c) => hasEma || !c.ema);
  // Only the rows in view (and a few beyond) are in the page: 196 classes
  // would otherwise make every re-render a long main-thread task.
  const [top, setTop] = useState(0);
  // Clamped: a filter can shorten the table under a scrolled box.
  const first = Math.max(
    0,
    Math.min(
      Math.floor(top / ROW_PX) - SPARE_ROWS,
      shown.length - VIEW_ROWS - SPARE_ROWS,
    ),
  );
  const last = Math.min(shown.length, first + VIEW_ROWS + 2 * SPARE_ROWS);
  const spacer = (rows: number) =>
    rows > 0 && (
      <tr aria-hidden="true" style={{ height: rows * ROW_PX }}>
        <td colSpan={columns.length} />
      </tr>
    );
  return (
    <div className="eval-section">
      <div className="chart-head">
        <h3>Per class</h3>
        <input
          type="search"
          aria-label="Filter classes"
          placeholder="class name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      <div
        className="eval-class-scroll"
        style={{ maxHeight: VIEW_ROWS * ROW_PX + 32 }}
        onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      >
        <table className="runs-table" data-testid="eval-classes">
          <thead>
            <tr>
              {columns.map((c) => (
                <Header key={c.column} {...c} />
              ))}
            </tr>
          </thead>
          <tbody data-rows={shown.length}>
            {spacer(first)}
            {shown.slice(first, last).map((r) => (
              <tr
                key={r.classId}
                className="eval-class-row"
                data-class={r.classId}
                data-count={r.count}
                data-correct={r.correct}
              >
                <td>
                  <button
                    type="button"
                    className="link-button"
                    title="List this class's images"
                    onClick={() =>
                      setImageFilter({ trueClass: r.classId, predicted: null })
                    }
                  >
                    {r.name}
                  </button>
                </td>
                <td>{r.count}</td>
                <td>{percent(r.accuracy)}</td>
                {hasEma && <td>{signed(r.change)}</td>}
              </tr>
            ))}
            {spacer(shown.length - last)}
          </tbody>
        </table>
      </div>
      <p className="muted">
        {shown.length} of {rows.length} classes
      </p>
    </div>
  );
}
