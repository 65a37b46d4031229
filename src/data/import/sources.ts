// Sources: what the user dropped, seen as one list of paths in a fixed
// order, with a way to read a small file by path (annotations) and a way
// to walk the images in that same order. A source is a mix of parts: loose
// files of a folder, zip files (random access), tgz files (sequential
// only: one pass lists them, another reads the images) and parquet files
// (one image per row).
//
// Order: loose files and zip entries by path, tgz entries as the archive
// holds them, parquet rows in row order; parts by the dropped file's path.
// The order never depends on how the browser happened to list a folder,
// so a resume after a reload plans the same images in the same order.
import type { Listing, ParquetListing } from './plan';
import { ImportError, type ImportSource } from './types';

/** One image (or other planned file) as the walk hands it over. */
export interface SourceImage {
  path: string;
  /** The label a parquet row carries. */
  label?: number;
  bytes(): Promise<Uint8Array>;
}

export interface SourceReader {
  listing: Listing;
  /** Reads a small file found in the listing (annotations, CSVs). */
  readFile(path: string): Promise<Uint8Array>;
  /** The files and rows `wanted` accepts, in listing order. */
  walk(wanted: (path: string) => boolean): AsyncGenerator<SourceImage>;
}

/** A part of a source: one archive, one parquet file or the loose files. */
export interface SourcePart {
  paths: string[];
  parquet?: ParquetListing;
  readFile(path: string): Promise<Uint8Array> | undefined;
  walk(wanted: (path: string) => boolean): AsyncGenerator<SourceImage>;
}

/** Opens one dropped archive or parquet file; undefined for other files. */
export type PartOpener = (
  path: string,
  file: File,
  /** Every dropped file's path, for choices that depend on the others. */
  allPaths: readonly string[],
) => Promise<SourcePart | undefined>;

/** Folder-relative, '/'-separated, no leading './' or '/'. */
export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^(\.?\/)+/, '')
    .replace(/\/{2,}/g, '/');
}

async function fileBytes(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

function looseFiles(files: { path: string; file: File }[]): SourcePart {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const paths = [...byPath.keys()].sort();
  return {
    paths,
    readFile: (path) => {
      const file = byPath.get(path);
      return file && fileBytes(file);
    },
    async *walk(wanted) {
      for (const path of paths) {
        if (!wanted(path)) continue;
        const file = byPath.get(path)!;
        yield { path, bytes: () => fileBytes(file) };
      }
    },
  };
}

/**
 * Lists a source. `openPart` opens archives and parquet files (see
 * archives.ts); files it does not take are loose files of a folder.
 */
export async function openSource(
  source: ImportSource,
  openPart: PartOpener,
): Promise<SourceReader> {
  if (source.files.length === 0) {
    throw new ImportError('source', 'expected files to import, got none');
  }
  const files = source.files
    .map((f) => ({ path: normalizePath(f.path), file: f.file }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: SourcePart[] = [];
  const loose: typeof files = [];
  const allPaths = files.map((f) => f.path);
  for (const { path, file } of files) {
    const part = await openPart(path, file, allPaths);
    if (part) parts.push(part);
    else loose.push({ path, file });
  }
  if (loose.length > 0) parts.unshift(looseFiles(loose));
  const parquet = parts.flatMap((p) => (p.parquet ? [p.parquet] : []));
  return {
    listing: {
      paths: parts.flatMap((p) => p.paths),
      ...(parquet.length > 0 ? { parquet } : {}),
    },
    async readFile(path) {
      for (const part of parts) {
        const bytes = part.readFile(path);
        if (bytes) return bytes;
      }
      throw new ImportError('source', `expected ${path} in the source`);
    },
    async *walk(wanted) {
      for (const part of parts) yield* part.walk(wanted);
    },
  };
}

/**
 * A fingerprint of the dropped files: SHA-256 over their paths and sizes,
 * in path order. The same folder or archive dropped again, from anywhere,
 * gives the same id; content changes that keep every size do not show.
 */
export async function fingerprint(source: ImportSource): Promise<string> {
  const lines = source.files
    .map((f) => `${normalizePath(f.path)}\t${f.file.size}`)
    .sort()
    .join('\n');
  const digest = await crypto.subtle.digest(
    'SHA-256',
    new TextEncoder().encode(lines),
  );
  const hex = [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  return `files-sha256:${hex}`;
}
