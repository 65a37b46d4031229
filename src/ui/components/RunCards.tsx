import type { DragEvent, ReactNode } from 'react';
import { download } from '../download';
import type { SharedRun } from '../run-cards';
import { openCardFile } from '../run-cards';
import { useRuns, useRunsStore } from '../runs-store';
import { CopyField } from './CopyField';

/** A shared run's link and card file, for the run chosen with Share. */
export function SharePanel({
  shared,
  onClose,
}: {
  shared: SharedRun;
  onClose: () => void;
}) {
  const { file, link } = shared;
  return (
    <div className="share-panel" data-testid="share-panel">
      <p>
        Run card of <strong>{shared.runId}</strong>: its recipe, dataset, model,
        seed, environment and metrics, without the weights.
      </p>
      <CopyField label="Run card link" text={link} button="Copy link" />
      <div className="button-row">
        <button
          type="button"
          onClick={() => download(file.name, file.text, 'application/json')}
        >
          Download card
        </button>
        <span className="muted">
          {`${file.name}, ${(file.text.length / 1024).toFixed(1)} KiB; the ` +
            `link holds ${link.length} characters`}
        </span>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

/** Why the last card was refused. */
function CardRefusal() {
  const message = useRuns((s) => s.cardError);
  const refuse = useRuns((s) => s.refuseCard);
  if (message === null) return null;
  return (
    <p className="runs-error" role="alert" data-testid="card-error">
      {message}{' '}
      <button
        type="button"
        className="link-button"
        onClick={() => refuse(null)}
      >
        Dismiss
      </button>
    </p>
  );
}

/**
 * Takes run cards chosen with the file input or dropped anywhere on
 * `children`, and says why one was refused.
 */
export function CardDrop({ children }: { children: ReactNode }) {
  const runs = useRunsStore();
  const open = (files: Iterable<File>) => {
    for (const file of files) void openCardFile(runs, file);
  };
  const onDrop = (e: DragEvent) => {
    if (e.dataTransfer.files.length === 0) return;
    e.preventDefault();
    open(e.dataTransfer.files);
  };
  return (
    <div
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault();
      }}
      onDrop={onDrop}
    >
      {children}
      <div className="button-row">
        <label className="file-button">
          Open run card
          <input
            type="file"
            accept=".json,application/json"
            multiple
            onChange={(e) => {
              open(e.target.files ?? []);
              e.target.value = '';
            }}
          />
        </label>
        <span className="muted">or drop a card file on the runs</span>
      </div>
      <CardRefusal />
    </div>
  );
}
