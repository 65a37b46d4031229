// The import API: what the UI and the CLI hand the import pipeline, and what
// it hands back. The pipeline lists a source (a dropped folder, zip, tgz or
// parquet files), recognises its layout, plans which image goes to which
// split with which class and box, then crops, resizes and stores the images
// as shards in a Worker (see client.ts and worker.ts).
import type { SplitName } from '../schema';

/**
 * What the user dropped or picked: one folder's files with their paths
 * relative to the dropped folder (the folder's own name may lead), or
 * archive and parquet files (their bare names).
 */
export interface ImportSource {
  files: { path: string; file: File }[];
}

export interface ImportOptions {
  /** Dataset name in the store. */
  name: string;
  /** Stored side in pixels; images are stored imageSize x imageSize. */
  imageSize: number;
  /** 'squash' stretches the crop; 'keep-aspect' pads it with black. */
  fit: ImageFit;
  /** Hold-out fraction when the source has no labelled test split. */
  valFraction: number;
  /** Seed of the hold-out draw. */
  seed: number;
  /** Images per shard; DEFAULT_IMPORT_OPTIONS.shardSize when absent. */
  shardSize?: number;
}

export type ImageFit = 'squash' | 'keep-aspect';

export const DEFAULT_IMPORT_OPTIONS = {
  imageSize: 224,
  fit: 'squash',
  valFraction: 0.1,
  seed: 1,
  // 64 images of 224 x 224 x 3 bytes: about 9.6 MB a shard.
  shardSize: 64,
} as const satisfies Omit<ImportOptions, 'name'>;

export type LayoutName =
  /** cars_train/, cars_test/, devkit/*.mat as Stanford published them. */
  | 'cars-devkit'
  /** The devkit with doubled folders: cars_train/cars_train/... */
  | 'cars-kaggle-devkit'
  /** torchvision's stanford_cars/ folder (test labels beside devkit/). */
  | 'cars-torchvision'
  /** Class folders with anno_train.csv, anno_test.csv and names.csv. */
  | 'cars-class-folders-csv'
  /** Hugging Face parquet files: image bytes and a label, no boxes. */
  | 'hf-parquet'
  /** train/<class>/*, val/<class>/* (or <class>/* alone), boxes optional. */
  | 'image-folder';

export interface ImportIssue {
  /** The file (or file and row) the problem is about. */
  file: string;
  reason: string;
}

export interface ImportPlanSummary {
  layout: LayoutName;
  /** Human words: what was recognised, and where. */
  description: string;
  /** Indexed by class id (0-based), in the source's class-id order. */
  classNames: string[];
  /** Images planned per split. */
  planned: Record<SplitName, number>;
  valFrom: 'test-split' | 'hold-out';
  /** False when the source has no boxes and images are stored whole. */
  cropped: boolean;
  notes: string[];
  /** Problems found while planning: bad CSV rows, unknown class ids, ... */
  skipped: ImportIssue[];
  /** A fingerprint of the source: the same files give the same id. */
  sourceId: string;
  /** A stored dataset of this source, if there is one. */
  existing?: { name: string; complete: boolean };
}

export interface ImportProgress {
  phase: 'listing' | 'planning' | 'importing' | 'done';
  imagesDone: number;
  imagesTotal: number;
  /** Smoothed over the last seconds of this import. */
  imagesPerSecond: number;
  secondsLeft: number | null;
}

export interface ImportReport {
  dataset: string;
  layout: LayoutName;
  /** Images stored per split, counting those an earlier attempt stored. */
  imported: Record<SplitName, number>;
  classes: number;
  /** Every image or row left out, with why. */
  skipped: ImportIssue[];
  storedBytes: number;
  /** True when an earlier, interrupted import of this source was resumed. */
  resumed: boolean;
  complete: boolean;
  wallSeconds: number;
  /** Present when the import ended before the last image. */
  stopped?: { reason: 'cancelled' | 'quota' | 'error'; message: string };
}

/**
 * A pass that decodes, crops and resizes every planned image as an import
 * does, but stores nothing: what storing costs is the difference.
 */
export interface DecodeReport {
  /** Images decoded, cropped and resized. */
  images: number;
  /** Planned images that could not be decoded. */
  skipped: number;
  /** From the request to the last image, listing and planning included. */
  wallSeconds: number;
}

/** An import that cannot start: no recognised layout, a bad option, ... */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly code: 'layout' | 'options' | 'source' | 'busy' | 'internal',
    message: string,
  ) {
    super(message);
  }
}
