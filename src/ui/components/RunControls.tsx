import { formRecipe } from '../recipe-link';
import { isBusy, type RunStatus } from '../run-events';
import { useLab, type DatasetState } from '../store';

/** Why Train is off, where the button alone does not say. */
function whyNotTrain(
  dataset: DatasetState,
  status: RunStatus,
  remote: boolean,
  draftValid: boolean,
): string | null {
  if (remote && isBusy(status)) {
    return 'A run is training in another tab; Train waits until it ends.';
  }
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
  // Another tab's run is watched here, not steered.
  const remote = useLab((s) => s.run.remote);
  const dataset = useLab((s) => s.dataset);
  const draftValid = useLab((s) => formRecipe(s.recipe, s.draft) !== null);
  const pause = useLab((s) => s.pause);
  const resume = useLab((s) => s.resume);
  const stop = useLab((s) => s.stop);

  const busy = isBusy(status);
  const canTrain = !busy && dataset.status === 'ready' && draftValid;
  const hint = whyNotTrain(dataset, status, remote, draftValid);
  return (
    <div className="run-controls">
      <div className="button-row">
        <button type="submit" form={formId} disabled={!canTrain}>
          Train
        </button>
        <button
          type="button"
          onClick={pause}
          disabled={remote || status !== 'running'}
        >
          Pause
        </button>
        <button
          type="button"
          onClick={resume}
          disabled={remote || status !== 'paused'}
        >
          Resume
        </button>
        <button
          type="button"
          className="danger"
          onClick={stop}
          disabled={remote || !busy || status === 'stopping'}
        >
          Stop
        </button>
      </div>
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}
