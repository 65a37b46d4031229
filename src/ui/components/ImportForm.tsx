import {
  IMPORT_FITS,
  importFormProblems,
  type ImportField,
} from '../import-form';
import { useImports } from '../import-store';

const LABELS: Record<Exclude<ImportField, 'fit'>, string> = {
  name: 'Dataset name',
  imageSize: 'Stored size (px)',
  valFraction: 'Validation fraction',
  seed: 'Hold-out seed',
};

function TextField({
  field,
  disabled,
}: {
  field: Exclude<ImportField, 'fit'>;
  disabled: boolean;
}) {
  const value = useImports((s) => s.form[field]);
  // Until a source is picked an empty form is not yet wrong, only unfilled.
  const problem = useImports((s) =>
    s.picked || s.form[field] !== ''
      ? importFormProblems(s.form)[field]
      : undefined,
  );
  const setField = useImports((s) => s.setField);
  const id = `import-${field}`;
  return (
    <div className="field">
      <label htmlFor={id}>{LABELS[field]}</label>
      <input
        id={id}
        value={value}
        disabled={disabled}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={problem !== undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
        onChange={(e) => setField(field, e.target.value)}
      />
      {problem && (
        <p className="field-problem" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}

/** Name, stored size, fit, validation fraction and seed of an import. */
export function ImportFormFields({ disabled }: { disabled: boolean }) {
  const fit = useImports((s) => s.form.fit);
  const setField = useImports((s) => s.setField);
  return (
    <div className="fields">
      <TextField field="name" disabled={disabled} />
      <TextField field="imageSize" disabled={disabled} />
      <div className="field">
        <label htmlFor="import-fit">Fit</label>
        <select
          id="import-fit"
          value={fit}
          disabled={disabled}
          onChange={(e) =>
            setField('fit', e.target.value as (typeof IMPORT_FITS)[number])
          }
        >
          {IMPORT_FITS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </div>
      <TextField field="valFraction" disabled={disabled} />
      <TextField field="seed" disabled={disabled} />
    </div>
  );
}
