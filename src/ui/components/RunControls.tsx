import { formRecipe } from '../recipe-link';
import { isBusy, type RunStatus } from '../run-events';
import { useLab, type DatasetState } from '../store';

function whyNotTrain(
  dataset: DatasetState,
  status: RunStatus,
  draftValid: boolean,
): string | null {
  if (isBusy(status)) return null;
  if (dataset.status !== 'ready') {
    return dataset.status === 'failed'
      ? 'Training waits for the demo import, which stopped.'
      : 'Training starts once the demo dataset is stored.';
  }
  if (!draftValid) return 'Correct the recipe fields marked above.';
  return null;
}

/** Train / Pause / Resume / Stop, each enabled only when it can act. */
export function RunControls({ formId }: { formId: string }) {
  const status = useLab((s) => s.run.status);
  const dataset = useLab((s) => s.dataset);
  const draftValid = useLab((s) => formRecipe(s.recipe, s.draft) !== null);
  const pause = useLab((s) => s.pause);
  const resume = useLab((s) => s.resume);
  const stop = useLab((s) => s.stop);

  const busy = isBusy(status);
  const canTrain = !busy && dataset.status === 'ready' && draftValid;
  const hint = whyNotTrain(dataset, status, draftValid);
  return (
    <div className="run-controls">
      <div className="button-row">
        <button type="submit" form={formId} disabled={!canTrain}>
          Train
        </button>
        <button type="button" onClick={pause} disabled={status !== 'running'}>
          Pause
        </button>
        <button type="button" onClick={resume} disabled={status !== 'paused'}>
          Resume
        </button>
        <button
          type="button"
          className="danger"
          onClick={stop}
          disabled={!busy || status === 'stopping'}
        >
          Stop
        </button>
      </div>
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}
