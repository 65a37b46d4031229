import type { RunRecord } from '../../runs/record';
import { WEIGHT_FORMAT_NAMES } from '../../weights/formats';
import { FORMAT_LABELS, useExports } from '../export-store';

/** A button per weight format; each saves one zip with the model card. */
export function ExportButtons({ record }: { record: RunRecord }) {
  const busy = useExports((s) => s.busy);
  const exportRun = useExports((s) => s.exportRun);
  const running = record.status === 'running';
  return (
    <span className="export-buttons">
      {WEIGHT_FORMAT_NAMES.map((format) => {
        const label = FORMAT_LABELS[format];
        const mine = busy?.runId === record.runId && busy.format === format;
        return (
          <button
            key={format}
            type="button"
            className="secondary small"
            aria-label={`Download ${label} of ${record.name}`}
            title={
              running
                ? 'weights are kept once the run ends'
                : !record.hasWeights
                  ? 'this run kept no weights'
                  : `${label} weights and model-card.json, zipped`
            }
            disabled={running || !record.hasWeights || busy !== null}
            onClick={() => void exportRun(record.runId, record.name, format)}
          >
            {mine ? `${label}…` : label}
          </button>
        );
      })}
    </span>
  );
}

/** The last export's outcome: the file saved, or why there is none. */
export function ExportNote() {
  const last = useExports((s) => s.last);
  const dismiss = useExports((s) => s.dismiss);
  if (!last) return null;
  return (
    <p
      className={last.ok ? 'muted' : 'runs-error'}
      role={last.ok ? 'status' : 'alert'}
      data-testid="export-note"
    >
      {last.message}{' '}
      <button type="button" className="link-button" onClick={dismiss}>
        Dismiss
      </button>
    </p>
  );
}

/** The newest run, once finished with its weights, offered for download. */
export function LatestExport({ records }: { records: readonly RunRecord[] }) {
  const latest = records.reduce<RunRecord | null>(
    (a, r) => (a && a.createdAt >= r.createdAt ? a : r),
    null,
  );
  if (!latest || latest.status !== 'finished' || !latest.hasWeights) {
    return null;
  }
  return (
    <div
      className="button-row latest-export"
      role="group"
      aria-label="Download the last run"
    >
      <span>
        Weights of <strong>{latest.name}</strong>:
      </span>
      <ExportButtons record={latest} />
    </div>
  );
}
