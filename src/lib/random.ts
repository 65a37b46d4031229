// Seeded pseudo-random numbers. Every random choice the lab makes
// (initialisation seeds, shuffles, subsets, augmentation draws) comes from
// here, so that a seed fixes a run.

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/** Mulberry32: a 32-bit state, fast, and good enough for shuffling. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent seed for a named stream, e.g. ('shuffle', epoch). */
export function deriveSeed(
  seed: number,
  ...parts: (string | number)[]
): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  }
  return h;
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[] | Int32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** A standard normal draw (Box-Muller; 1 - u keeps the log finite). */
export function sampleNormal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A Gamma(shape, 1) draw by Marsaglia and Tsang's squeeze method (ACM TOMS
 * 26(3), 2000). Shapes below 1 draw Gamma(shape + 1) and scale it by
 * u^(1/shape), as that paper proposes.
 */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0)) {
    throw new Error(`gamma shape must be > 0, got ${shape}`);
  }
  if (shape < 1) {
    const u = 1 - rng();
    return sampleGamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x + y > 0 ? x / (x + y) : a >= b ? 1 : 0;
}

/** A uniform float in [low, high). */
export function uniformBetween(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng();
}
