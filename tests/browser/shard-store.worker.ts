// A dedicated Worker that imports the demo dataset, to show the data layer
// needs nothing from window or the DOM.
import { importDemoDataset } from '../../src/data/demo-import';
import { openShardStore } from '../../src/data/shard-store';

self.onmessage = async (e: MessageEvent<{ dbName: string; url: string }>) => {
  try {
    const store = await openShardStore({ dbName: e.data.dbName });
    const manifest = await importDemoDataset(store, e.data.url);
    store.close();
    self.postMessage({ manifest });
  } catch (error) {
    self.postMessage({ error: `${(error as Error).name}: ${error}` });
  }
};
