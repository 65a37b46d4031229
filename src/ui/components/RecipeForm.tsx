import { memo, useMemo, type FormEvent, type ReactNode } from 'react';
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

// A run's start and end switch the whole form off and on. Only these two
// small parts follow the run's status: the fieldset disables the fields
// inside it without their own re-render (React keeps the same children),
// so Train's click does not redraw every field of the recipe.
function BusyFieldset({ children }: { children: ReactNode }) {
  const busy = useLab((s) => isBusy(s.run.status));
  return (
    <fieldset disabled={busy} className="recipe-steps">
      {children}
    </fieldset>
  );
}

function ResetButton() {
  const busy = useLab((s) => isBusy(s.run.status));
  const resetDraft = useLab((s) => s.resetDraft);
  return (
    <button
      type="button"
      className="link-button"
      onClick={resetDraft}
      disabled={busy}
    >
      Reset to the demo recipe
    </button>
  );
}

const Steps = memo(function Steps() {
  const draft = useLab((s) => s.draft);
  const base = useLab((s) => s.recipe);
  const problems = useMemo(() => formProblems(base, draft), [base, draft]);
  return RECIPE_STEPS.map((step) => (
    <RecipeStep key={step.id} step={step} problems={problems}>
      {STEP_EXTRAS[step.id]}
    </RecipeStep>
  ));
});

/** Every step of the recipe, grouped, checked as it is typed. */
export function RecipeForm() {
  const draft = useLab((s) => s.draft);
  const train = useLab((s) => s.train);
  const trainOn = useLab((s) => s.trainOn);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const overrides = draftOverrides(draft);
    if (!overrides) return;
    // The run starts in the next task, not in the click's: on a busy
    // machine the click's own handling (pointer events, layout) and the
    // start (the store, the run log, the page's redraw for the run) took
    // over the 50 ms a task may take together, and each well under it.
    setTimeout(() => {
      // Failures land in the store and show in the error box.
      train(overrides, { dataset: trainOn }).catch(() => {});
    }, 0);
  };

  return (
    <section className="panel" aria-labelledby="recipe-title">
      <h2 id="recipe-title">Recipe</h2>
      <LinkNotices />
      <form id={RECIPE_FORM_ID} onSubmit={submit} noValidate>
        <BusyFieldset>
          <legend className="visually-hidden">Recipe options</legend>
          <div className="fields">
            <TrainOnField />
            <PresetPicker />
          </div>
          <Steps />
        </BusyFieldset>
        <OtherOptions />
        <ResetButton />
      </form>
      <RunControls formId={RECIPE_FORM_ID} />
      <RecipeLink />
      <RunElsewhere />
    </section>
  );
}
