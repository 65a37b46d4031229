// The import form: the text in each field, checked by the same ranges as
// the CLI's `import` flags, and what the user picked or dropped, turned
// into an ImportSource. Pure, apart from reading File objects' names.
import {
  DEFAULT_IMPORT_OPTIONS,
  type ImageFit,
  type ImportOptions,
  type ImportSource,
} from '../data/import/types';
import { DEMO_DATASET_NAME } from '../data/demo-import';

export interface ImportForm {
  name: string;
  imageSize: string;
  fit: ImageFit;
  valFraction: string;
  seed: string;
}

export type ImportField = keyof ImportForm;

export const IMPORT_FITS: readonly ImageFit[] = ['squash', 'keep-aspect'];

export function defaultImportForm(name = ''): ImportForm {
  return {
    name,
    imageSize: String(DEFAULT_IMPORT_OPTIONS.imageSize),
    fit: DEFAULT_IMPORT_OPTIONS.fit,
    valFraction: String(DEFAULT_IMPORT_OPTIONS.valFraction),
    seed: String(DEFAULT_IMPORT_OPTIONS.seed),
  };
}

export function formFromOptions(options: ImportOptions): ImportForm {
  return {
    name: options.name,
    imageSize: String(options.imageSize),
    fit: options.fit,
    valFraction: String(options.valFraction),
    seed: String(options.seed),
  };
}

type Range = { min: number; max: number; integer: boolean };

// The same ranges as the CLI's flags (tools/lab/flags.ts).
const RANGES: Record<'imageSize' | 'valFraction' | 'seed', Range> = {
  imageSize: { min: 8, max: 1024, integer: true },
  valFraction: { min: 0, max: 0.5, integer: false },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
};

function checkNumber(text: string, range: Range): number | string {
  const value = text.trim() === '' ? NaN : Number(text);
  const ok =
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (!range.integer || Number.isInteger(value));
  if (ok) return value;
  const what = range.integer ? 'an integer' : 'a number';
  return `expected ${what} from ${range.min} to ${range.max}, got "${text}"`;
}

function checkName(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'expected a dataset name, got an empty one';
  if (trimmed === DEMO_DATASET_NAME) {
    return `expected a name other than "${DEMO_DATASET_NAME}" (the demo's)`;
  }
  return null;
}

/** The message of each field that does not pass. */
export function importFormProblems(
  form: ImportForm,
): Partial<Record<ImportField, string>> {
  const problems: Partial<Record<ImportField, string>> = {};
  const nameProblem = checkName(form.name);
  if (nameProblem) problems.name = nameProblem;
  for (const key of ['imageSize', 'valFraction', 'seed'] as const) {
    const checked = checkNumber(form[key], RANGES[key]);
    if (typeof checked === 'string') problems[key] = checked;
  }
  if (!IMPORT_FITS.includes(form.fit)) {
    problems.fit = `expected one of ${IMPORT_FITS.join(', ')}, got "${form.fit}"`;
  }
  return problems;
}

/** The form as import options; null while any field is bad. */
export function importOptionsFromForm(form: ImportForm): ImportOptions | null {
  if (Object.keys(importFormProblems(form)).length > 0) return null;
  return {
    name: form.name.trim(),
    imageSize: Number(form.imageSize),
    fit: form.fit,
    valFraction: Number(form.valFraction),
    seed: Number(form.seed),
  };
}

export function sameOptions(a: ImportOptions, b: ImportOptions): boolean {
  return (
    a.name === b.name &&
    a.imageSize === b.imageSize &&
    a.fit === b.fit &&
    a.valFraction === b.valFraction &&
    a.seed === b.seed
  );
}

/** A picked source with the words the panel shows for it. */
export interface PickedSource {
  source: ImportSource;
  /** "folder cars_devkit", "cars.zip", "3 files"... */
  label: string;
  numFiles: number;
  numBytes: number;
  /** A dataset name to suggest: the folder's or the file's, bare. */
  suggestedName: string;
}

type NamedFile = Pick<File, 'name' | 'size'> & { webkitRelativePath?: string };

/** "Stanford Cars.zip" -> "Stanford Cars"; "cars/" -> "cars". */
export function bareName(path: string): string {
  const base =
    path
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  return base.replace(/\.(zip|tgz|tar\.gz|tar|parquet)$/i, '') || 'imported';
}

/**
 * Files from a folder input (each with its webkitRelativePath, which starts
 * with the folder's own name), a file input or a drop.
 */
export function pickedFromFiles(
  files: readonly { path: string; file: File }[],
): PickedSource | null {
  if (files.length === 0) return null;
  const first = files[0] as { path: string; file: File };
  const top = first.path.includes('/') ? first.path.split('/')[0] : null;
  const inOneFolder =
    top !== null && files.every((f) => f.path.startsWith(`${top}/`));
  const label = inOneFolder
    ? `folder ${top}`
    : files.length === 1
      ? first.path
      : `${files.length} files`;
  return {
    source: { files: [...files] },
    label,
    numFiles: files.length,
    numBytes: files.reduce((sum, f) => sum + f.file.size, 0),
    suggestedName: bareName(inOneFolder ? (top as string) : first.path),
  };
}

/** A FileList from an <input type="file">, with paths. */
export function filesWithPaths(
  list: Iterable<NamedFile & File>,
): { path: string; file: File }[] {
  return [...list].map((file) => ({
    path: file.webkitRelativePath || file.name,
    file,
  }));
}
