import type { FormEvent, ReactNode } from 'react';
import { draftOverrides } from '../recipe-draft';
import { formProblems, RECIPE_STEPS } from '../recipe-fields';
import { isBusy } from '../run-events';
import { useLab } from '../store';
import { LinkNotices, OtherOptions, TrainOnField } from './RecipeExtras';
import { EmaDecayNote, LrSuggestion, PresetPicker } from './RecipeHints';
import { RecipeLink, RunElsewhere } from './RecipeShare';
import { RecipeStep } from './RecipeStep';
import { RunControls } from './RunControls';

export const RECIPE_FORM_ID = 'recipe-form';

/** What a step shows below its fields, by the step's id. */
const STEP_EXTRAS: Record<string, ReactNode> = {
  basics: <LrSuggestion />,
  ema: <EmaDecayNote />,
};

/** Every step of the recipe, grouped, checked as it is typed. */
export function RecipeForm() {
  const draft = useLab((s) => s.draft);
  const base = useLab((s) => s.recipe);
  const busy = useLab((s) => isBusy(s.run.status));
  const train = useLab((s) => s.train);
  const trainOn = useLab((s) => s.trainOn);
  const resetDraft = useLab((s) => s.resetDraft);
  const problems = formProblems(base, draft);

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
        <fieldset disabled={busy} className="recipe-steps">
          <legend className="visually-hidden">Recipe options</legend>
          <div className="fields">
            <TrainOnField disabled={busy} />
            <PresetPicker disabled={busy} />
          </div>
          {RECIPE_STEPS.map((step) => (
            <RecipeStep key={step.id} step={step} problems={problems}>
              {STEP_EXTRAS[step.id]}
            </RecipeStep>
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
      <RecipeLink />
      <RunElsewhere />
    </section>
  );
}
