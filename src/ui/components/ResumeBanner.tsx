// Offers the runs a reload, a closed tab or a lost GPU stopped, each with
// the epoch its checkpoint holds. Resume continues the run at the next
// epoch, its charts drawn again from the stored metrics; Discard deletes
// the checkpoint.
import { describeCheckpoint } from '../../train/checkpoint';
import { isBusy, isTrainingElsewhere } from '../run-events';
import { useLab } from '../store';

export function ResumeBanner() {
  const stored = useLab((s) => s.resumable);
  const busy = useLab((s) => isBusy(s.run.status));
  const elsewhere = useLab((s) => isTrainingElsewhere(s.run));
  const trainingId = useLab((s) => s.run.runId);
  const resumeRun = useLab((s) => s.resumeRun);
  const discardRun = useLab((s) => s.discardRun);
  // The run another tab trains keeps a checkpoint too: not one to offer.
  const resumable = elsewhere
    ? stored.filter((r) => r.runId !== trainingId)
    : stored;
  if (resumable.length === 0) return null;
  return (
    <div className="banner notice" role="status" data-testid="resume-banner">
      {elsewhere && (
        <p className="muted">Resume waits until the run in another tab ends.</p>
      )}
      {resumable.map((run) => (
        <p key={run.runId} className="resume-offer">
          {describeCheckpoint(run)}
          {' — '}
          <button
            type="button"
            disabled={busy}
            onClick={() => void resumeRun(run.runId).catch(() => {})}
          >
            Resume
          </button>{' '}
          <button type="button" onClick={() => void discardRun(run.runId)}>
            Discard
          </button>
        </p>
      ))}
    </div>
  );
}
