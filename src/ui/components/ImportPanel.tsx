import type { ImportReport } from '../../data/import/types';
import { formatBytes } from '../format';
import { importOptionsFromForm } from '../import-form';
import { useImports, type ImportState } from '../import-store';
import {
  bytesStillNeeded,
  incompleteImports,
  progressLine,
  reportHeadline,
  resumeOffer,
  skippedTitle,
} from '../import-view';
import { ImportFormFields } from './ImportForm';
import { ImportPlanView } from './ImportPlanView';
import { ImportSourcePicker } from './ImportSourcePicker';
import { IssueList } from './IssueList';
import { atRate } from '../time-left';
import { TimeLeftBar } from './TimeLeftBar';

function Progress({ state }: { state: ImportState }) {
  const cancel = useImports((s) => s.cancel);
  const p = state.progress;
  const known = p !== null && p.imagesTotal > 0;
  return (
    <div className="import-progress">
      <TimeLeftBar
        label="Import"
        at={
          known ? atRate(p.imagesDone, p.imagesTotal, p.imagesPerSecond) : null
        }
      />
      <p data-testid="import-progress-line">
        {p ? progressLine(p) : 'Starting…'}
      </p>
      <button
        type="button"
        className="danger"
        onClick={cancel}
        disabled={state.phase === 'cancelling'}
      >
        {state.phase === 'cancelling' ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}

function QuotaNote({
  report,
  state,
}: {
  report: ImportReport;
  state: ImportState;
}) {
  if (report.stopped?.reason !== 'quota' || !state.plan || !state.planOptions) {
    return null;
  }
  const needed = bytesStillNeeded(
    report,
    state.plan.planned,
    state.planOptions.imageSize,
  );
  return (
    <p data-testid="import-quota">
      The rest of this import needs about {formatBytes(needed)} more. Free some
      space or delete a dataset, then pick the same source again: the import
      resumes after the {report.imported.train + report.imported.val} images
      already stored.
    </p>
  );
}

function Result({ state }: { state: ImportState }) {
  const report = state.report;
  if (!report) return null;
  return (
    <div
      className={report.complete ? 'notice' : 'banner banner-warning'}
      data-testid="import-result"
    >
      <p>{reportHeadline(report)}</p>
      {report.stopped && <p className="muted">{report.stopped.message}</p>}
      <QuotaNote report={report} state={state} />
      {report.skipped.length > 0 && (
        <IssueList
          title={skippedTitle(report.skipped.length)}
          issues={report.skipped}
        />
      )}
    </div>
  );
}

function ResumeOffers() {
  const datasets = useImports((s) => s.datasets);
  const waiting = incompleteImports(datasets);
  if (waiting.length === 0) return null;
  return (
    <div className="notice" data-testid="resume-offers">
      {waiting.map((d) => (
        <p key={d.name}>{resumeOffer(d)}</p>
      ))}
    </div>
  );
}

/** Import a dataset: pick, check what was recognised, start, watch. */
export function ImportPanel() {
  const state = useImports((s) => s);
  const start = useImports((s) => s.start);
  const busy = state.phase === 'importing' || state.phase === 'cancelling';
  const canStart =
    state.phase === 'planned' && importOptionsFromForm(state.form) !== null;
  return (
    <section className="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import a dataset</h2>
      <ResumeOffers />
      <ImportSourcePicker disabled={busy} />
      {state.picked && (
        <p className="muted" data-testid="import-source">
          Source: {state.picked.label}, {state.picked.numFiles}{' '}
          {state.picked.numFiles === 1 ? 'file' : 'files'},{' '}
          {formatBytes(state.picked.numBytes)}
        </p>
      )}
      <ImportFormFields disabled={busy} />
      {state.phase === 'inspecting' && <p>Reading the source…</p>}
      {state.plan && <ImportPlanView plan={state.plan} />}
      {state.failure && (
        <p className="field-problem" role="alert">
          {state.failure}
        </p>
      )}
      {busy ? (
        <Progress state={state} />
      ) : (
        <div className="button-row">
          <button
            type="button"
            disabled={!canStart}
            onClick={() => void start().catch(() => {})}
          >
            Start import
          </button>
        </div>
      )}
      <Result state={state} />
    </section>
  );
}
