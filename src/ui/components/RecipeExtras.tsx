import { unappliedSettings } from '../../recipe/applied';
import {
  DEFAULT_RECIPE,
  formatValue,
  kebabCase,
  type Recipe,
} from '../../recipe/recipe';
import { useImports } from '../import-store';
import { UNFORMED_KEYS } from '../recipe-fields';
import { formRecipe } from '../recipe-link';
import { isBusy } from '../run-events';
import { DEMO_DATASET, useLab } from '../store';

/** What of the page's address could not be used, and what was instead. */
export function LinkNotices() {
  const notices = useLab((s) => s.linkNotices);
  const dismiss = useLab((s) => s.dismissLinkNotices);
  if (notices.length === 0) return null;
  return (
    <div className="notice" role="status" data-testid="link-notices">
      <p>Parts of this page&apos;s link could not be used:</p>
      <ul>
        {notices.map((notice) => (
          <li key={notice}>{notice}</li>
        ))}
      </ul>
      <button type="button" className="link-button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** The stored datasets the form can train, the demo first. */
export function TrainOnField() {
  const disabled = useLab((s) => isBusy(s.run.status));
  const trainOn = useLab((s) => s.trainOn);
  const setTrainOn = useLab((s) => s.setTrainOn);
  const stored = useImports((s) => s.datasets);
  const names = [
    DEMO_DATASET,
    ...stored.filter((d) => d.complete).map((d) => d.name),
  ];
  // A dataset named by a link but not stored here stays listed, so the
  // form says what the run would ask for (and the run says it is missing).
  if (!names.includes(trainOn)) names.push(trainOn);
  return (
    <div className="field">
      <label htmlFor="recipe-train-on">Train on</label>
      <select
        id="recipe-train-on"
        value={trainOn}
        disabled={disabled}
        onChange={(e) => setTrainOn(e.target.value)}
      >
        {[...new Set(names)].map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
    </div>
  );
}

const UNFORMED = new Set<string>(UNFORMED_KEYS);

/** "key value" for each option the form has no field for, off defaults. */
function otherSettings(recipe: Readonly<Recipe>): string[] {
  return Object.entries(recipe)
    .filter(([key]) => UNFORMED.has(key))
    .filter(([key, value]) => value !== DEFAULT_RECIPE[key as keyof Recipe])
    .map(([key, value]) => `${kebabCase(key)} ${formatValue(value)}`);
}

/** The recipe's options beyond the form's fields, from the page's link. */
export function OtherOptions() {
  const base = useLab((s) => s.recipe);
  const draft = useLab((s) => s.draft);
  const recipe = formRecipe(base, draft) ?? base;
  const others = otherSettings(recipe);
  const unapplied = unappliedSettings(recipe, kebabCase);
  if (others.length === 0 && unapplied.length === 0) return null;
  return (
    <div className="muted" data-testid="other-options">
      {others.length > 0 && <p>Also in this recipe: {others.join(', ')}.</p>}
      {unapplied.length > 0 && (
        <p>
          Not applied by the training loop yet, so a run trains without:{' '}
          {unapplied.join(', ')}.
        </p>
      )}
    </div>
  );
}
