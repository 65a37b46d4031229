// Image datasets in parquet files, as the Hugging Face hub serves them: an
// `image` column (a struct of encoded `bytes` and a `path`, or the bytes
// alone) and an integer `label` column, with the class names in the
// file's "huggingface" key-value metadata (features.label.names).
//
// Read through hyparquet, which fetches byte ranges of the Blob on demand;
// rows are read one row group at a time, so a file is never held whole.
// hyparquet inflates snappy itself; files compressed otherwise (gzip,
// zstd) are refused by it with the codec's name.
import {
  parquetMetadataAsync,
  parquetReadObjects,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { ArchiveFormatError } from './errors';

export interface ParquetImageRow {
  /** 0-based position in the file. */
  row: number;
  /** The encoded image (JPEG, PNG, ...); empty when the cell is empty. */
  image: Uint8Array;
  label: number;
}

export interface ParquetImages {
  numRows: number;
  /** Class names from the Hugging Face metadata, when the file has them. */
  labelNames?: string[];
  /** Every row in file order. */
  rows(): AsyncGenerator<ParquetImageRow>;
}

const IMAGE_COLUMNS = ['image', 'img'];
const LABEL_COLUMNS = ['label', 'labels', 'class'];

function blobBuffer(blob: Blob): AsyncBuffer {
  return {
    byteLength: blob.size,
    slice: (start, end) => blob.slice(start, end).arrayBuffer(),
  };
}

function topColumns(metadata: FileMetaData): string[] {
  // schema[0] is the root; its children follow, each with their own.
  const names: string[] = [];
  let i = 1;
  const skip = (): void => {
    const element = metadata.schema[i++]!;
    for (let c = 0; c < (element.num_children ?? 0); c++) skip();
  };
  while (i < metadata.schema.length) {
    names.push(metadata.schema[i]!.name);
    skip();
  }
  return names;
}

function pick(columns: string[], wanted: string[], what: string): string {
  const found = wanted.find((name) => columns.includes(name));
  if (found === undefined) {
    throw new ArchiveFormatError(
      `expected ${what} column (${wanted.join(' or ')}) in the parquet ` +
        `file, found columns ${columns.join(', ') || '(none)'}`,
    );
  }
  return found;
}

/** features.<label>.names from the "huggingface" metadata, if present. */
function labelNamesOf(
  metadata: FileMetaData,
  label: string,
): string[] | undefined {
  const entry = metadata.key_value_metadata?.find(
    (kv) => kv.key === 'huggingface',
  );
  if (!entry?.value) return undefined;
  try {
    const parsed = JSON.parse(entry.value) as {
      info?: { features?: Record<string, { names?: unknown }> };
    };
    const names = parsed.info?.features?.[label]?.names;
    return Array.isArray(names) && names.every((n) => typeof n === 'string')
      ? names
      : undefined;
  } catch {
    // Metadata that is not JSON only means the classes go unnamed.
    return undefined;
  }
}

function imageBytes(cell: unknown): Uint8Array {
  if (cell instanceof Uint8Array) return cell;
  const bytes = (cell as { bytes?: unknown } | null)?.bytes;
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(0);
}

function labelOf(cell: unknown): number {
  if (typeof cell === 'bigint') return Number(cell);
  return typeof cell === 'number' ? cell : NaN;
}

/** Opens a parquet file of images; rows are read when walked. */
export async function openParquetImages(blob: Blob): Promise<ParquetImages> {
  const file = blobBuffer(blob);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new ArchiveFormatError(
      'expected a parquet file, could not read its footer: ' +
        (error instanceof Error ? error.message : String(error)),
    );
  }
  const columns = topColumns(metadata);
  const image = pick(columns, IMAGE_COLUMNS, 'an image');
  const label = pick(columns, LABEL_COLUMNS, 'a label');
  const labelNames = labelNamesOf(metadata, label);
  return {
    numRows: Number(metadata.num_rows),
    ...(labelNames ? { labelNames } : {}),
    async *rows() {
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const rowEnd = rowStart + Number(group.num_rows);
        // utf8: false, or the image bytes come back decoded as text.
        const rows = await parquetReadObjects({
          file,
          metadata,
          columns: [image, label],
          rowStart,
          rowEnd,
          utf8: false,
        });
        for (let i = 0; i < rows.length; i++) {
          yield {
            row: rowStart + i,
            image: imageBytes(rows[i]![image]),
            label: labelOf(rows[i]![label]),
          };
        }
        rowStart = rowEnd;
      }
    },
  };
}
