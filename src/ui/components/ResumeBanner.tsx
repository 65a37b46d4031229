// Offers the runs a reload, a closed tab or a lost GPU stopped, each with
// the epoch its checkpoint holds. Resume continues the run at the next
// epoch, its charts drawn again from the stored metrics; Discard deletes
// the checkpoint.
import { describeCheckpoint } from '../../train/checkpoint';
import { isBusy } from '../run-events';
import { useLab } from '../store';

export function ResumeBanner() {
  const resumable = useLab((s) => s.resumable);
  const busy = useLab((s) => isBusy(s.run.status));
  const resumeRun = useLab((s) => s.resumeRun);
  const discardRun = useLab((s) => s.discardRun);
  if (resumable.length === 0) return null;
  return (
    <div className="banner notice" role="status" data-testid="resume-banner">
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
