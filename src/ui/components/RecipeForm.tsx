import type { FormEvent } from 'react';
import { MODEL_NAMES } from '../../recipe/recipe';
import {
  DRAFT_FIELDS,
  draftOverrides,
  draftProblems,
  type DraftField,
} from '../recipe-draft';
import { isBusy } from '../run-events';
import { useLab } from '../store';
import { LinkNotices, OtherOptions, TrainOnField } from './RecipeExtras';
import { RunControls } from './RunControls';

const LABELS: Record<DraftField, string> = {
  model: 'Model',
  width: 'Width multiplier',
  imageSize: 'Image size (px)',
  epochs: 'Epochs',
  lr: 'Learning rate',
  batchSize: 'Batch size',
  seed: 'Seed',
  patience: 'Patience (epochs, 0 = off)',
  limit: 'Training images (0 = all)',
};

export const RECIPE_FORM_ID = 'recipe-form';

function Field({ field, problem }: { field: DraftField; problem?: string }) {
  const value = useLab((s) => s.draft[field]);
  const setDraft = useLab((s) => s.setDraft);
  const id = `recipe-${field}`;
  const common = {
    id,
    name: field,
    value,
    'aria-invalid': problem !== undefined,
    'aria-describedby': problem ? `${id}-problem` : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{LABELS[field]}</label>
      {field === 'model' ? (
        <select {...common} onChange={(e) => setDraft(field, e.target.value)}>
          {MODEL_NAMES.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setDraft(field, e.target.value)}
        />
      )}
      {problem && (
        <p className="field-problem" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}

/** The recipe's main options, checked as they are typed. */
export function RecipeForm() {
  const draft = useLab((s) => s.draft);
  const busy = useLab((s) => isBusy(s.run.status));
  const train = useLab((s) => s.train);
  const trainOn = useLab((s) => s.trainOn);
  const resetDraft = useLab((s) => s.resetDraft);
  const problems = draftProblems(draft);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const overrides = draftOverrides(draft);
    // Failures land in the store and show in the error box.
    if (overrides) train(overrides, { dataset: trainOn }).catch(() => {});
  };

  return (
    <section className="panel" aria-labelledby="recipe-title">
      <h2 id="recipe-title">Recipe</h2>
      <LinkNotices />
      <form id={RECIPE_FORM_ID} onSubmit={submit} noValidate>
        <fieldset disabled={busy} className="fields">
          <legend className="visually-hidden">Recipe options</legend>
          <TrainOnField disabled={busy} />
          {DRAFT_FIELDS.map((field) => (
            <Field key={field} field={field} problem={problems[field]} />
          ))}
        </fieldset>
        <OtherOptions />
        <button
          type="button"
          className="link-button"
          onClick={resetDraft}
          disabled={busy}
        >
          Reset to the demo recipe
        </button>
      </form>
      <RunControls formId={RECIPE_FORM_ID} />
    </section>
  );
}
