import { isShareable } from '../../runs/card';
import type { RunRecord } from '../../runs/record';
import type { RunRow, SortColumn } from '../../runs/table';
import { formatPercent } from '../format';
import { useEval } from '../eval-store';
import { useRuns } from '../runs-store';
import { ExportButtons } from './RunExports';

const COLUMNS: { column: SortColumn; label: string }[] = [
  { column: 'name', label: 'Name' },
  { column: 'dataset', label: 'Dataset' },
  { column: 'model', label: 'Model' },
  { column: 'status', label: 'Status' },
  { column: 'bestTop1', label: 'Best top-1' },
  { column: 'epochs', label: 'Epochs' },
  { column: 'createdAt', label: 'Created' },
  { column: 'changes', label: 'Changes vs baseline' },
];

/**
 * Day, month and time: enough to tell a session's runs apart. One
 * formatter for all rows: toLocaleString builds a new one per call, which
 * took milliseconds a row when the table redraws for a run's start.
 */
const CREATED = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const created = (ms: number) => CREATED.format(ms);

function SortHeader({ column, label }: (typeof COLUMNS)[number]) {
  const sort = useRuns((s) => s.sort);
  const sortBy = useRuns((s) => s.sortBy);
  const active = sort.column === column;
  const order = sort.descending ? 'descending' : 'ascending';
  return (
    <th aria-sort={active ? order : 'none'}>
      <button type="button" onClick={() => sortBy(column)}>
        {label}
        {active && (sort.descending ? ' ▾' : ' ▴')}
      </button>
    </th>
  );
}

/** The name as an input: Enter or leaving the field renames the run. */
function NameCell({ runId, name }: { runId: string; name: string }) {
  const rename = useRuns((s) => s.rename);
  return (
    <input
      // A new key when the stored name changes resets the field to it.
      key={name}
      className="run-name"
      aria-label={`Name of ${runId}`}
      defaultValue={name}
      onBlur={(e) => {
        if (e.target.value.trim() === '') e.target.value = name;
        else void rename(runId, e.target.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') e.currentTarget.blur();
        if (e.key === 'Escape') {
          e.currentTarget.value = name;
          e.currentTarget.blur();
        }
      }}
    />
  );
}

type OnShare = (record: RunRecord) => void;

function Row({ row, onShare }: { row: RunRow; onShare: OnShare }) {
  const { record: r, changes } = row;
  const overlaid = useRuns((s) => s.overlay.includes(r.runId));
  const isBaseline = useRuns((s) => s.baselineId === r.runId);
  const toggleOverlay = useRuns((s) => s.toggleOverlay);
  const setBaseline = useRuns((s) => s.setBaseline);
  const remove = useRuns((s) => s.remove);
  const evaluate = useEval((s) => s.open);
  const confirmRemove = () => {
    if (window.confirm(`Delete run "${r.name}" and its weights?`)) {
      void remove(r.runId);
    }
  };
  return (
    <tr
      data-run-id={r.runId}
      data-best={r.bestTop1 ?? ''}
      data-shared={r.shared ? 'true' : undefined}
    >
      <td>
        <input
          type="checkbox"
          aria-label={`Overlay ${r.name}`}
          checked={overlaid}
          onChange={() => toggleOverlay(r.runId)}
        />
      </td>
      <td>
        <input
          type="radio"
          name="baseline"
          aria-label={`Baseline ${r.name}`}
          checked={isBaseline}
          onChange={() => setBaseline(r.runId)}
        />
      </td>
      <td>
        <NameCell runId={r.runId} name={r.name} />
      </td>
      <td>{r.dataset}</td>
      <td title={`width ${r.recipe.width}, seed ${r.seed}`}>{r.model}</td>
      <td title={r.error ?? r.weightsNote ?? undefined}>
        {r.status}
        {r.shared ? ' (shared)' : r.weightsNote !== null && ' (no weights)'}
      </td>
      <td>{r.bestTop1 === null ? '–' : formatPercent(r.bestTop1)}</td>
      <td>{`${r.epochs.length}/${r.recipe.epochs}`}</td>
      <td>{created(r.createdAt)}</td>
      <td className="run-changes" title={r.query}>
        {changes}
      </td>
      <td className="run-actions">
        <button
          type="button"
          aria-label={`Share ${r.name}`}
          disabled={!isShareable(r)}
          onClick={() => onShare(r)}
        >
          Share
        </button>
        <button
          type="button"
          aria-label={`Evaluate ${r.name}`}
          title={
            r.hasWeights
              ? 'Its final weights over the validation set'
              : 'Its latest checkpoint over the validation set'
          }
          disabled={!r.hasWeights && r.status === 'finished'}
          onClick={() =>
            void evaluate(
              r.runId,
              r.hasWeights ? 'final' : 'checkpoint',
              r.name,
            )
          }
        >
          Evaluate
        </button>
      </td>
      <td>
        <ExportButtons record={r} />
      </td>
      <td>
        <button
          type="button"
          className="danger"
          aria-label={`Delete ${r.name}`}
          disabled={r.status === 'running'}
          onClick={confirmRemove}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** One row per run; headers sort, inputs rename, choose and delete. */
export function RunsTable({
  rows,
  onShare,
}: {
  rows: readonly RunRow[];
  onShare: OnShare;
}) {
  return (
    <div className="runs-scroll">
      <table className="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th>Overlay</th>
            <th>Baseline</th>
            {COLUMNS.map((c) => (
              <SortHeader key={c.column} {...c} />
            ))}
            <th />
            <th>Download weights</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Row key={row.record.runId} row={row} onShare={onShare} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
