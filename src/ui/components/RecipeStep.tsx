import { useState, type ReactNode } from 'react';
import { isShown, type StepSpec } from '../recipe-fields';
import type { DraftField } from '../recipe-draft';
import { useLab } from '../store';
import { RecipeField } from './RecipeField';

interface Props {
  step: StepSpec;
  problems: Partial<Record<DraftField, string>>;
  /** What the step shows below its fields (a note, a suggestion). */
  children?: ReactNode;
}

/**
 * One step of the recipe as a collapsible group: its switch and, while
 * the step is on, its parameters.
 */
export function RecipeStep({ step, problems, children }: Props) {
  const draft = useLab((s) => s.draft);
  const isOn = step.isOn?.(draft);
  const fields = step.fields.filter((f) => isShown(draft, f.key));
  const numProblems = fields.filter((f) => problems[f.key]).length;
  const [open, setOpen] = useState(isOn ?? true);
  const [wasOn, setWasOn] = useState(isOn);
  // A step opens when it is switched on (by hand or by a preset); only
  // the reader closes it, so switching off leaves its switch in view.
  if (isOn !== wasOn) {
    setWasOn(isOn);
    if (isOn) setOpen(true);
  }
  return (
    <details
      className="recipe-step"
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-step={step.id}
    >
      <summary>
        {step.title}
        {isOn !== undefined && (
          <span className="muted"> ({isOn ? 'on' : 'off'})</span>
        )}
        {numProblems > 0 && (
          <span className="field-problem">
            {' '}
            {numProblems === 1 ? '1 field to fix' : `${numProblems} to fix`}
          </span>
        )}
      </summary>
      <div className="fields">
        {fields.map((spec) => (
          <RecipeField
            key={spec.key}
            spec={spec}
            problem={problems[spec.key]}
          />
        ))}
      </div>
      {children}
    </details>
  );
}
