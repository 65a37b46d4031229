// Says that another tab of the lab is training, which this tab follows:
// the status line and the charts below are that run's.
import { isTrainingElsewhere } from '../run-events';
import { useLab } from '../store';

export function ElsewhereBanner() {
  const elsewhere = useLab((s) => isTrainingElsewhere(s.run));
  const runId = useLab((s) => s.run.runId);
  const dataset = useLab((s) => s.run.dataset);
  const model = useLab((s) => s.run.recipe?.model);
  if (!elsewhere) return null;
  const what = [runId, model && dataset && `(${model} on ${dataset})`]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="banner notice" role="status" data-testid="elsewhere-banner">
      <p>
        <strong>A run is training in another tab</strong>
        {what && `: ${what}`}. Its progress shows here; this tab can train once
        it ends or that tab closes.
      </p>
    </div>
  );
}
