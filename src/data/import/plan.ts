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
import {
  baseName,
  dirName,
  imageFolderRoot,
  isImagePath,
  isJunkPath,
  TRAIN_FOLDER_NAMES,
  VAL_FOLDER_NAMES,
  type AnnotationRole,
  type Detection,
} from './layout';
import { ImportError, type ImportIssue, type LayoutName } from './types';

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

interface Labelled {
  path: string;
  row?: number;
  classId: number;
  box: Box | null;
  split: SplitName;
}

/** What one layout's planner finds, before the hold-out is drawn. */
interface Found {
  classNames: string[];
  labelled: Labelled[];
  skipped: ImportIssue[];
  notes: string[];
}

/** Boxes that cannot be cropped whatever the image: skipped in planning. */
function boxProblem(box: Box): string | null {
  const { x1, y1, x2, y2 } = box;
  if (![x1, y1, x2, y2].every(Number.isFinite)) {
    return `expected four numbers for the box, got ${x1},${y1},${x2},${y2}`;
  }
  if (x2 < x1 || y2 < y1) {
    return (
      `expected x1 <= x2 and y1 <= y2, got box ` +
      `(${x1}, ${y1})-(${x2}, ${y2})`
    );
  }
  return null;
}

/** Basename -> path of the images under folders that `inFolder` accepts. */
function indexImages(
  paths: readonly string[],
  inFolder: (dir: string) => boolean,
): Map<string, string> {
  const index = new Map<string, string>();
  for (const path of paths) {
    if (!isImagePath(path) || !inFolder(dirName(path))) continue;
    const name = baseName(path);
    if (!index.has(name)) index.set(name, path);
  }
  return index;
}

/**
 * Matches annotation rows to images and checks their class and box. Rows
 * whose image is missing or whose class or box is bad go to `skipped`.
 */
function matchRows(
  table: AnnotationTable,
  images: Map<string, string>,
  numClasses: number,
  split: SplitName,
  skipped: ImportIssue[],
): Map<string, Labelled> {
  const matched = new Map<string, Labelled>();
  for (const row of table.rows) {
    const path = images.get(baseName(row.fname));
    const classId = row.classId ?? 0;
    const problem =
      path === undefined
        ? `${row.fname} is named in the annotations but missing`
        : !Number.isInteger(classId) || classId < 1 || classId > numClasses
          ? `expected a class id from 1 to ${numClasses}, got ${row.classId}`
          : row.box
            ? boxProblem(row.box)
            : null;
    if (problem !== null) {
      skipped.push({ file: row.where, reason: problem });
    } else if (matched.has(path!)) {
      skipped.push({ file: row.where, reason: `${row.fname} is listed twice` });
    } else {
      matched.set(path!, {
        path: path!,
        classId: classId - 1,
        box: row.box ?? null,
        split,
      });
    }
  }
  return matched;
}

function isLabelled(table: AnnotationTable): boolean {
  return (
    table.rows.length > 0 && table.rows.every((r) => r.classId !== undefined)
  );
}

/** The Stanford Cars devkit family: .mat annotations, boxes, meta names. */
function planCars(listing: Listing, annotations: Annotations): Found {
  const { classNames = [], tables } = annotations;
  const skipped: ImportIssue[] = [];
  const notes: string[] = [];
  const trainTable = tables['train-annos']?.[0];
  if (classNames.length === 0 || trainTable === undefined) {
    throw new ImportError(
      'layout',
      'expected readable cars_meta.mat and cars_train_annos.mat files, got ' +
        (annotations.issues.map((i) => `${i.file}: ${i.reason}`).join('; ') ||
          'none'),
    );
  }
  const inFolder = (name: string) => (dir: string) => baseName(dir) === name;

  const train = matchRows(
    trainTable,
    indexImages(listing.paths, inFolder('cars_train')),
    classNames.length,
    'train',
    skipped,
  );
  const testTable = tables['test-annos']?.find(isLabelled);
  let test = new Map<string, Labelled>();
  if (testTable) {
    test = matchRows(
      testTable,
      indexImages(listing.paths, inFolder('cars_test')),
      classNames.length,
      'val',
      skipped,
    );
  } else {
    notes.push(
      'no labelled test annotations (cars_test_annos_withlabels.mat): ' +
        'the test images are left out and validation is held out of train',
    );
  }
  return {
    classNames,
    skipped,
    notes,
    labelled: inSourceOrder(listing, [train, test]),
  };
}

function inSourceOrder(
  listing: Listing,
  maps: Map<string, Labelled>[],
): Labelled[] {
  const out: Labelled[] = [];
  for (const path of listing.paths) {
    for (const map of maps) {
      const item = map.get(path);
      if (item) out.push(item);
    }
  }
  return out;
}

function hasFolder(dir: string, names: readonly string[]): boolean {
  return dir.split('/').some((part) => names.includes(part.toLowerCase()));
}

/** Kaggle's class folders: CSV boxes and classes, names.csv for names. */
function planClassFoldersCsv(
  listing: Listing,
  annotations: Annotations,
): Found {
  const { classNames = [], tables } = annotations;
  const trainTable = tables['train-csv']?.[0];
  if (classNames.length === 0 || trainTable === undefined) {
    throw new ImportError(
      'layout',
      'expected readable names.csv and anno_train.csv files, got ' +
        (annotations.issues.map((i) => `${i.file}: ${i.reason}`).join('; ') ||
          'none'),
    );
  }
  const skipped: ImportIssue[] = [];
  const notes: string[] = [];
  const train = matchRows(
    trainTable,
    indexImages(listing.paths, (d) => hasFolder(d, TRAIN_FOLDER_NAMES)),
    classNames.length,
    'train',
    skipped,
  );
  const testTable = tables['test-csv']?.find(isLabelled);
  let test = new Map<string, Labelled>();
  if (testTable) {
    test = matchRows(
      testTable,
      indexImages(listing.paths, (d) => hasFolder(d, ['test'])),
      classNames.length,
      'val',
      skipped,
    );
  } else {
    notes.push('no anno_test.csv: validation is held out of train');
  }
  const labelled = inSourceOrder(listing, [train, test]);
  return { classNames, skipped, notes, labelled };
}

export function isValParquet(file: string): boolean {
  return /(^|[^a-z])(test|val|valid|validation)([^a-z]|$)/i.test(
    baseName(file),
  );
}

/** Parquet rows: no boxes; labels from the files (or read on import). */
function planParquet(listing: Listing): Found {
  const files = listing.parquet ?? [];
  const labelNames = files.find((f) => f.labelNames)?.labelNames;
  const hasVal = files.some((f) => isValParquet(f.file));
  const labels = files.flatMap((f) => f.labels ?? []);
  const numClasses = labelNames?.length ?? Math.max(-1, ...labels) + 1;
  const classNames =
    labelNames ?? Array.from({ length: numClasses }, (_, i) => `class ${i}`);
  const notes = ['parquet files carry no boxes: images are stored uncropped'];
  if (!labelNames)
    notes.push('no label names in the files: classes are numbered');
  const skipped: ImportIssue[] = [];
  const labelled: Labelled[] = [];
  for (const f of files) {
    for (let row = 0; row < f.numRows; row++) {
      const label = f.labels?.[row] ?? -1;
      if (f.labels && !(label >= 0 && label < numClasses)) {
        skipped.push({
          file: `${f.file} row ${row}`,
          reason: `expected a label from 0 to ${numClasses - 1}, got ${label}`,
        });
        continue;
      }
      const split = hasVal && isValParquet(f.file) ? 'val' : 'train';
      const path = `${f.file}#${row}`;
      labelled.push({ path, row, classId: label, box: null, split });
    }
  }
  return { classNames, labelled, skipped, notes };
}

/** Path relative to the image-folder root -> its box row, by path or name. */
function boxLookup(
  table: AnnotationTable | undefined,
  prefix: string,
): (path: string) => AnnotationRow | undefined {
  if (!table) return () => undefined;
  const byPath = new Map<string, AnnotationRow>();
  const byName = new Map<string, AnnotationRow | null>();
  for (const row of table.rows) {
    byPath.set(row.fname.replace(/^\.?\//, ''), row);
    const name = baseName(row.fname);
    byName.set(name, byName.has(name) ? null : row);
  }
  return (path) =>
    byPath.get(path.slice(prefix.length)) ??
    byName.get(baseName(path)) ??
    undefined;
}

/** train/<class>/*, val/<class>/*, or <class>/* alone; classes sorted. */
function planImageFolder(listing: Listing, annotations: Annotations): Found {
  // Every file in a class folder is planned: one that is not an image is
  // reported as such when it fails to decode.
  const files = listing.paths.filter((p) => !isJunkPath(p));
  const root = imageFolderRoot(listing.paths.filter(isImagePath));
  const prefix = root === '' ? '' : `${root}/`;
  const placed: { path: string; split: SplitName; cls: string }[] = [];
  const notes: string[] = [];
  const skipped: ImportIssue[] = [];
  const hasSplits = files.some((p) =>
    TRAIN_FOLDER_NAMES.includes(
      p.slice(prefix.length).split('/')[0]!.toLowerCase(),
    ),
  );
  for (const path of files) {
    if (!path.startsWith(prefix)) continue;
    const parts = path.slice(prefix.length).split('/');
    const first = parts[0]!.toLowerCase();
    if (hasSplits && parts.length === 3) {
      const split = TRAIN_FOLDER_NAMES.includes(first)
        ? 'train'
        : VAL_FOLDER_NAMES.includes(first)
          ? 'val'
          : null;
      if (split) placed.push({ path, split, cls: parts[1]! });
    } else if (!hasSplits && parts.length === 2) {
      placed.push({ path, split: 'train', cls: parts[0]! });
    }
  }
  const classNames = [...new Set(placed.map((p) => p.cls))].sort();
  const classIds = new Map(classNames.map((name, i) => [name, i]));
  const boxesTable = annotations.tables['boxes-csv']?.[0];
  const boxOf = boxLookup(boxesTable, prefix);
  const labelled: Labelled[] = [];
  for (const { path, split, cls } of placed) {
    const box = boxOf(path)?.box ?? null;
    const problem = box ? boxProblem(box) : null;
    if (problem) {
      skipped.push({ file: path, reason: problem });
      continue;
    }
    labelled.push({ path, classId: classIds.get(cls)!, box, split });
  }
  notes.push('class ids follow the alphabetical order of the class folders');
  if (!boxesTable) notes.push('no boxes CSV: images are stored uncropped');
  if (hasSplits && !placed.some((p) => p.split === 'val')) {
    notes.push('no val/ folder: validation is held out of train');
  }
  return { classNames, labelled, skipped, notes };
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

const PLANNERS: Record<
  LayoutName,
  (listing: Listing, annotations: Annotations) => Found
> = {
  'cars-devkit': planCars,
  'cars-kaggle-devkit': planCars,
  'cars-torchvision': planCars,
  'cars-class-folders-csv': planClassFoldersCsv,
  'hf-parquet': planParquet,
  'image-folder': planImageFolder,
};

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
