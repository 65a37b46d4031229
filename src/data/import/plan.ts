// Planning: from a source's paths and its parsed annotations to the list
// of images to import, each with its split, class id and box. Pure, like
// layout.ts, so Node tests check every layout's rules.
//
// Rules that hold for every layout:
// - Items keep the source's order (archive order for a tgz, path order for
//   folders and zips), so a plan is the same on every attempt and a resume
//   can count its way past what is stored.
// - Class ids are 0-based here, in the order of the source's class list
//   (cars_meta.mat, names.csv), not the alphabetical order of folders.
// - Boxes stay 1-based and inclusive, as the annotations store them; the
//   worker clamps them to the image once it knows the image's size.
// - The validation split is the test split when every test row has a
//   label, otherwise a seeded, class-stratified hold-out of train.
import { createRng, deriveSeed, shuffleInPlace } from '../../lib/random';
import type { SplitName } from '../schema';
import type { AnnotationRole, Detection } from './layout';
import { PLANNERS } from './plan-layouts';
import { ImportError, type ImportIssue, type LayoutName } from './types';

export { isValParquet } from './plan-layouts';

/** A box as the annotations give it: 1-based, inclusive. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface AnnotationRow {
  fname: string;
  box?: Box;
  /** 1-based, as stored in .mat and CSV files. */
  classId?: number;
  /** Where the row is, for the report: 'anno_train.csv line 7'. */
  where: string;
}

export interface AnnotationTable {
  file: string;
  rows: AnnotationRow[];
}

export interface Annotations {
  classNames?: string[];
  tables: Partial<Record<AnnotationRole, AnnotationTable[]>>;
  /** Problems met while reading them (bad rows, unreadable files). */
  issues: ImportIssue[];
}

export interface ParquetListing {
  file: string;
  numRows: number;
  labelNames?: string[];
  /** Label of every row, when a listing pass read them. */
  labels?: number[];
}

export interface Listing {
  /** Every path of the source, in source order. */
  paths: string[];
  parquet?: ParquetListing[];
}

export interface PlanItem {
  /** The image's path, or '<parquet file>#<row>'. */
  path: string;
  /** Row of a parquet file. */
  row?: number;
  split: SplitName;
  /** 0-based; -1 for a parquet row whose label is read on import. */
  classId: number;
  box: Box | null;
}

export interface ImportPlan {
  layout: LayoutName;
  description: string;
  classNames: string[];
  cropped: boolean;
  valFrom: 'test-split' | 'hold-out';
  notes: string[];
  skipped: ImportIssue[];
  /** In source order, splits interleaved as the source has them. */
  items: PlanItem[];
}

export interface PlanOptions {
  valFraction: number;
  seed: number;
}

export interface Labelled {
  path: string;
  row?: number;
  classId: number;
  box: Box | null;
  split: SplitName;
}

/** What one layout's planner finds, before the hold-out is drawn. */
export interface Found {
  classNames: string[];
  labelled: Labelled[];
  skipped: ImportIssue[];
  notes: string[];
}

/**
 * Moves a seeded, class-stratified `fraction` of the train items to val:
 * round(n * fraction) of each class's n images, at most n - 1, drawn from
 * the class's own stream so that one class's count does not change
 * another's draw.
 */
export function holdOut(items: Labelled[], options: PlanOptions): Labelled[] {
  const byClass = new Map<number, number[]>();
  items.forEach((item, i) => {
    if (item.split !== 'train') return;
    const list = byClass.get(item.classId) ?? [];
    list.push(i);
    byClass.set(item.classId, list);
  });
  const toVal = new Set<number>();
  for (const [classId, indices] of byClass) {
    const rng = createRng(deriveSeed(options.seed, 'hold-out', classId));
    shuffleInPlace(indices, rng);
    // A class keeps at least one training image.
    const k = Math.min(
      indices.length - 1,
      Math.round(indices.length * options.valFraction),
    );
    for (const i of indices.slice(0, k)) toVal.add(i);
  }
  return items.map((item, i) =>
    toVal.has(i) ? { ...item, split: 'val' } : item,
  );
}

/** The import plan of a detected layout, its annotations read. */
export function planImport(
  detection: Detection,
  listing: Listing,
  annotations: Annotations,
  options: PlanOptions,
): ImportPlan {
  const found = PLANNERS[detection.layout](listing, annotations);
  const hasVal = found.labelled.some((item) => item.split === 'val');
  const needsLabels = found.labelled.some((item) => item.classId < 0);
  if (!hasVal && needsLabels) {
    throw new ImportError(
      'internal',
      'expected the labels of every parquet row for a hold-out, got none',
    );
  }
  const labelled = hasVal ? found.labelled : holdOut(found.labelled, options);
  if (labelled.length === 0) {
    throw new ImportError(
      'layout',
      `expected images to import (${detection.description}), found none`,
    );
  }
  return {
    layout: detection.layout,
    description: detection.description,
    classNames: found.classNames,
    cropped: labelled.some((item) => item.box !== null),
    valFrom: hasVal ? 'test-split' : 'hold-out',
    notes: found.notes,
    skipped: [...annotations.issues, ...found.skipped],
    items: labelled.map(({ path, row, classId, box, split }) =>
      row === undefined
        ? { path, classId, box, split }
        : { path, row, classId, box, split },
    ),
  };
}
