// Typed errors of the data layer. Each carries a code the UI can act on
// (ask the user to free space, pick another file, retry the download), and
// a message that says what was expected and what came. Workers send the
// code and message across; the class itself does not survive postMessage.

export type StorageErrorCode = 'quota' | 'storage';

/** IndexedDB refused a read or a write. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A dataset file or a stored dataset is not in the shape it should be. */
export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';
  readonly code = 'format';
}

/** A dataset could not be downloaded. */
export class DatasetFetchError extends Error {
  override readonly name = 'DatasetFetchError';
  readonly code = 'network';
}
