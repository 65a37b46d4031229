import { useMemo, useState } from 'react';
import { runsCsv, runsJson } from '../../runs/export';
import type { RunRecord } from '../../runs/record';
import type { RunRow } from '../../runs/table';
import { download } from '../download';
import { useRuns } from '../runs-store';
import { allRows, overlayRowsOf, tableRows } from '../runs-view';
import { pageBase, shareRun, type SharedRun } from '../run-cards';
import { toAppError } from '../store';
import { CardDrop, SharePanel } from './RunCards';
import { ExportNote, LatestExport } from './RunExports';
import { RunsOverlay } from './RunsOverlay';
import { RunsTable } from './RunsTable';

function Exports({ rows }: { rows: readonly RunRow[] }) {
  const baselineId = useRuns((s) => s.baselineId);
  const none = rows.length === 0;
  return (
    <div className="button-row">
      <button
        type="button"
        disabled={none}
        onClick={() => download('runs.csv', runsCsv(rows), 'text/csv')}
      >
        Export CSV
      </button>
      <button
        type="button"
        disabled={none}
        onClick={() =>
          download('runs.json', runsJson(rows, baselineId), 'application/json')
        }
      >
        Export JSON
      </button>
      <span className="muted">
        {none ? 'Choose runs to overlay and export.' : `${rows.length} chosen`}
      </span>
    </div>
  );
}

function StorageNote() {
  const error = useRuns((s) => s.error);
  const dismiss = useRuns((s) => s.dismissError);
  if (!error) return null;
  return (
    <p className="runs-error" role="alert">
      {error.message}{' '}
      <button type="button" className="link-button" onClick={dismiss}>
        Dismiss
      </button>
    </p>
  );
}

/** Every run kept, as a table, and the chosen runs drawn together. */
export function RunsPanel() {
  const records = useRuns((s) => s.records);
  const baselineId = useRuns((s) => s.baselineId);
  const sort = useRuns((s) => s.sort);
  const filter = useRuns((s) => s.filter);
  const overlay = useRuns((s) => s.overlay);
  const setFilter = useRuns((s) => s.setFilter);
  const rows = useMemo(
    () => allRows({ records, baselineId }),
    [records, baselineId],
  );
  const shown = useMemo(
    () => tableRows(rows, { sort, filter }),
    [rows, sort, filter],
  );
  const chosen = useMemo(() => overlayRowsOf(rows, overlay), [rows, overlay]);
  const [shared, setShared] = useState<SharedRun | null>(null);
  const refuseCard = useRuns((s) => s.refuseCard);
  const share = (record: RunRecord) => {
    shareRun(record, pageBase(window.location)).then(setShared, (error) =>
      refuseCard(toAppError(error).message),
    );
  };

  return (
    <section className="panel" aria-labelledby="runs-title">
      <div className="chart-head">
        <h2 id="runs-title">Runs</h2>
        <input
          type="search"
          className="runs-filter"
          aria-label="Filter runs"
          placeholder="name, dataset, model, recipe"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      <StorageNote />
      <CardDrop>
        {records.length === 0 ? (
          <p className="muted">Each training run is kept here.</p>
        ) : (
          <RunsTable rows={shown} onShare={share} />
        )}
      </CardDrop>
      {shared && <SharePanel shared={shared} onClose={() => setShared(null)} />}
      <LatestExport records={records} />
      <ExportNote />
      <Exports rows={chosen} />
      <RunsOverlay rows={chosen} />
    </section>
  );
}
