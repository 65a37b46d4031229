// Layout recognition: which of the known dataset layouts a list of paths
// is, and which small files (annotations, class names, boxes) planning
// has to read. Pure: it sees paths only, never file contents, so Node
// tests run it on listings of the real mirrors.
//
// The Stanford Cars layouts (see FIELD-NOTES section 4):
//   cars-devkit             cars_train/, cars_test/, devkit/cars_meta.mat,
//                           devkit/cars_{train,test}_annos.mat, and the test
//                           labels published later under several names
//   cars-kaggle-devkit      the same with doubled image folders
//                           (cars_train/cars_train/...), devkit anywhere
//   cars-torchvision        torchvision's stanford_cars/ folder: the devkit
//                           layout with cars_test_annos_withlabels.mat
//                           beside devkit/ (torchvision/datasets/stanford_cars.py)
//   cars-class-folders-csv  train/<class>/, test/<class>/, anno_train.csv,
//                           anno_test.csv (fname,x1,y1,x2,y2,class), names.csv
// and the generic ones: Hugging Face parquet files, and image folders.
import { ImportError, type LayoutName } from './types';

/** What a file read during planning stands for. */
export type AnnotationRole =
  | 'cars-meta'
  | 'train-annos'
  | 'test-annos'
  | 'names-csv'
  | 'train-csv'
  | 'test-csv'
  | 'boxes-csv';

export interface AnnotationFile {
  role: AnnotationRole;
  path: string;
}

export interface Detection {
  layout: LayoutName;
  description: string;
  /** Files to read before planning, most trusted first within a role. */
  annotations: AnnotationFile[];
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|bmp|avif)$/i;
const TEST_LABELS = /test_annos_withlabels[^/]*\.mat$/i;
/** Files that ride along in folders and archives and mean nothing. */
const JUNK = /(^|\/)(\.[^/]*|__MACOSX\/.*|Thumbs\.db|desktop\.ini)$/i;

export const VAL_FOLDER_NAMES = ['val', 'valid', 'validation', 'test'];
export const TRAIN_FOLDER_NAMES = ['train', 'training'];

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.test(path);
}

export function isJunkPath(path: string): boolean {
  return JUNK.test(path) || path.includes('__MACOSX/');
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function segments(path: string): string[] {
  return path.split('/');
}

/** The folder all paths share, '' when none ('a/b/x', 'a/c/y' -> 'a'). */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let common = segments(dirName(paths[0]!));
  for (const path of paths) {
    const parts = segments(dirName(path));
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) {
      n++;
    }
    common = common.slice(0, n);
  }
  return common.join('/');
}

function byName(paths: readonly string[], name: RegExp): string[] {
  return paths.filter((p) => name.test(baseName(p)));
}

/** Paths first by depth, then alphabetically: the shallowest copy wins. */
function shallowFirst(paths: string[]): string[] {
  const depth = (p: string) => segments(p).length;
  return [...paths].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
}

function detectCars(paths: readonly string[]): Detection | null {
  const meta = shallowFirst(byName(paths, /^cars_meta\.mat$/i));
  const trainAnnos = shallowFirst(byName(paths, /^cars_train_annos\.mat$/i));
  if (meta.length === 0 || trainAnnos.length === 0) return null;
  const testLabels = shallowFirst(byName(paths, TEST_LABELS));
  const testAnnos = shallowFirst(byName(paths, /^cars_test_annos\.mat$/i));
  const trainImages = paths.filter(
    (p) => isImagePath(p) && baseName(dirName(p)) === 'cars_train',
  );
  const doubled = trainImages.some((p) =>
    dirName(p).endsWith('cars_train/cars_train'),
  );
  const devkit = dirName(meta[0]!);
  const base = dirName(devkit);
  let layout: LayoutName = 'cars-devkit';
  if (doubled) layout = 'cars-kaggle-devkit';
  else if (baseName(base) === 'stanford_cars') layout = 'cars-torchvision';
  const where = devkit === '' ? 'the top folder' : `${devkit}/`;
  const labels =
    testLabels.length > 0
      ? `test labels in ${testLabels[0]}`
      : 'no test labels file';
  const names: Record<string, string> = {
    'cars-devkit': 'Stanford Cars, original devkit',
    'cars-kaggle-devkit': 'Stanford Cars, devkit with doubled folders',
    'cars-torchvision': "Stanford Cars, torchvision's stanford_cars/ layout",
  };
  return {
    layout,
    description: `${names[layout]}: annotations in ${where}, ${labels}`,
    annotations: [
      { role: 'cars-meta', path: meta[0]! },
      { role: 'train-annos', path: trainAnnos[0]! },
      ...testLabels.map((path) => ({ role: 'test-annos' as const, path })),
      ...testAnnos.map((path) => ({ role: 'test-annos' as const, path })),
    ],
  };
}

function detectClassFoldersCsv(paths: readonly string[]): Detection | null {
  const train = shallowFirst(byName(paths, /^anno_train\.csv$/i));
  const names = shallowFirst(byName(paths, /^names\.csv$/i));
  if (train.length === 0 || names.length === 0) return null;
  const test = shallowFirst(byName(paths, /^anno_test\.csv$/i));
  const annotations: AnnotationFile[] = [
    { role: 'names-csv', path: names[0]! },
    { role: 'train-csv', path: train[0]! },
  ];
  if (test.length > 0) annotations.push({ role: 'test-csv', path: test[0]! });
  return {
    layout: 'cars-class-folders-csv',
    description:
      `class folders with ${train[0]}` +
      (test.length > 0 ? `, ${test[0]}` : '') +
      ` and ${names[0]}`,
    annotations,
  };
}

function detectParquet(paths: readonly string[]): Detection | null {
  const files = paths.filter((p) => /\.parquet$/i.test(p));
  if (files.length === 0) return null;
  const count = files.length === 1 ? 'one file' : `${files.length} files`;
  return {
    layout: 'hf-parquet',
    description: `Hugging Face parquet (${count}): images and labels, no boxes`,
    annotations: [],
  };
}

/** Where an image-folder tree starts: below the folder all files share. */
export function imageFolderRoot(paths: readonly string[]): string {
  const images = paths.filter(isImagePath);
  let root = commonFolder(images);
  // A single class or split folder is a level below the root, not the root.
  const last = baseName(root).toLowerCase();
  if ([...TRAIN_FOLDER_NAMES, ...VAL_FOLDER_NAMES].includes(last)) {
    root = dirName(root);
  }
  return root;
}

function detectImageFolder(paths: readonly string[]): Detection | null {
  const images = paths.filter(isImagePath);
  if (images.length === 0) return null;
  const root = imageFolderRoot(images);
  const prefix = root === '' ? '' : `${root}/`;
  const csvs = paths.filter(
    (p) => p.startsWith(prefix) && /\.csv$/i.test(p) && dirName(p) === root,
  );
  const first = new Set(
    images.map((p) => segments(p.slice(prefix.length))[0]!.toLowerCase()),
  );
  const hasSplits = TRAIN_FOLDER_NAMES.some((n) => first.has(n));
  const where = root === '' ? 'the top folder' : `${root}/`;
  return {
    layout: 'image-folder',
    description:
      `image folders in ${where}: ` +
      (hasSplits ? 'train/<class>/ and val/<class>/' : '<class>/ alone') +
      (csvs.length > 0 ? `, boxes from ${csvs[0]}` : ', no boxes'),
    annotations: csvs.slice(0, 1).map((path) => ({ role: 'boxes-csv', path })),
  };
}

/**
 * Recognises the layout of a source from its paths (folder-relative, '/'
 * separated). Throws ImportError('layout') naming what was looked for.
 */
export function detectLayout(allPaths: readonly string[]): Detection {
  const paths = allPaths.filter((p) => !isJunkPath(p));
  const found =
    detectCars(paths) ??
    detectClassFoldersCsv(paths) ??
    detectParquet(paths) ??
    detectImageFolder(paths);
  if (found) return found;
  const sample = paths.slice(0, 5).join(', ') || 'no files';
  throw new ImportError(
    'layout',
    'expected a Stanford Cars devkit (cars_meta.mat and ' +
      'cars_train_annos.mat), class folders with anno_train.csv and ' +
      'names.csv, parquet files, or folders of images, got ' +
      `${paths.length} files (${sample}${paths.length > 5 ? ', ...' : ''})`,
  );
}
