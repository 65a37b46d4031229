// Run checkpoints in the lab's IndexedDB database (schema in
// shard-store.ts): `checkpoints` holds the latest RunCheckpoint of each
// run, `checkpointSummaries` the same without tensors, so that listing
// runs reads no weights. Both are written in one transaction, which
// replaces the run's previous checkpoint: a tab closed or crashed during
// the write leaves the previous one whole. A run deletes its checkpoint
// when it finishes, so only unfinished runs hold storage. Never logs.
import {
  summarize,
  type CheckpointSummary,
  type RunCheckpoint,
} from '../train/checkpoint';
import { describeFailure, StorageError } from './errors';
import { DB_NAME, openLabDb, type LabDb } from './shard-store';

export class CheckpointStore {
  constructor(private readonly db: LabDb) {}

  /** Replaces the run's checkpoint and summary, all or nothing. */
  async put(checkpoint: RunCheckpoint): Promise<void> {
    await this.run(`storing the checkpoint of run ${checkpoint.runId}`, () => {
      // Strict: committed once on disk, so a crash of the browser itself
      // (not only of the tab) keeps the epoch. Once an epoch, it costs
      // little.
      const tx = this.db.transaction(
        ['checkpoints', 'checkpointSummaries'],
        'readwrite',
        { durability: 'strict' },
      );
      return Promise.all([
        tx.objectStore('checkpoints').put(checkpoint),
        tx.objectStore('checkpointSummaries').put(summarize(checkpoint)),
        tx.done,
      ]);
    });
  }

  async get(runId: string): Promise<RunCheckpoint | undefined> {
    return this.run(`reading the checkpoint of run ${runId}`, () =>
      this.db.get('checkpoints', runId),
    );
  }

  /** Every stored checkpoint's summary, the latest saved first. */
  async list(): Promise<CheckpointSummary[]> {
    const all = await this.run('listing checkpoints', () =>
      this.db.getAll('checkpointSummaries'),
    );
    return all.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  async delete(runId: string): Promise<void> {
    await this.run(`deleting the checkpoint of run ${runId}`, () => {
      const tx = this.db.transaction(
        ['checkpoints', 'checkpointSummaries'],
        'readwrite',
      );
      return Promise.all([
        tx.objectStore('checkpoints').delete(runId),
        tx.objectStore('checkpointSummaries').delete(runId),
        tx.done,
      ]);
    });
  }

  close(): void {
    this.db.close();
  }

  private async run<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      const code = name === 'QuotaExceededError' ? 'quota' : 'storage';
      throw new StorageError(
        code,
        `${what} failed: ${describeFailure(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}

export async function openCheckpointStore(
  options: { dbName?: string } = {},
): Promise<CheckpointStore> {
  let store: CheckpointStore | null = null;
  const db = await openLabDb(options.dbName ?? DB_NAME, () => store?.close());
  store = new CheckpointStore(db);
  return store;
}
