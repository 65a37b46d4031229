import { useMemo } from 'react';
import { confusedPairs } from '../../eval/metrics';
import { selectImages } from '../../eval/select';
import { useEval } from '../eval-store';
import { EvalCrop } from './EvalCrop';

const NUM_PAIRS = 6;

/** The most confused pairs, each with an image of the two classes. */
export function ConfusedPairs() {
  const evaluation = useEval((s) => s.evaluation);
  const result = useEval((s) => s.result);
  const weights = useEval((s) => s.weights);
  const setImageFilter = useEval((s) => s.setImageFilter);
  const predictions =
    weights === 'ema' && result?.ema ? result.ema : result?.raw;
  const model =
    weights === 'ema' && evaluation?.ema ? evaluation.ema : evaluation?.raw;

  const pairs = useMemo(() => {
    if (!result || !model || !predictions) return [];
    return confusedPairs(model.confusion, result.numClasses, NUM_PAIRS).map(
      (pair) => {
        // One image of the true class taken for the other, and one of the
        // other class, right where there is one, as a user compares them.
        const [mistaken] = selectImages(result, predictions, {
          wrongOnly: true,
          trueClass: pair.trueClass,
          predicted: pair.predicted,
        });
        const right = selectImages(result, predictions, {
          wrongOnly: false,
          trueClass: pair.predicted,
          predicted: pair.predicted,
        });
        const any = selectImages(result, predictions, {
          wrongOnly: false,
          trueClass: pair.predicted,
          predicted: null,
        });
        return { ...pair, mistaken, other: right[0] ?? any[0] };
      },
    );
  }, [result, model, predictions]);
  if (!result) return null;
  const name = (c: number) => result.classNames[c] ?? `class ${c}`;

  return (
    <div className="eval-section">
      <h3>Most confused pairs</h3>
      {pairs.length === 0 && <p className="muted">No image was mistaken.</p>}
      <ol className="eval-pairs" data-testid="eval-pairs">
        {pairs.map((p) => (
          <li key={`${p.trueClass}-${p.predicted}`}>
            <button
              type="button"
              className="link-button"
              onClick={() =>
                setImageFilter({
                  trueClass: p.trueClass,
                  predicted: p.predicted,
                  wrongOnly: false,
                })
              }
            >
              {`${name(p.trueClass)} → ${name(p.predicted)}: ${p.count}`}
            </button>
            <span className="muted">{` (the other way: ${p.reverse})`}</span>
            <div className="eval-pair-crops">
              {p.mistaken !== undefined && (
                <EvalCrop
                  index={result.indices[p.mistaken]!}
                  label={`${name(p.trueClass)}, taken for ${name(p.predicted)}`}
                />
              )}
              {p.other !== undefined && (
                <EvalCrop
                  index={result.indices[p.other]!}
                  label={name(p.predicted)}
                />
              )}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
