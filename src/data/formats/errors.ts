// Errors of the file-format readers. Each message says what the reader
// expected, what it found, and where (an entry's path, a byte offset), so
// that an import can tell the user which file to fix. Both carry the code
// 'format' that the data layer's other format errors carry.

/** A zip, tar or parquet file is not in the shape it should be. */
export class ArchiveFormatError extends Error {
  override readonly name = 'ArchiveFormatError';
  readonly code = 'format';
}

/** A MATLAB 5 MAT-file is not in the shape it should be. */
export class MatFormatError extends Error {
  override readonly name = 'MatFormatError';
  readonly code = 'format';
}
