// The store's dependencies as the browser provides them: the training
// Worker's client, IndexedDB through the shard store, the demo file, the
// WebGPU probe and animation frames. Tests give the store fakes instead.
import { demoDatasetUrl, importDemoDataset } from '../data/demo-import';
import { openShardStore, type ShardStore } from '../data/shard-store';
import type { TrainerClient } from '../train/client';
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

export function createBrowserDeps(trainer: TrainerClient): LabDeps {
  let shards: Promise<ShardStore> | null = null;
  const openShards = () => {
    // A failed open is not kept, so Retry tries again.
    shards ??= openShardStore().catch((error: unknown) => {
      shards = null;
      throw error;
    });
    return shards;
  };

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
    schedule: atNextFrame,
    now: () => Date.now(),
  };
}
