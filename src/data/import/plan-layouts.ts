// The planners of each layout: which files are images of which split,
// class and box (see plan.ts for the rules every layout follows).
import type { SplitName } from '../schema';
import {
  baseName,
  dirName,
  imageFolderRoot,
  isImagePath,
  isJunkPath,
  TRAIN_FOLDER_NAMES,
  VAL_FOLDER_NAMES,
} from './layout';
import type {
  AnnotationRow,
  AnnotationTable,
  Annotations,
  Box,
  Found,
  Labelled,
  Listing,
} from './plan';
import { ImportError, type ImportIssue, type LayoutName } from './types';

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

/** 'a/b/c.jpg' -> ['a/b/c.jpg', 'b/c.jpg', 'c.jpg']. */
function tailsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(i).join('/'));
}

/** `key` of each row -> the row, or null where several rows share it. */
function indexRows(
  rows: readonly AnnotationRow[],
  keys: (fname: string) => string[],
): Map<string, AnnotationRow | null> {
  const index = new Map<string, AnnotationRow | null>();
  for (const row of rows) {
    const fname = row.fname.replace(/\\/g, '/').replace(/^(\.?\/)+/, '');
    for (const key of keys(fname)) {
      index.set(key, index.has(key) ? null : row);
    }
  }
  return index;
}

/**
 * The row that names an image: one whose path ends the image's path at a
 * folder boundary ('train/cat/1.jpg', 'cat/1.jpg' or '1.jpg' for
 * pets/train/cat/1.jpg), or one whose longer path ends with the image's
 * whole path (a path on the disk of whoever wrote the CSV). The longest
 * match wins, and one that several rows share names none. A row's path
 * never names a file of the same name in another folder.
 */
function rowLookup(
  table: AnnotationTable,
): (path: string) => AnnotationRow | undefined {
  const byWhole = indexRows(table.rows, (fname) => [fname]);
  const byTail = indexRows(table.rows, tailsOf);
  return (path) => {
    if (byTail.has(path)) return byTail.get(path) ?? undefined;
    const tail = tailsOf(path).find((t) => byWhole.has(t));
    return tail === undefined ? undefined : (byWhole.get(tail) ?? undefined);
  };
}

/**
 * Each image's box from `table`. A row that names several images (a bare
 * '1.jpg' beside cat/1.jpg and dog/1.jpg) goes to `skipped`, and those
 * images are stored whole.
 */
function boxesOf(
  table: AnnotationTable,
  paths: readonly string[],
  skipped: ImportIssue[],
): Map<string, Box> {
  const rowOf = rowLookup(table);
  const named = new Map<AnnotationRow, string[]>();
  for (const path of paths) {
    const row = rowOf(path);
    if (row) named.set(row, [...(named.get(row) ?? []), path]);
  }
  const boxes = new Map<string, Box>();
  for (const [row, images] of named) {
    if (images.length === 1 && row.box) boxes.set(images[0]!, row.box);
    if (images.length === 1) continue;
    const some = images.slice(0, 3).join(', ');
    skipped.push({
      file: row.where,
      reason:
        `expected ${row.fname} to name one image, got ${images.length} ` +
        `(${some}${images.length > 3 ? ', ...' : ''}): give its folders`,
    });
  }
  return boxes;
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
  const boxes = boxesTable
    ? boxesOf(
        boxesTable,
        placed.map((p) => p.path),
        skipped,
      )
    : new Map<string, Box>();
  const labelled: Labelled[] = [];
  for (const { path, split, cls } of placed) {
    const box = boxes.get(path) ?? null;
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

export const PLANNERS: Record<
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
