import { useMemo } from 'react';
import { selectImages, topOf } from '../../eval/select';
import { formatPercent } from '../format';
import { useEval } from '../eval-store';
import { EvalCrop } from './EvalCrop';

/** Images listed at once; the rest are a filter away. */
const LIST_LIMIT = 100;

function Filters() {
  const filter = useEval((s) => s.imageFilter);
  const setFilter = useEval((s) => s.setImageFilter);
  const names = useEval((s) => s.result?.classNames);
  const sorted = useMemo(
    () =>
      (names ?? [])
        .map((name, classId) => ({ name, classId }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [names],
  );
  const classSelect = (key: 'trueClass' | 'predicted', label: string) => (
    <label>
      {label}{' '}
      <select
        aria-label={label}
        value={filter[key] ?? ''}
        onChange={(e) =>
          setFilter({
            [key]: e.target.value === '' ? null : Number(e.target.value),
          })
        }
      >
        <option value="">any</option>
        {sorted.map(({ name, classId }) => (
          <option key={classId} value={classId}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="grid-controls">
      <label>
        <input
          type="checkbox"
          checked={filter.wrongOnly}
          onChange={(e) => setFilter({ wrongOnly: e.target.checked })}
        />{' '}
        wrong only
      </label>
      {classSelect('trueClass', 'True class')}
      {classSelect('predicted', 'Predicted')}
    </div>
  );
}

function Chosen({ position }: { position: number }) {
  const result = useEval((s) => s.result)!;
  const weights = useEval((s) => s.weights);
  const predictions = weights === 'ema' && result.ema ? result.ema : result.raw;
  const name = (c: number) => result.classNames[c] ?? `class ${c}`;
  const label = result.labels[position]!;
  return (
    <div className="eval-chosen" data-testid="eval-chosen">
      <EvalCrop
        index={result.indices[position]!}
        label={`true: ${name(label)}`}
        size="large"
      />
      <ol className="eval-bars">
        {topOf(result, predictions, position).map(({ classId, prob }) => (
          <li key={classId} className={classId === label ? 'is-true' : ''}>
            <span className="eval-bar-name">{name(classId)}</span>
            <span className="eval-bar" style={{ width: `${prob * 100}%` }} />
            <span className="eval-bar-value">{formatPercent(prob)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Pick an image of the validation set; see it with its top-5. */
export function PredictionExplorer() {
  const result = useEval((s) => s.result);
  const weights = useEval((s) => s.weights);
  const filter = useEval((s) => s.imageFilter);
  const selected = useEval((s) => s.selected);
  const select = useEval((s) => s.select);
  const predictions =
    weights === 'ema' && result?.ema ? result.ema : result?.raw;
  const listed = useMemo(
    () =>
      result && predictions ? selectImages(result, predictions, filter) : [],
    [result, predictions, filter],
  );
  if (!result || !predictions) return null;
  const name = (c: number) => result.classNames[c] ?? `class ${c}`;
  const top = (i: number) => predictions.topIndices[i * result.k]!;

  return (
    <div className="eval-section">
      <h3>Predictions</h3>
      <Filters />
      <div className="eval-explorer">
        <select
          size={12}
          className="eval-image-list"
          aria-label="Images"
          data-testid="eval-images"
          data-count={listed.length}
          value={selected ?? ''}
          onChange={(e) => select(Number(e.target.value))}
        >
          {listed.slice(0, LIST_LIMIT).map((i) => (
            <option key={i} value={i}>
              {`#${result.indices[i]} ${name(result.labels[i]!)} → ${name(top(i))}`}
            </option>
          ))}
        </select>
        {selected !== null && <Chosen position={selected} />}
      </div>
      <p className="muted">
        {listed.length > LIST_LIMIT
          ? `${LIST_LIMIT} of ${listed.length} images listed; filter for the rest`
          : `${listed.length} images`}
      </p>
    </div>
  );
}
