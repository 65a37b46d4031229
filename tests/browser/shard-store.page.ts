// Page-side helpers for shard-store.test.ts. The test page imports this
// module (window.importModule) and calls these inside page.evaluate; each
// returns plain data, since stores and errors cannot cross that boundary.
import { readBatches, loadClassBalancedSubset } from '../../src/data/batches';
import {
  DEMO_DATASET_NAME,
  importDemoDataset,
  type ImportProgress,
  type ImportTarget,
} from '../../src/data/demo-import';
import { openShardStore, type ShardStore } from '../../src/data/shard-store';
import {
  SPLIT_NAMES,
  type DatasetManifest,
  type SplitName,
} from '../../src/data/schema';

export const DEMO_URL = '/datasets/fashion-mnist-demo.bin';

export interface ImportOutcome {
  manifest: DatasetManifest | null;
  progress: ImportProgress[];
  error: { name: string; code?: string; message: string } | null;
}

async function withStore<T>(
  dbName: string,
  body: (store: ShardStore) => Promise<T>,
): Promise<T> {
  const store = await openShardStore({ dbName });
  try {
    return await body(store);
  } finally {
    store.close();
  }
}

function describeError(error: unknown): ImportOutcome['error'] {
  const e = error as { name?: string; code?: unknown; message?: string };
  return {
    name: String(e?.name),
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: String(e?.message ?? error),
  };
}

/** Imports the demo; aborts once `abortAtImages` images are stored. */
export async function importDemo(
  dbName: string,
  options: { abortAtImages?: number } = {},
): Promise<ImportOutcome> {
  return withStore(dbName, async (store) => {
    const progress: ImportProgress[] = [];
    const controller = new AbortController();
    const onProgress = (p: ImportProgress) => {
      progress.push(p);
      if (p.imagesDone >= (options.abortAtImages ?? Infinity)) {
        controller.abort();
      }
    };
    try {
      const manifest = await importDemoDataset(store, DEMO_URL, {
        onProgress,
        signal: controller.signal,
      });
      return { manifest, progress, error: null };
    } catch (error) {
      return { manifest: null, progress, error: describeError(error) };
    }
  });
}

declare global {
  var stalledAtShard: number | undefined;
}

/**
 * Starts an import whose `stallAt`-th shard write is sent to IndexedDB but
 * never reported back, so the import hangs with that transaction in
 * flight; the test then reloads the page.
 */
export async function startStallingImport(
  dbName: string,
  stallAt: number,
): Promise<void> {
  const store = await openShardStore({ dbName });
  let writes = 0;
  const target: ImportTarget = {
    getManifest: (name) => store.getManifest(name),
    putManifest: (m) => store.putManifest(m),
    deleteDataset: (name) => store.deleteDataset(name),
    putShard: (manifest, shard) => {
      const write = store.putShard(manifest, shard);
      if (++writes < stallAt) return write;
      globalThis.stalledAtShard = writes;
      return new Promise<void>(() => undefined);
    },
  };
  void importDemoDataset(target, DEMO_URL);
}

export interface StoreSummary {
  manifest: DatasetManifest | undefined;
  /** Indices of the shards whose labels are stored, per split. */
  labelShards: Record<SplitName, number[]>;
  /** Indices and sizes of the shards whose pixels are stored, per split. */
  shards: Record<SplitName, [index: number, numImages: number][]>;
  /** SHA-256 of each split's records as the file lays them out. */
  digests: Record<SplitName, string>;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function summarize(
  dbName: string,
  dataset = DEMO_DATASET_NAME,
): Promise<StoreSummary> {
  return withStore(dbName, async (store) => {
    const manifest = await store.getManifest(dataset);
    const summary: StoreSummary = {
      manifest,
      labelShards: { train: [], val: [] },
      shards: { train: [], val: [] },
      digests: { train: '', val: '' },
    };
    for (const split of SPLIT_NAMES) {
      const labels = await store.getSplitLabels(dataset, split);
      summary.labelShards[split] = labels.map((l) => l.index);
      const records: Uint8Array[] = [];
      // Reads past the manifest's count too, to catch stray shards.
      for (let index = 0; ; index++) {
        const shard = await store.getShard(dataset, split, index);
        if (!shard) break;
        summary.shards[split].push([index, shard.numImages]);
        const bytesPerImage = shard.pixels.length / shard.numImages;
        for (let i = 0; i < shard.numImages; i++) {
          const record = new Uint8Array(1 + bytesPerImage);
          record[0] = shard.labels[i]!;
          const from = i * bytesPerImage;
          record.set(shard.pixels.subarray(from, from + bytesPerImage), 1);
          records.push(record);
        }
      }
      const all = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
      records.reduce((pos, r) => (all.set(r, pos), pos + r.length), 0);
      summary.digests[split] = await sha256(all);
    }
    return summary;
  });
}

/** The image indices of every batch of one epoch, in order. */
export async function epochIndices(
  dbName: string,
  split: SplitName,
  options: {
    seed: number;
    epoch: number;
    batchSize: number;
    perClass?: number;
  },
): Promise<{ batches: number[][]; labels: number[] }> {
  return withStore(dbName, async (store) => {
    const manifest = (await store.getManifest(DEMO_DATASET_NAME))!;
    const subset =
      options.perClass === undefined
        ? undefined
        : await loadClassBalancedSubset(store, manifest, split, {
            numPerClass: options.perClass,
            seed: options.seed,
          });
    const batches: number[][] = [];
    const labels: number[] = [];
    for await (const batch of readBatches(store, manifest, split, {
      ...options,
      shuffle: true,
      dropLast: false,
      subset,
    })) {
      batches.push([...batch.indices!]);
      labels.push(...batch.labels);
    }
    return { batches, labels };
  });
}

/** Runs a whole demo import in a dedicated Worker; resolves its manifest. */
export function importInWorker(dbName: string): Promise<DatasetManifest> {
  const worker = new Worker('/tests/browser/shard-store.worker.ts', {
    type: 'module',
  });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent) => {
      worker.terminate();
      if (e.data.error) reject(new Error(e.data.error));
      else resolve(e.data.manifest);
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`the worker failed to start: ${e.message}`));
    };
    worker.postMessage({ dbName, url: DEMO_URL });
  });
}
