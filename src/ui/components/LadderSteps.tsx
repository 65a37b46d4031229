import { BLOG_LADDER } from '../../recipe/presets';
import { MAX_LADDER_SEEDS } from '../ladder-state';
import { useLadder } from '../ladder-store';

const SEED_CHOICES = Array.from({ length: MAX_LADDER_SEEDS }, (_, i) => i + 1);

/** The study's steps in its order, each to add and perhaps to reject. */
export function LadderSteps({ disabled }: { disabled: boolean }) {
  const form = useLadder((s) => s.form);
  const toggleStep = useLadder((s) => s.toggleStep);
  const toggleRejected = useLadder((s) => s.toggleRejected);
  const setNumSeeds = useLadder((s) => s.setNumSeeds);

  return (
    <fieldset className="ladder-steps" disabled={disabled}>
      <legend>Steps, added in the study&apos;s order</legend>
      <ul>
        {BLOG_LADDER.map((step) => (
          <li key={step.name}>
            <label title={step.title}>
              <input
                type="checkbox"
                checked={form.steps.includes(step.name)}
                onChange={() => toggleStep(step.name)}
              />
              {step.name}
            </label>
            <label className="muted">
              <input
                type="checkbox"
                aria-label={`Reject ${step.name}`}
                checked={form.rejected.includes(step.name)}
                onChange={() => toggleRejected(step.name)}
              />
              rejected
            </label>
          </li>
        ))}
      </ul>
      <div className="field">
        <label htmlFor="ladder-seeds">Seeds per rung</label>
        <select
          id="ladder-seeds"
          value={form.numSeeds}
          onChange={(e) => setNumSeeds(Number(e.target.value))}
        >
          {SEED_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
    </fieldset>
  );
}
