// The stores' dependencies as the browser provides them: the training
// Worker's client, the import Worker's client, IndexedDB through the shard
// store, the demo file, the WebGPU probe and animation frames. Tests give
// the stores fakes instead.
import {
  openCheckpointStore,
  type CheckpointStore,
} from '../data/checkpoint-store';
import { readClassImages } from '../data/class-images';
import { demoDatasetUrl, importDemoDataset } from '../data/demo-import';
import type { ImportClient } from '../data/import/client';
import { openShardStore, type ShardStore } from '../data/shard-store';
import type { TrainerClient } from '../train/client';
import type { ImportDeps } from '../ui/import-store';
import {
  DEMO_DATASET,
  type LabDeps,
  type StorageReport,
  type WebGpuFound,
} from '../ui/store';

// A hidden tab gets no animation frames; the timer keeps events flowing
// there so that the state is current when the tab comes back.
const FLUSH_FALLBACK_MS = 250;

function atNextFrame(flush: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    flush();
  };
  requestAnimationFrame(once);
  setTimeout(once, FLUSH_FALLBACK_MS);
}

/**
 * Whether this page can get a WebGPU adapter. A browser can expose
 * `navigator.gpu` and still have no adapter (GPU blocklisted, or WebGPU
 * switched off), which for training is the same as no WebGPU.
 */
async function probeWebGpu(): Promise<WebGpuFound> {
  if (!navigator.gpu) return 'missing';
  try {
    const adapter = await navigator.gpu.requestAdapter();
    return adapter ? 'available' : 'no-adapter';
  } catch {
    return 'no-adapter';
  }
}

/** Opens the shard store once, for every caller on this page. */
export function shardOpener(): () => Promise<ShardStore> {
  let shards: Promise<ShardStore> | null = null;
  return () => {
    // A failed open is not kept, so Retry tries again.
    shards ??= openShardStore().catch((error: unknown) => {
      shards = null;
      throw error;
    });
    return shards;
  };
}

export function createImportDeps(
  importer: ImportClient,
  openShards: () => Promise<ShardStore>,
): ImportDeps {
  return {
    importer,
    listDatasets: async () => (await openShards()).listDatasets(),
    readClassImages: async (dataset, split, classId, limit) =>
      readClassImages(await openShards(), dataset, split, classId, limit),
    schedule: atNextFrame,
    now: () => Date.now(),
  };
}

/** Opens the checkpoint store for one call, so no connection lingers. */
async function withCheckpoints<T>(
  body: (store: CheckpointStore) => Promise<T>,
): Promise<T> {
  const store = await openCheckpointStore();
  try {
    return await body(store);
  } finally {
    store.close();
  }
}

export function createBrowserDeps(
  trainer: TrainerClient,
  openShards = shardOpener(),
): LabDeps {
  const inspectStorage = async (): Promise<StorageReport> => {
    const estimate = await navigator.storage?.estimate().catch(() => undefined);
    const manifest = await openShards()
      .then((store) => store.getManifest(DEMO_DATASET))
      .catch(() => undefined);
    return {
      usageBytes: estimate?.usage,
      quotaBytes: estimate?.quota,
      manifest,
    };
  };

  return {
    trainer,
    importDemo: async ({ onProgress }) =>
      importDemoDataset(await openShards(), demoDatasetUrl(), { onProgress }),
    inspectStorage,
    probeWebGpu,
    checkpoints: {
      list: () => withCheckpoints((store) => store.list()),
      discard: (runId) => withCheckpoints((store) => store.delete(runId)),
    },
    schedule: atNextFrame,
    now: () => Date.now(),
  };
}
