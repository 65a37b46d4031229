import { PRESET_NAMES, PRESETS } from '../../recipe/presets';
import type { Recipe } from '../../recipe/recipe';
import { emaDecayNote, lrScalingSuggestion } from '../recipe-fields';
import { formRecipe } from '../recipe-link';
import { isBusy } from '../run-events';
import { useLab } from '../store';

/** The presets the form holds exactly; several rungs can be alike. */
function matchingPresets(recipe: Readonly<Recipe> | null): string[] {
  if (!recipe) return [];
  const keys = Object.keys(recipe) as (keyof Recipe)[];
  return PRESET_NAMES.filter((name) => {
    const preset = PRESETS.get(name)!;
    return keys.every((key) => preset[key] === recipe[key]);
  });
}

/** Loads a named preset into every field of the form. */
export function PresetPicker() {
  const disabled = useLab((s) => isBusy(s.run.status));
  const loadPreset = useLab((s) => s.loadPreset);
  const base = useLab((s) => s.recipe);
  const draft = useLab((s) => s.draft);
  const matches = matchingPresets(formRecipe(base, draft));
  return (
    <div className="field">
      <label htmlFor="recipe-preset">Preset</label>
      <select
        id="recipe-preset"
        value=""
        disabled={disabled}
        onChange={(e) => {
          if (e.target.value) loadPreset(e.target.value);
        }}
      >
        <option value="">Load a preset…</option>
        {PRESET_NAMES.map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
      {matches.length > 0 && (
        <p className="field-note" data-testid="preset-match">
          The form holds {matches.join(' = ')}.
        </p>
      )}
    </div>
  );
}

/** The linear scaling rule's LR for a changed batch size, on request. */
export function LrSuggestion() {
  const from = useLab((s) => s.lrScaleFrom);
  const draft = useLab((s) => s.draft);
  const accept = useLab((s) => s.acceptLrSuggestion);
  const lr = lrScalingSuggestion(from, draft);
  if (lr === null || !from) return null;
  return (
    <p className="notice" data-testid="lr-suggestion">
      Batch {from.batchSize} → {draft.batchSize}: the linear scaling rule gives
      LR {from.lr} × {draft.batchSize} / {from.batchSize} = {lr}.{' '}
      <button type="button" className="link-button" onClick={accept}>
        Use LR {lr}
      </button>
    </p>
  );
}

/** The decay the EMA really gets per update, which the recipe hides. */
export function EmaDecayNote() {
  const note = useLab((s) => emaDecayNote(s.draft));
  if (!note) return null;
  return (
    <p className="muted" data-testid="ema-decay">
      {note}
    </p>
  );
}
