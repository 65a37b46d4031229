import { formatDuration } from '../format';
import type { TimeLeft } from '../time-left';

/**
 * A long task's bar: the share done and the time left, as time-left.ts
 * estimates them. `label` names the bar for screen readers and the line.
 */
export function TimeLeftBar({
  label,
  at,
}: {
  label: string;
  at: TimeLeft | null;
}) {
  const left =
    at === null || !Number.isFinite(at.secondsLeft)
      ? 'time left not known yet'
      : `about ${formatDuration(at.secondsLeft)} left`;
  return (
    <div className="time-left">
      <progress
        aria-label={label}
        max={1}
        {...(at !== null && { value: at.fraction })}
      />
      <span>
        {label}
        {at !== null && ` ${Math.floor(at.fraction * 100)}%`}, {left}
      </span>
    </div>
  );
}
