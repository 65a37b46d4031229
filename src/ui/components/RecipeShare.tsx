import { useState } from 'react';
import {
  commandText,
  timmCommand,
  torchvisionCommand,
  type Command,
} from '../../recipe/commands';
import { useImports } from '../import-store';
import { formRecipe, linkSearch } from '../recipe-link';
import { pageBase } from '../run-cards';
import { useLab } from '../store';
import { CopyField } from './CopyField';

/** The form's recipe and dataset as an address to copy. */
export function RecipeLink() {
  const base = useLab((s) => s.recipe);
  const draft = useLab((s) => s.draft);
  const trainOn = useLab((s) => s.trainOn);
  const search = linkSearch(base, draft, trainOn);
  if (search === null) {
    return <p className="muted">Fix the recipe to get its link.</p>;
  }
  return (
    <CopyField
      label="Recipe link"
      text={`${pageBase(window.location)}${search}`}
      button="Copy link"
    />
  );
}

function CommandBlock({ title, command }: { title: string; command: Command }) {
  return (
    <div className="command-block">
      <h4>{title}</h4>
      <CopyField
        label={`${title} command`}
        text={commandText(command)}
        rows={Math.min(12, Math.ceil(command.args.length / 2) + 2)}
      />
      {command.notes.length > 0 && (
        <ul className="muted command-notes">
          {command.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The recipe as torchvision's and timm's train.py commands. */
export function RunElsewhere() {
  const base = useLab((s) => s.recipe);
  const draft = useLab((s) => s.draft);
  const dataset = useLab((s) => s.trainOn);
  const manifest = useImports((s) =>
    s.datasets.find((d) => d.name === dataset),
  );
  const [gpus, setGpus] = useState(1);
  const recipe = formRecipe(base, draft);
  const target = {
    dataset,
    gpus,
    numClasses: manifest ? manifest.classNames.length : null,
  };
  return (
    <details className="run-elsewhere" data-testid="run-elsewhere">
      <summary>Run elsewhere</summary>
      <div className="field">
        <label htmlFor="run-elsewhere-gpus">GPUs</label>
        <input
          id="run-elsewhere-gpus"
          type="number"
          min={1}
          max={64}
          value={gpus}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (Number.isInteger(n) && n >= 1 && n <= 64) setGpus(n);
          }}
        />
      </div>
      {recipe === null ? (
        <p className="muted">Fix the recipe to get its commands.</p>
      ) : (
        <>
          <CommandBlock
            title="torchvision references/classification"
            command={torchvisionCommand(recipe, target)}
          />
          <CommandBlock title="timm" command={timmCommand(recipe, target)} />
        </>
      )}
    </details>
  );
}
