// The weights cache: weight files the user downloaded or picked, kept in
// the IndexedDB database "recipe-lab-weights" so that a run can start from
// them offline. Two object stores, written together:
//
//   entries  key: id (a known source's `timm/<name>`, a URL or a file name)
//            value: WeightsEntry, what the file is (info.ts), its size and
//            when it came; small, so the panel lists them without the bytes
//   files    key: id
//            value: { id, bytes }, the safetensors file as it came
//
// A file is parsed before it is stored, and its entry and bytes go in one
// transaction: the cache never holds half a file, nor one that is not
// safetensors. Uses no window or DOM API, so the training Worker reads it.
// Never logs: failures reach the caller as WeightsError.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { describeWeightsFile, type WeightsFileInfo } from './info';
import { readSafetensors, SafetensorsError } from './safetensors';
import { describeFailure, isQuotaError } from '../data/errors';

export const WEIGHTS_DB_NAME = 'recipe-lab-weights';

export interface WeightsEntry {
  id: string;
  /** Where the bytes came from: a URL, or a file the user picked. */
  source: { kind: 'url'; url: string } | { kind: 'file'; name: string };
  info: WeightsFileInfo;
  size: number;
  /** Milliseconds since the epoch. */
  fetchedAt: number;
}

interface WeightsFile {
  id: string;
  bytes: ArrayBuffer;
}

interface WeightsDB extends DBSchema {
  entries: { key: string; value: WeightsEntry };
  files: { key: string; value: WeightsFile };
}

type Db = IDBPDatabase<WeightsDB>;

// Step i brings the database from version i to version i + 1. Append new
// steps; never edit one that has shipped.
const UPGRADES: ((db: Db) => void)[] = [
  // 0 -> 1: entries and their files.
  (db) => {
    db.createObjectStore('entries', { keyPath: 'id' });
    db.createObjectStore('files', { keyPath: 'id' });
  },
];

export const WEIGHTS_DB_VERSION = UPGRADES.length;

export type WeightsErrorCode =
  'network' | 'http' | 'format' | 'quota' | 'storage' | 'missing';

/** A download, a file or the cache failed; the message says how. */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
  constructor(
    readonly code: WeightsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DownloadProgress {
  bytes: number;
  /** From Content-Length; null when the server sends none. */
  total: number | null;
}

/**
 * The body of `url`, read as a stream so that `onProgress` hears of every
 * chunk. Throws a WeightsError for a network failure or an HTTP status
 * other than 2xx.
 */
export async function downloadBytes(
  url: string,
  onProgress: (p: DownloadProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<Uint8Array<ArrayBuffer>> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throw new WeightsError(
      'network',
      `could not reach ${url}: ${describeFailure(error)}`,
      { cause: error },
    );
  }
  if (!response.ok) {
    const status = `${response.status} ${response.statusText}`.trim();
    throw new WeightsError('http', `${url}: expected HTTP 200, got ${status}`);
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isSafeInteger(length) && length > 0 ? length : null;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  onProgress({ bytes, total });
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
      onProgress({ bytes, total });
    }
  } catch (error) {
    throw new WeightsError(
      'network',
      `the download of ${url} broke off after ${bytes} bytes: ` +
        describeFailure(error),
      { cause: error },
    );
  }
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export class WeightsCache {
  constructor(private readonly db: Db) {}

  /** Every entry, without the bytes, newest first. */
  async list(): Promise<WeightsEntry[]> {
    const entries = await this.run('listing cached weights', () =>
      this.db.getAll('entries'),
    );
    return entries.sort((a, b) => b.fetchedAt - a.fetchedAt);
  }

  /** An entry and its file, or a WeightsError naming what is cached. */
  async get(
    id: string,
  ): Promise<{ entry: WeightsEntry; bytes: Uint8Array<ArrayBuffer> }> {
    const [entry, file] = await this.run(`reading weights "${id}"`, () =>
      Promise.all([this.db.get('entries', id), this.db.get('files', id)]),
    );
    if (!entry || !file) {
      const ids = (await this.list()).map((e) => e.id);
      const held = ids.length > 0 ? ids.join(', ') : 'nothing';
      throw new WeightsError(
        'missing',
        `no weights "${id}" are cached; expected one of: ${held} ` +
          '(download them in the Weights panel)',
      );
    }
    return { entry, bytes: new Uint8Array(file.bytes) };
  }

  /**
   * Checks that `bytes` are a safetensors file, describes them and stores
   * them under `id`, replacing what was there.
   */
  async put(
    id: string,
    bytes: Uint8Array,
    source: WeightsEntry['source'],
  ): Promise<WeightsEntry> {
    let info: WeightsFileInfo;
    try {
      info = describeWeightsFile(id, readSafetensors(bytes));
    } catch (error) {
      if (!(error instanceof SafetensorsError)) throw error;
      throw new WeightsError(
        'format',
        `${id}: expected a safetensors file, got one that is not: ` +
          error.message,
        { cause: error },
      );
    }
    const entry: WeightsEntry = {
      id,
      source,
      info,
      size: bytes.length,
      fetchedAt: Date.now(),
    };
    const copy = bytes.slice().buffer;
    try {
      const tx = this.db.transaction(['entries', 'files'], 'readwrite');
      await Promise.all([
        tx.objectStore('entries').put(entry),
        tx.objectStore('files').put({ id, bytes: copy }),
        tx.done,
      ]);
    } catch (error) {
      if (isQuotaError(error)) {
        throw new WeightsError(
          'quota',
          `storing ${id} (${bytes.length.toLocaleString('en-US')} bytes) ` +
            `went over the browser's storage quota: ${describeFailure(error)}`,
          { cause: error },
        );
      }
      throw new WeightsError(
        'storage',
        `storing ${id} failed: ${describeFailure(error)}`,
        { cause: error },
      );
    }
    return entry;
  }

  async delete(id: string): Promise<void> {
    await this.run(`deleting weights "${id}"`, async () => {
      const tx = this.db.transaction(['entries', 'files'], 'readwrite');
      await Promise.all([
        tx.objectStore('entries').delete(id),
        tx.objectStore('files').delete(id),
        tx.done,
      ]);
    });
  }

  close(): void {
    this.db.close();
  }

  private async run<T>(what: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new WeightsError(
        'storage',
        `${what} failed: ${describeFailure(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}

export async function openWeightsCache(): Promise<WeightsCache> {
  try {
    const db = await openDB<WeightsDB>(WEIGHTS_DB_NAME, WEIGHTS_DB_VERSION, {
      upgrade(db, oldVersion) {
        for (let v = oldVersion; v < UPGRADES.length; v++) UPGRADES[v]!(db);
      },
    });
    return new WeightsCache(db);
  } catch (error) {
    throw new WeightsError(
      'storage',
      `opening the weights cache failed: ${describeFailure(error)}`,
      { cause: error },
    );
  }
}

/** Runs `op` on the opened cache and closes it after. */
export async function withWeightsCache<T>(
  op: (cache: WeightsCache) => Promise<T>,
): Promise<T> {
  const cache = await openWeightsCache();
  try {
    return await op(cache);
  } finally {
    cache.close();
  }
}

/** Downloads `url` and caches it under `id` (the URL unless named). */
export async function downloadWeights(
  cache: WeightsCache,
  url: string,
  options: {
    id?: string;
    onProgress?: (p: DownloadProgress) => void;
    signal?: AbortSignal;
    /** What the entry records as its origin; the URL unless given. */
    source?: WeightsEntry['source'];
  } = {},
): Promise<WeightsEntry> {
  const bytes = await downloadBytes(url, options.onProgress, options.signal);
  const source = options.source ?? { kind: 'url', url };
  return cache.put(options.id ?? url, bytes, source);
}
