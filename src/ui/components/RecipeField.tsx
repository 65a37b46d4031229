import { CHOICE_NOTES } from '../../recipe/recipe';
import { describeOption, optionRule } from '../../recipe/validate';
import type { FieldSpec } from '../recipe-fields';
import { useLab } from '../store';

interface Props {
  spec: FieldSpec;
  problem?: string;
}

/** One option's control, drawn from the kind of value its rule allows. */
export function RecipeField({ spec, problem }: Props) {
  const { key, label } = spec;
  const value = useLab((s) => s.draft[key]);
  const setDraft = useLab((s) => s.setDraft);
  const rule = optionRule(key);
  const id = `recipe-${key}`;
  const note = CHOICE_NOTES[key]?.[value];
  const described = [problem && `${id}-problem`, note && `${id}-note`];
  const common = {
    id,
    name: key,
    'aria-invalid': problem !== undefined,
    'aria-describedby': described.filter(Boolean).join(' ') || undefined,
  };

  if (rule.kind === 'boolean') {
    return (
      <div className="field field-check">
        <input
          {...common}
          type="checkbox"
          checked={value === 'true'}
          onChange={(e) => setDraft(key, String(e.target.checked))}
        />
        <label htmlFor={id}>{label}</label>
        <Problem id={id} problem={problem} />
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {rule.kind === 'choice' ? (
        <select
          {...common}
          value={value}
          onChange={(e) => setDraft(key, e.target.value)}
        >
          {rule.choices.map((choice) => (
            <option key={choice}>{choice}</option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          value={value}
          title={describeOption(key)}
          // "none" needs letters; the others only digits.
          inputMode={rule.nullable ? 'text' : 'decimal'}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setDraft(key, e.target.value)}
        />
      )}
      {note && (
        <p className="field-note" id={`${id}-note`}>
          {note}
        </p>
      )}
      <Problem id={id} problem={problem} />
    </div>
  );
}

function Problem({ id, problem }: { id: string; problem?: string }) {
  if (!problem) return null;
  return (
    <p className="field-problem" id={`${id}-problem`}>
      {problem}
    </p>
  );
}
