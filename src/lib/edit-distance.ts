// Levenshtein distance, for "did you mean" hints on misspelt names.

/** The number of single-character edits that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution =
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(
        Math.min(
          substitution,
          (previous[j] as number) + 1,
          (current[j - 1] as number) + 1,
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The names in `known` close to `given`: within two edits (one for short
 * names), or starting with it, ignoring case and dashes.
 */
export function closeNames(given: string, known: readonly string[]): string[] {
  const plain = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
  const wanted = plain(given);
  const limit = wanted.length < 5 ? 1 : 2;
  return known.filter((name) => {
    const candidate = plain(name);
    if (wanted.length >= 4 && candidate.startsWith(wanted)) return true;
    return editDistance(wanted, candidate) <= limit;
  });
}
