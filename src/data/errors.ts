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

const QUOTA_NAMES = new Set([
  'QuotaExceededError',
  'NS_ERROR_DOM_QUOTA_REACHED',
]);

/** Whether the browser refused a write for want of space. */
export function isQuotaError(error: unknown): boolean {
  // By name: newer browsers throw a QuotaExceededError class of its own.
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && QUOTA_NAMES.has(name);
}

/** "Name: message" of what IndexedDB or the network threw. */
export function describeFailure(error: unknown): string {
  if (error instanceof DOMException || error instanceof Error) {
    return `${error.name}: ${error.message}`;
  }
  return String(error);
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
