// The dataset format, typed in one place. A dataset is a manifest plus
// shards of pre-decoded images, stored in IndexedDB (see shard-store.ts).
// Bump FORMAT_VERSION when the meaning of a stored field changes; readers
// refuse versions they do not know.

export const FORMAT_VERSION = 1;

export type SplitName = 'train' | 'val';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val'];

export interface SplitManifest {
  /** Images stored so far in this split. */
  numImages: number;
  /** Shards stored so far; shard i holds images [i * shardSize, ...). */
  numShards: number;
  /** Images per class id, length = classNames.length. */
  classCounts: number[];
}

export interface DatasetManifest {
  name: string;
  formatVersion: number;
  /** Class names indexed by class id (0-based). */
  classNames: string[];
  height: number;
  width: number;
  /** 1 (grayscale) or 3 (RGB); pixels are HWC uint8. */
  channels: 1 | 3;
  /** Images per full shard; the last shard of a split may hold fewer. */
  shardSize: number;
  splits: Record<SplitName, SplitManifest>;
  /** False while an import is under way or after one was interrupted. */
  complete: boolean;
  /** Where the images came from, for the user and the run report. */
  source: string;
  /** The licence the images are under, when the source states one. */
  licence?: string;
  /** A fingerprint of the source, so a second import of it is recognised. */
  sourceId: string;
  createdAt: string;
  /** Present on datasets imported from files (src/data/import/). */
  importRecord?: ImportRecord;
  /**
   * Per-channel mean and standard deviation of the training pixels on
   * 0..1 (src/data/pixel-stats.ts), measured before the first run on the
   * dataset and kept; absent until then.
   */
  pixelStats?: { mean: number[]; std: number[] };
}

/**
 * How a dataset was imported from files, kept so that an interrupted
 * import resumes where its stored shards end and the UI can show what was
 * left out. Written with every shard, in the same transaction.
 */
export interface ImportRecord {
  /** The recognised layout, e.g. 'cars-devkit' (see import/types.ts). */
  layout: string;
  /** False when the images were stored whole (the source has no boxes). */
  cropped: boolean;
  /** Settings that shaped the stored pixels; a resume must use the same. */
  settings: {
    imageSize: number;
    fit: string;
    valFraction: number;
    seed: number;
  };
  /** Images planned per split. */
  planned: Record<SplitName, number>;
  /**
   * Per split, how many planned images the stored shards account for
   * (stored or skipped), in plan order: a resume starts after them.
   */
  cursor: Record<SplitName, number>;
  /** Images and rows left out, with why. */
  skipped: { file: string; reason: string }[];
  /** Why the last attempt stopped early, when it did. */
  stopped?: { reason: string; message: string };
}

export interface ShardRecord {
  dataset: string;
  split: SplitName;
  index: number;
  numImages: number;
  /** numImages x height x width x channels, uint8. */
  pixels: Uint8Array;
  /** Class id per image. */
  labels: Uint16Array;
}

/**
 * The class ids of one shard, stored apart from its pixels so that a subset
 * can be chosen by class without reading any image.
 */
export interface ShardLabels {
  dataset: string;
  split: SplitName;
  index: number;
  labels: Uint16Array;
}

/** One training or evaluation batch as read from the store. */
export interface HostBatch {
  /** size x height x width x channels, uint8 HWC. */
  pixels: Uint8Array;
  labels: Int32Array;
  size: number;
  /** Position of each image in its split (shard * shardSize + offset). */
  indices?: Int32Array;
}
