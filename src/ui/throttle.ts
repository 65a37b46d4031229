// Keeps the newest of a stream of values and hands it on at most once per
// interval, never dropping the last one: a value that arrives too soon is
// handed on at the next scheduled flush instead.

export interface Throttle<T> {
  push(value: T): void;
  /** Hands on a value still waiting, at once. */
  flush(): void;
}

export function createThrottle<T>(
  apply: (value: T) => void,
  options: {
    intervalMs: number;
    now(): number;
    schedule(run: () => void): void;
  },
): Throttle<T> {
  let waiting: { value: T } | null = null;
  let lastApplied = -Infinity;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (!waiting) return;
    const { value } = waiting;
    waiting = null;
    lastApplied = options.now();
    apply(value);
  };

  return {
    push(value) {
      waiting = { value };
      if (options.now() - lastApplied >= options.intervalMs) flush();
      else if (!scheduled) {
        scheduled = true;
        options.schedule(flush);
      }
    },
    flush,
  };
}
