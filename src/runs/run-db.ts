// The run log: every training run the lab starts, kept in the IndexedDB
// database "recipe-lab-runs", apart from the datasets' "recipe-lab" so the
// two schemas grow on their own.
//
//   runs     key: runId
//            value: RunRecord (recipe, environment, metrics, thinned
//            per-step loss and LR), a few tens of kilobytes
//   weights  key: runId
//            value: StoredWeights, the final weights of a run that ended
//            (and with model EMA its averaged weights beside them, for
//            the evaluation view to compare), megabytes, read only when
//            asked for
//
// Uses no window or DOM API. Never logs: failures reach the caller as
// StorageError, with code 'quota' when the browser refused the space.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { describeFailure, isQuotaError, StorageError } from '../data/errors';
import type { NamedWeights } from '../train/protocol';
import type { RunRecord } from './record';

export const RUNS_DB_NAME = 'recipe-lab-runs';

export interface StoredWeights {
  runId: string;
  weights: NamedWeights;
  /** The EMA's weights, for runs with `modelEma` once it has averaged. */
  ema?: NamedWeights;
}

interface RunsDB extends DBSchema {
  runs: { key: string; value: RunRecord };
  weights: { key: string; value: StoredWeights };
}

type Db = IDBPDatabase<RunsDB>;

// Step i brings the database from version i to version i + 1. Append new
// steps; never edit one that has shipped, browsers may have run it already.
const UPGRADES: ((db: Db) => void)[] = [
  // 0 -> 1: run records and their weights.
  (db) => {
    db.createObjectStore('runs', { keyPath: 'runId' });
    db.createObjectStore('weights', { keyPath: 'runId' });
  },
];

export const RUNS_DB_VERSION = UPGRADES.length;

/** Bytes of the weights' values, for the quota message. */
export function weightsBytes(weights: NamedWeights): number {
  let bytes = 0;
  for (const w of Object.values(weights)) bytes += w.data.byteLength;
  return bytes;
}

export class RunDb {
  private closedBecause: string | null = null;

  constructor(private readonly db: Db) {}

  /** Every record, in no particular order. */
  async list(): Promise<RunRecord[]> {
    return this.run('listing the runs', () => this.db.getAll('runs'));
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    return this.run(`reading run "${runId}"`, () => this.db.get('runs', runId));
  }

  async put(record: RunRecord): Promise<void> {
    await this.write(`storing run "${record.runId}"`, () =>
      this.db.put('runs', record),
    );
  }

  async putWeights(
    runId: string,
    weights: NamedWeights,
    ema?: NamedWeights,
  ): Promise<void> {
    const bytes = weightsBytes(weights) + (ema ? weightsBytes(ema) : 0);
    const mib = (bytes / 2 ** 20).toFixed(1);
    await this.write(`storing the ${mib} MiB of weights of "${runId}"`, () =>
      this.db.put('weights', { runId, weights, ...(ema && { ema }) }),
    );
  }

  async getWeights(runId: string): Promise<NamedWeights | undefined> {
    return (await this.getStoredWeights(runId))?.weights;
  }

  /** The final weights and, where kept, the EMA's. */
  async getStoredWeights(runId: string): Promise<StoredWeights | undefined> {
    return this.run(`reading the weights of "${runId}"`, () =>
      this.db.get('weights', runId),
    );
  }

  /** Removes a record and its weights together. */
  async delete(runId: string): Promise<void> {
    await this.run(`deleting run "${runId}"`, async () => {
      const tx = this.db.transaction(['runs', 'weights'], 'readwrite');
      await Promise.all([
        tx.objectStore('runs').delete(runId),
        tx.objectStore('weights').delete(runId),
        tx.done,
      ]);
    });
  }

  /** Closes the connection; later calls fail with `reason`. */
  close(reason = 'the run log was closed'): void {
    this.closedBecause ??= reason;
    this.db.close();
  }

  private async run<T>(what: string, body: () => Promise<T>): Promise<T> {
    if (this.closedBecause !== null) {
      throw new StorageError(
        'storage',
        `${what} failed: expected an open run log, but ${this.closedBecause}`,
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

  private async write(what: string, body: () => Promise<unknown>) {
    try {
      await this.run(what, body);
    } catch (error) {
      const cause = error instanceof StorageError ? error.cause : error;
      if (!isQuotaError(cause)) throw error;
      throw new StorageError(
        'quota',
        `${what} failed: the browser refused the space (storage quota ` +
          'exceeded). Delete old runs or datasets to make room',
        { cause },
      );
    }
  }
}

/** Opens (creating or upgrading as needed) the run log. */
export async function openRunDb(
  options: { dbName?: string } = {},
): Promise<RunDb> {
  const name = options.dbName ?? RUNS_DB_NAME;
  let store: RunDb | null = null;
  let db: Db;
  try {
    db = await openDB<RunsDB>(name, RUNS_DB_VERSION, {
      upgrade(database, oldVersion) {
        for (let v = oldVersion; v < RUNS_DB_VERSION; v++) {
          UPGRADES[v]!(database);
        }
      },
      // Holding the old version open would stall the other tab's upgrade.
      blocking() {
        store?.close(
          'a newer version of the lab opened it in another tab; reload',
        );
      },
    });
  } catch (error) {
    throw new StorageError(
      'storage',
      `opening the IndexedDB database "${name}" at version ` +
        `${RUNS_DB_VERSION} failed: ${describeFailure(error)}`,
      { cause: error },
    );
  }
  store = new RunDb(db);
  return store;
}
