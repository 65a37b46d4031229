import { useMemo } from 'react';
import type { PlannedRung } from '../../recipe/ladder';
import {
  isLadderBusy,
  ladderPosition,
  previewLadder,
  rungChanges,
  type LadderPreview,
} from '../ladder-state';
import { useLadder } from '../ladder-store';
import { formRecipe } from '../recipe-link';
import { isBusy } from '../run-events';
import { useLab } from '../store';
import { queueTimeLeft, trainingTimeLeft } from '../time-left';
import { LadderSteps } from './LadderSteps';
import { TimeLeftBar } from './TimeLeftBar';

/** The whole ladder's bar: its runs are alike, so each takes as long. */
function LadderBar({ index, total }: { index: number; total: number }) {
  const run = useLab((s) => s.run);
  const current = trainingTimeLeft(run)?.run ?? null;
  return (
    <TimeLeftBar label="Ladder" at={queueTimeLeft(index, total, current)} />
  );
}

function PlanTable({ plan }: { plan: PlannedRung[] }) {
  const changes = rungChanges(plan);
  return (
    <table className="ladder-table" data-testid="ladder-plan">
      <thead>
        <tr>
          <th>Rung</th>
          <th>Kind</th>
          <th>Changes over the rung below</th>
        </tr>
      </thead>
      <tbody>
        {plan.map((rung, i) => (
          <tr key={rung.name} className={`ladder-${rung.kind}`}>
            <td title={rung.title}>{rung.name}</td>
            <td>{rung.kind}</td>
            <td>{changes[i]!.join(', ') || (i === 0 ? 'the form' : 'none')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PlanView({
  preview,
  seeds,
}: {
  preview: LadderPreview;
  seeds: number;
}) {
  if (!preview.ok) return <p className="field-problem">{preview.message}</p>;
  const rungs = preview.plan.length;
  return (
    <>
      <PlanTable plan={preview.plan} />
      <p data-testid="ladder-count">
        {rungs} rung{rungs > 1 ? 's' : ''} x {seeds} seed
        {seeds > 1 ? 's' : ''} = {preview.numRuns} runs
      </p>
    </>
  );
}

/** Where the ladder run is, with the lab's line on the run under way. */
function LadderProgress() {
  const ladder = useLadder((s) => s);
  const epoch = useLab((s) => s.run.epoch);
  const epochs = useLab((s) => s.run.recipe?.epochs);
  const position = ladderPosition(ladder);
  let text: string | null = null;
  if (isLadderBusy(ladder.status) && position) {
    const at = epoch === null ? 'starting' : `epoch ${epoch}/${epochs ?? '?'}`;
    const head = ladder.status === 'cancelling' ? 'Cancelling: ' : '';
    text = `${head}${position} · ${at}`;
  } else if (ladder.status === 'finished') {
    text = `Finished all ${ladder.queue.length} runs.`;
  } else if (ladder.status === 'cancelled') {
    text = `Cancelled after ${ladder.index} of ${ladder.queue.length} runs.`;
  } else if (ladder.status === 'failed') {
    text = `The ladder stopped: ${ladder.error ?? 'a run failed'}`;
  }
  if (text === null) return null;
  return (
    <>
      <p
        className="ladder-progress"
        role="status"
        data-testid="ladder-progress"
      >
        {text}
      </p>
      {isLadderBusy(ladder.status) && (
        <LadderBar index={ladder.index} total={ladder.queue.length} />
      )}
    </>
  );
}

/** Chooses the ladder over the recipe form, shows its plan and runs it. */
export function LadderPanel() {
  const form = useLadder((s) => s.form);
  const status = useLadder((s) => s.status);
  const start = useLadder((s) => s.start);
  const cancel = useLadder((s) => s.cancel);
  const recipe = useLab((s) => s.recipe);
  const draft = useLab((s) => s.draft);
  const trainOn = useLab((s) => s.trainOn);
  const labBusy = useLab((s) => isBusy(s.run.status));
  const ready = useLab((s) => s.dataset.status === 'ready');

  const busy = isLadderBusy(status);
  const preview = useMemo(
    () => previewLadder(form, formRecipe(recipe, draft)),
    [form, recipe, draft],
  );
  const canRun = !busy && !labBusy && ready && preview.ok;
  return (
    <section className="panel" aria-labelledby="ladder-title">
      <h2 id="ladder-title">Ladder</h2>
      <p className="muted">
        The recipe form is the base, trained on {trainOn}; each step adds to the
        accepted steps below it. Every rung keeps the form&apos;s model, width,
        image sizes, epochs and training images.
      </p>
      <LadderSteps disabled={busy} />
      <PlanView preview={preview} seeds={form.numSeeds} />
      <div className="button-row">
        <button
          type="button"
          disabled={!canRun}
          onClick={() => start().catch(() => {})}
        >
          Run ladder
        </button>
        <button
          type="button"
          className="danger"
          disabled={status !== 'running'}
          onClick={cancel}
        >
          Cancel ladder
        </button>
      </div>
      <LadderProgress />
    </section>
  );
}
