// The shard store: every imported dataset lives in the IndexedDB database
// "recipe-lab", in three object stores.
//
//   manifests    key: dataset name
//                value: DatasetManifest (class names, image size, per-split
//                counts, whether the import finished)
//   shards       key: [dataset, split, index]
//                value: ShardRecord, up to manifest.shardSize decoded images
//                (uint8 HWC pixels) and their class ids
//   shardLabels  key: [dataset, split, index]
//                value: ShardLabels, the class ids of that shard only, so a
//                class-balanced subset can be picked without reading pixels
//   checkpoints  key: runId
//                value: RunCheckpoint, the latest epoch-end state of a run
//   checkpointSummaries  key: runId
//                value: CheckpointSummary, the same without its tensors,
//                for lists (see checkpoint-store.ts)
//
// A shard, its labels and the manifest that counts it are written in one
// transaction: the store never holds a shard its manifest does not count.
// Uses no window or DOM API, so it works in a dedicated Worker. Never logs:
// failures reach the caller as StorageError.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckpointSummary, RunCheckpoint } from '../train/checkpoint';
import { describeFailure, isQuotaError, StorageError } from './errors';
import type {
  DatasetManifest,
  ShardLabels,
  ShardRecord,
  SplitName,
} from './schema';

export const DB_NAME = 'recipe-lab';

type ShardKey = [dataset: string, split: SplitName, index: number];

interface RecipeLabDB extends DBSchema {
  manifests: { key: string; value: DatasetManifest };
  shards: { key: ShardKey; value: ShardRecord };
  shardLabels: { key: ShardKey; value: ShardLabels };
  checkpoints: { key: string; value: RunCheckpoint };
  checkpointSummaries: { key: string; value: CheckpointSummary };
}

export type LabDb = IDBPDatabase<RecipeLabDB>;
type Db = LabDb;

// Step i brings the database from version i to version i + 1. Append new
// steps; never edit one that has shipped, browsers may have run it already.
const UPGRADES: ((db: Db) => void)[] = [
  // 0 -> 1: manifests, shards and per-shard labels.
  (db) => {
    db.createObjectStore('manifests', { keyPath: 'name' });
    const shardKey = ['dataset', 'split', 'index'];
    db.createObjectStore('shards', { keyPath: shardKey });
    db.createObjectStore('shardLabels', { keyPath: shardKey });
  },
  // 1 -> 2: the latest checkpoint of each run, and its summary.
  (db) => {
    db.createObjectStore('checkpoints', { keyPath: 'runId' });
    db.createObjectStore('checkpointSummaries', { keyPath: 'runId' });
  },
];

export const DB_VERSION = UPGRADES.length;

function formatBytes(bytes: number): string {
  return `${Math.round(bytes).toLocaleString('en-US')} bytes`;
}

/** Usage and quota as the browser reports them, or '' where it cannot. */
async function describeUsage(): Promise<string> {
  try {
    const estimate = await globalThis.navigator?.storage?.estimate();
    if (estimate?.usage === undefined || estimate.quota === undefined) {
      return '';
    }
    return (
      ` (this site uses ${formatBytes(estimate.usage)} of a quota of ` +
      `${formatBytes(estimate.quota)})`
    );
  } catch {
    // an estimate only adds detail to the message; its absence is no error
    return '';
  }
}

/** Inclusive key range over every shard of a dataset, or of one split. */
function shardRange(dataset: string, split?: SplitName): IDBKeyRange {
  // Arrays sort after every string and number, so [..., []] closes the range.
  const lower = split === undefined ? [dataset] : [dataset, split];
  return IDBKeyRange.bound(lower, [...lower, []]);
}

/** Bytes a putShard writes, close enough for an error message. */
function writeSize(manifest: DatasetManifest, shard: ShardRecord): number {
  // Labels go in twice (shard and labels stores); JSON is a fair proxy for
  // the structured clone of the manifest.
  return (
    shard.pixels.byteLength +
    2 * shard.labels.byteLength +
    JSON.stringify(manifest).length
  );
}

export class ShardStore {
  private closedBecause: string | null = null;

  constructor(private readonly db: Db) {}

  async getManifest(dataset: string): Promise<DatasetManifest | undefined> {
    return this.run(`reading the manifest of "${dataset}"`, () =>
      this.db.get('manifests', dataset),
    );
  }

  async listDatasets(): Promise<DatasetManifest[]> {
    return this.run('listing datasets', () => this.db.getAll('manifests'));
  }

  /** Writes a manifest alone, e.g. to start an import or mark it done. */
  async putManifest(manifest: DatasetManifest): Promise<void> {
    const size = JSON.stringify(manifest).length;
    await this.write(`storing the manifest of "${manifest.name}"`, size, () =>
      this.db.put('manifests', manifest),
    );
  }

  /**
   * Stores a shard, its labels and `manifest`, the manifest as it reads
   * with this shard counted, in one transaction: all three or none.
   */
  async putShard(manifest: DatasetManifest, shard: ShardRecord): Promise<void> {
    if (shard.dataset !== manifest.name) {
      throw new StorageError(
        'storage',
        `expected a shard of "${manifest.name}", got one of "${shard.dataset}"`,
      );
    }
    const what = `storing ${shard.split} shard ${shard.index} of "${shard.dataset}"`;
    await this.write(what, writeSize(manifest, shard), async () => {
      // Relaxed: committed once the browser has the data, not once the
      // disk has flushed it. A power cut may lose the last shards, but
      // never part of one: a shard and the manifest that counts it share
      // this transaction, so an import resumes after what survived.
      const tx = this.db.transaction(
        ['shards', 'shardLabels', 'manifests'],
        'readwrite',
        { durability: 'relaxed' },
      );
      const labels: ShardLabels = {
        dataset: shard.dataset,
        split: shard.split,
        index: shard.index,
        labels: shard.labels,
      };
      // Chromium reports a full disk when the transaction commits, not on
      // the put, so tx.done is what carries the quota error.
      await Promise.all([
        tx.objectStore('shards').put(shard),
        tx.objectStore('shardLabels').put(labels),
        tx.objectStore('manifests').put(manifest),
        tx.done,
      ]);
    });
  }

  async getShard(
    dataset: string,
    split: SplitName,
    index: number,
  ): Promise<ShardRecord | undefined> {
    return this.run(`reading ${split} shard ${index} of "${dataset}"`, () =>
      this.db.get('shards', [dataset, split, index]),
    );
  }

  async getShardLabels(
    dataset: string,
    split: SplitName,
    index: number,
  ): Promise<ShardLabels | undefined> {
    const what = `reading the labels of ${split} shard ${index} of "${dataset}"`;
    return this.run(what, () =>
      this.db.get('shardLabels', [dataset, split, index]),
    );
  }

  /** The labels of every stored shard of a split, in shard order. */
  async getSplitLabels(
    dataset: string,
    split: SplitName,
  ): Promise<ShardLabels[]> {
    return this.run(`reading the ${split} labels of "${dataset}"`, () =>
      this.db.getAll('shardLabels', shardRange(dataset, split)),
    );
  }

  /** Removes a dataset's manifest and shards together. */
  async deleteDataset(dataset: string): Promise<void> {
    await this.run(`deleting "${dataset}"`, async () => {
      const tx = this.db.transaction(
        ['shards', 'shardLabels', 'manifests'],
        'readwrite',
      );
      await Promise.all([
        tx.objectStore('shards').delete(shardRange(dataset)),
        tx.objectStore('shardLabels').delete(shardRange(dataset)),
        tx.objectStore('manifests').delete(dataset),
        tx.done,
      ]);
    });
  }

  /** Closes the connection; later calls fail with `reason`. */
  close(reason = 'the store was closed'): void {
    this.closedBecause ??= reason;
    this.db.close();
  }

  private async run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.closedBecause !== null) {
      throw new StorageError(
        'storage',
        `${what} failed: expected an open store, but ${this.closedBecause}`,
      );
    }
    try {
      return await body();
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError(
        'storage',
        `${what} failed: ${describeFailure(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  private async write(
    what: string,
    bytes: number,
    body: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await this.run(what, body);
    } catch (error) {
      const cause = error instanceof StorageError ? error.cause : error;
      if (!isQuotaError(cause)) throw error;
      throw new StorageError(
        'quota',
        `${what} needed about ${formatBytes(bytes)}, and the browser ` +
          `refused them: storage quota exceeded${await describeUsage()}. ` +
          `Free some space or delete a dataset, then resume the import`,
        { cause },
      );
    }
  }
}

/** Opens (creating or upgrading as needed) the lab's shard store. */
export async function openShardStore(
  options: { dbName?: string } = {},
): Promise<ShardStore> {
  let store: ShardStore | null = null;
  // Holding the old version open would stall the other tab's upgrade;
  // this tab's store fails its next call with a reason instead.
  const db = await openLabDb(options.dbName ?? DB_NAME, () =>
    store?.close(
      'a newer version of the lab opened the database in another tab; ' +
        'reload this page',
    ),
  );
  store = new ShardStore(db);
  return store;
}

/** Opens the lab's database, creating or upgrading it as needed. */
export async function openLabDb(
  name: string,
  blocking: () => void,
): Promise<LabDb> {
  try {
    return await openDB<RecipeLabDB>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        for (let v = oldVersion; v < DB_VERSION; v++) UPGRADES[v]!(database);
      },
      blocking,
    });
  } catch (error) {
    throw new StorageError(
      'storage',
      `opening the IndexedDB database "${name}" at version ${DB_VERSION} ` +
        `failed: ${describeFailure(error)}`,
      { cause: error },
    );
  }
}
