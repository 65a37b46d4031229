// The geometry of the live charts (components/LineChart.tsx): round tick
// values, linear scales and SVG paths. Pure, so Node tests check it. The
// live charts draw their own SVG rather than use recharts, which draws the
// lab's other charts: even at a fixed size, with these ticks, an HTML
// legend and no animation, a recharts redraw of the loss chart took about
// four times the main thread's time (a median 10 ms of CPU against 2.5 ms
// on a 2-core machine), and beside a training run, tasks over the 50 ms
// the Long Tasks API counts as long.

export type Domain = readonly [number, number];

/** A step of 1, 2 or 5 times a power of ten, near `span / count`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const nice = unit < 1.5 ? 1 : unit < 3 ? 2 : unit < 7 ? 5 : 10;
  return nice * power;
}

/**
 * About `count` round values covering [min, max]: the domain widened to
 * the ticks around it, and the ticks. A domain of one value is widened
 * by one unit each way.
 */
export function niceTicks(
  min: number,
  max: number,
  count = 5,
): { domain: Domain; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return { domain: [0, 1], ticks: [0, 1] };
  }
  const [lo, hi] = min === max ? [min - 1, max + 1] : [min, max];
  const step = niceStep(hi - lo, count);
  // Rounded so that 0.1 * 3 reads 0.3, not 0.30000000000000004.
  const round = (v: number) => Number(v.toPrecision(12));
  const from = Math.floor(lo / step);
  const to = Math.ceil(hi / step);
  const ends = { domain: [lo, hi] as const, ticks: [lo, hi] };
  // A span near float precision gives no usable step (or tick indices
  // beyond 2^53, where i + 1 === i): its ends alone.
  const usable =
    step > 0 &&
    Number.isSafeInteger(from) &&
    Number.isSafeInteger(to) &&
    to - from <= 4 * count + 4;
  if (!usable) return ends;
  const ticks: number[] = [];
  for (let i = from; i <= to; i++) ticks.push(round(i * step));
  // Ticks closer than the rounding's 12 digits would merge; ticks near
  // the largest double overflow.
  const bad = (t: number, i: number) =>
    !Number.isFinite(t) || (i > 0 && t <= ticks[i - 1]!);
  if (ticks.some(bad)) return ends;
  return { domain: [ticks[0]!, ticks.at(-1)!], ticks };
}

/** Maps `domain` linearly onto `range`; a zero-width domain to its middle. */
export function linearScale(domain: Domain, range: Domain) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value: number) =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0);
}

/**
 * An SVG path through the points, in order; a point whose value is not
 * finite breaks the line there rather than dropping it to zero.
 */
export function linePath(
  points: readonly (readonly [number, number])[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  let path = '';
  let pen = false;
  for (const [px, py] of points) {
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`;
    pen = true;
  }
  return path;
}
