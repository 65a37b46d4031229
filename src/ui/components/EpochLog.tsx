import { epochLine } from '../format';
import { useLab } from '../store';

/** One text line per finished epoch, easy to copy into notes. */
export function EpochLog() {
  const epochs = useLab((s) => s.run.epochs);
  const numEpochs = useLab((s) => s.run.recipe?.epochs ?? epochs.length);
  return (
    <section className="panel" aria-labelledby="log-title">
      <h2 id="log-title">Epoch log</h2>
      {epochs.length === 0 ? (
        <p className="muted">No epoch finished yet.</p>
      ) : (
        <ol className="epoch-log" role="log" aria-labelledby="log-title">
          {epochs.map((m) => (
            <li key={m.epoch}>{epochLine(m, numEpochs)}</li>
          ))}
        </ol>
      )}
    </section>
  );
}
