import { explainError } from '../error-help';
import { useLab } from '../store';

/** The last error of any layer, explained, with what can be done now. */
export function ErrorBox() {
  const error = useLab((s) => s.error);
  const dataset = useLab((s) => s.dataset);
  const importDemo = useLab((s) => s.importDemo);
  const dismissError = useLab((s) => s.dismissError);
  if (!error) return null;

  const help = explainError(error, dataset);
  const retry = () => {
    // The outcome, success or a new error, shows in the store's state.
    importDemo().catch(() => {});
  };
  return (
    <div className="error-box" role="alert" aria-labelledby="error-title">
      <h2 id="error-title">{help.title}</h2>
      {help.lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <p className="error-detail">
        <code>{error.code}</code> {error.message}
      </p>
      <div className="button-row">
        {help.retry === 'import' && (
          <button
            type="button"
            onClick={retry}
            disabled={dataset.status === 'importing'}
          >
            Retry import
          </button>
        )}
        <button type="button" className="secondary" onClick={dismissError}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
