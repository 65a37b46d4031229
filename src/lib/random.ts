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

/** A uniform float in [low, high). */
export function uniformBetween(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng();
}
