// Archive and parquet parts of a source (see sources.ts), over the readers
// of src/data/formats. A zip is read at random; a tgz only in order, so
// its listing pass keeps the small annotation files it passes and the
// import walks it again from the start; a parquet file yields one image
// per row.
import { isValParquet } from './plan';
import { normalizePath, type PartOpener, type SourcePart } from './sources';

/** The readers of src/data/formats that archive sources need. */
export interface ArchiveReaders {
  openZip(blob: Blob): Promise<{
    entries: {
      path: string;
      size: number;
      isDirectory: boolean;
      bytes(): Promise<Uint8Array>;
    }[];
  }>;
  readTar(stream: ReadableStream<Uint8Array>): AsyncGenerator<{
    path: string;
    size: number;
    type: 'file' | 'directory' | 'other';
    bytes(): Promise<Uint8Array>;
  }>;
  gunzipStream(blob: Blob): ReadableStream<Uint8Array>;
  openParquetImages(blob: Blob): Promise<{
    numRows: number;
    labelNames?: string[];
    rows(): AsyncGenerator<{ row: number; image: Uint8Array; label: number }>;
  }>;
}

/** Small files a listing pass keeps: annotations, class names, boxes. */
const KEEP = /\.(mat|csv|txt)$/i;
const KEEP_MAX_BYTES = 64 << 20;

async function zipPart(
  readers: ArchiveReaders,
  file: File,
): Promise<SourcePart> {
  const { entries } = await readers.openZip(file);
  const byPath = new Map(
    entries
      .filter((e) => !e.isDirectory)
      .map((e) => [normalizePath(e.path), e] as const),
  );
  const paths = [...byPath.keys()].sort();
  return {
    paths,
    readFile: (path) => byPath.get(path)?.bytes(),
    async *walk(wanted) {
      for (const path of paths) {
        if (wanted(path))
          yield { path, bytes: () => byPath.get(path)!.bytes() };
      }
    },
  };
}

async function tarPart(
  readers: ArchiveReaders,
  file: File,
  gzipped: boolean,
): Promise<SourcePart> {
  const open = () =>
    readers.readTar(gzipped ? readers.gunzipStream(file) : file.stream());
  const paths: string[] = [];
  const kept = new Map<string, Uint8Array>();
  for await (const entry of open()) {
    if (entry.type !== 'file') continue;
    const path = normalizePath(entry.path);
    paths.push(path);
    if (KEEP.test(path) && entry.size <= KEEP_MAX_BYTES) {
      kept.set(path, await entry.bytes());
    }
  }
  return {
    paths,
    readFile: (path) => {
      const bytes = kept.get(path);
      return bytes && Promise.resolve(bytes);
    },
    async *walk(wanted) {
      // The entry's bytes must be read before the walk moves on: a tar
      // stream cannot go back.
      for await (const entry of open()) {
        const path = normalizePath(entry.path);
        if (entry.type === 'file' && wanted(path)) {
          yield { path, bytes: () => entry.bytes() };
        }
      }
    },
  };
}

async function parquetPart(
  readers: ArchiveReaders,
  path: string,
  file: File,
  needsLabels: boolean,
): Promise<SourcePart> {
  const images = await readers.openParquetImages(file);
  let labels: number[] | undefined;
  if (needsLabels) {
    // A hold-out is drawn per class before the import: one pass for labels.
    labels = [];
    for await (const row of images.rows()) labels[row.row] = row.label;
  }
  return {
    paths: [path],
    parquet: {
      file: path,
      numRows: images.numRows,
      ...(images.labelNames ? { labelNames: images.labelNames } : {}),
      ...(labels ? { labels } : {}),
    },
    readFile: () => undefined,
    async *walk(wanted) {
      for await (const { row, image, label } of images.rows()) {
        const id = `${path}#${row}`;
        if (wanted(id)) yield { path: id, label, bytes: async () => image };
      }
    },
  };
}

/** Opens zips, tars (gzipped or not) and parquet files; not other files. */
export function archiveOpener(readers: ArchiveReaders): PartOpener {
  return async (path, file, allPaths) => {
    const name = path.toLowerCase();
    if (name.endsWith('.zip')) return zipPart(readers, file);
    if (/\.(tgz|tar\.gz)$/.test(name)) return tarPart(readers, file, true);
    if (name.endsWith('.tar')) return tarPart(readers, file, false);
    if (name.endsWith('.parquet')) {
      const needsLabels = !allPaths.some(
        (p) => /\.parquet$/i.test(p) && isValParquet(p),
      );
      return parquetPart(readers, path, file, needsLabels);
    }
    return undefined;
  };
}
