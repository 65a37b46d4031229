import { formatPercent } from '../format';
import { useEval } from '../eval-store';
import { ConfusedPairs } from './ConfusedPairs';
import { ConfusionMatrix } from './ConfusionMatrix';
import { EvalClassTable } from './EvalClassTable';
import { PredictionExplorer } from './PredictionExplorer';

function Progress() {
  const progress = useEval((s) => s.progress);
  if (!progress) return <p className="muted">Starting the evaluation…</p>;
  const { weights, done, total } = progress;
  return (
    <p className="muted">
      <progress value={done} max={total} />{' '}
      {`${weights === 'ema' ? 'EMA weights' : 'weights'}: ${done} of ${total} images`}
    </p>
  );
}

/** Top-1 and top-5 of the weights and, beside them, of their EMA. */
function Summary() {
  const evaluation = useEval((s) => s.evaluation)!;
  const weights = useEval((s) => s.weights);
  const setWeights = useEval((s) => s.setWeights);
  const { raw, ema } = evaluation;
  const row = (label: string, m: typeof raw, which: 'raw' | 'ema') => (
    <tr data-weights={which} data-top1={m.top1} data-top5={m.top5}>
      <th scope="row">
        <label>
          <input
            type="radio"
            name="eval-weights"
            checked={weights === which}
            onChange={() => setWeights(which)}
          />{' '}
          {label}
        </label>
      </th>
      <td>{formatPercent(m.top1)}</td>
      <td>{formatPercent(m.top5)}</td>
    </tr>
  );
  return (
    <table className="runs-table eval-summary" data-testid="eval-summary">
      <thead>
        <tr>
          <th>{`${evaluation.numImages} validation images`}</th>
          <th>Top-1</th>
          <th>Top-5</th>
        </tr>
      </thead>
      <tbody>
        {row('Weights', raw, 'raw')}
        {ema && row('EMA weights', ema, 'ema')}
      </tbody>
    </table>
  );
}

/** A run's weights over the validation set: figures, errors, images. */
export function EvaluationPanel() {
  const target = useEval((s) => s.target);
  const status = useEval((s) => s.status);
  const error = useEval((s) => s.error);
  const result = useEval((s) => s.result);
  const close = useEval((s) => s.close);
  if (!target) return null;
  const from = target.source === 'final' ? 'final weights' : 'checkpoint';
  const epochs = result ? `, ${result.epochs} epochs` : '';
  return (
    <section
      className="panel"
      aria-labelledby="eval-title"
      data-testid="evaluation"
      data-status={status}
    >
      <div className="chart-head">
        <h2 id="eval-title">{`Evaluation: ${target.name}`}</h2>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
      <p className="muted">{`${from}${epochs}${result ? ` on ${result.dataset}` : ''}`}</p>
      {status === 'running' && <Progress />}
      {status === 'failed' && (
        <p className="runs-error" role="alert">
          {error}
        </p>
      )}
      {status === 'done' && (
        <>
          <Summary />
          <div className="eval-grid">
            <ConfusionMatrix />
            <EvalClassTable />
          </div>
          <ConfusedPairs />
          <PredictionExplorer />
        </>
      )}
    </section>
  );
}
