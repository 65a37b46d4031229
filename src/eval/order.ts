// The confusion matrix's row and column order. By class is the identity;
// by confusion chains classes so that those most often taken for one
// another sit side by side, which gathers the errors of a fine-grained set
// (a maker's models, a model's years) into blocks near the diagonal.
// Pure.

export type MatrixOrder = 'class' | 'confusion';

/** Union-find root of `i`, halving paths as it goes. */
function root(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]!]!;
    i = parent[i]!;
  }
  return i;
}

/**
 * Classes in an order where the most confused pairs are neighbours: the
 * symmetric confusion (a->b plus b->a) joins classes into chains, heaviest
 * first, as a greedy path cover (each class at most two neighbours, no
 * cycles); chains follow one another by their heaviest link, then the
 * classes never confused, by id.
 */
export function confusionOrder(
  confusion: Int32Array,
  numClasses: number,
): number[] {
  const n = numClasses;
  const links: [number, number, number][] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const w = confusion[a * n + b]! + confusion[b * n + a]!;
      if (w > 0) links.push([w, a, b]);
    }
  }
  links.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const degree = new Int32Array(n);
  const next: number[][] = Array.from({ length: n }, () => []);
  const firstSeen: number[] = [];
  for (const [, a, b] of links) {
    if (degree[a]! >= 2 || degree[b]! >= 2) continue;
    const ra = root(parent, a);
    const rb = root(parent, b);
    if (ra === rb) continue;
    parent[ra] = rb;
    degree[a]!++;
    degree[b]!++;
    next[a]!.push(b);
    next[b]!.push(a);
    firstSeen.push(a);
  }
  return walkChains(next, firstSeen);
}

/** The chains of `next` (a path cover), one after another. */
function walkChains(next: number[][], firstSeen: number[]): number[] {
  const n = next.length;
  const placed = new Uint8Array(n);
  const order: number[] = [];
  for (const member of firstSeen) {
    if (placed[member]) continue;
    // Walk to one end of the chain, then along it.
    let end = member;
    let from = -1;
    for (;;) {
      const to = next[end]!.find((c) => c !== from);
      if (to === undefined) break;
      from = end;
      end = to;
    }
    let at = end;
    let prev = -1;
    while (at !== -1 && !placed[at]) {
      placed[at] = 1;
      order.push(at);
      const to = next[at]!.find((c) => c !== prev && !placed[c]);
      prev = at;
      at = to ?? -1;
    }
  }
  for (let c = 0; c < n; c++) if (!placed[c]) order.push(c);
  return order;
}

/** The matrix's order for `order`. */
export function matrixOrder(
  order: MatrixOrder,
  confusion: Int32Array,
  numClasses: number,
): number[] {
  if (order === 'confusion') return confusionOrder(confusion, numClasses);
  return Array.from({ length: numClasses }, (_, i) => i);
}
