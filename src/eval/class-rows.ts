// The per-class table's rows: name, images, top-1 accuracy of the weights
// and of the EMA, sorted by a column and filtered by words of the name.
// Pure.
import { emaChange, type Evaluation } from './metrics';

export interface ClassRow {
  classId: number;
  name: string;
  count: number;
  correct: number;
  accuracy: number | null;
  /** EMA accuracy, and its change against the weights', with an EMA. */
  emaAccuracy: number | null;
  change: number | null;
}

export const CLASS_COLUMNS = ['name', 'count', 'accuracy', 'change'] as const;
export type ClassColumn = (typeof CLASS_COLUMNS)[number];

export interface ClassSort {
  column: ClassColumn;
  descending: boolean;
}

/** Worst classes first: where a user looks for what to fix. */
export const DEFAULT_CLASS_SORT: ClassSort = {
  column: 'accuracy',
  descending: false,
};

export function classRows(
  evaluation: Evaluation,
  classNames: readonly string[],
): ClassRow[] {
  const { raw, ema } = evaluation;
  const change = ema ? emaChange(raw.perClass, ema.perClass) : null;
  return raw.perClass.map((c) => ({
    classId: c.classId,
    name: classNames[c.classId] ?? `class ${c.classId}`,
    count: c.count,
    correct: c.correct,
    accuracy: c.accuracy,
    emaAccuracy: ema?.perClass[c.classId]?.accuracy ?? null,
    change: change?.[c.classId] ?? null,
  }));
}

function compare(a: ClassRow, b: ClassRow, column: ClassColumn): number {
  if (column === 'name') return a.name.localeCompare(b.name);
  const x = a[column];
  const y = b[column];
  // Classes without a figure go last in either direction (see sortClasses).
  if (x === null || y === null) return 0;
  return x - y;
}

/** Rows whose name holds every word of `filter`, sorted; ties by id. */
export function sortClasses(
  rows: readonly ClassRow[],
  sort: ClassSort,
  filter = '',
): ClassRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = rows.filter((r) =>
    words.every((w) => r.name.toLowerCase().includes(w)),
  );
  const sign = sort.descending ? -1 : 1;
  const missing = (r: ClassRow) =>
    sort.column !== 'name' && r[sort.column] === null ? 1 : 0;
  return kept.sort(
    (a, b) =>
      missing(a) - missing(b) ||
      sign * compare(a, b, sort.column) ||
      a.classId - b.classId,
  );
}
