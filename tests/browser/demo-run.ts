// What the Worker-level browser tests share, on a page opened with
// openModules(): the demo set imported into the page's IndexedDB, and a
// run trained through the app's TrainerClient with every event it sent.
import type { Page } from 'playwright-core';
import type * as DemoImport from '../../src/data/demo-import';
import type * as Store from '../../src/data/shard-store';
import type { Recipe } from '../../src/recipe/recipe';
import type * as Client from '../../src/train/client';
import type { TrainerEvent, TrainReport } from '../../src/train/protocol';

export const DEMO = 'fashion-mnist-demo';

/** Imports the shipped demo dataset into the page's shard store. */
export async function importDemo(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const store = await (
      await window.importModule<typeof Store>('/src/data/shard-store.ts')
    ).openShardStore();
    const demo = await window.importModule<typeof DemoImport>(
      '/src/data/demo-import.ts',
    );
    await demo.importDemoDataset(store, '/datasets/fashion-mnist-demo.bin');
    store.close();
  });
}

/**
 * Trains `recipe` on the demo set to the end, or with `resume` continues
 * the checkpointed run `runId`; the report and every event.
 */
export function trainDemo(
  page: Page,
  recipe: Recipe,
  runId: string,
  resume = false,
): Promise<{ report: TrainReport; events: TrainerEvent[] }> {
  return page.evaluate(
    async ({ recipe, runId, resume, dataset }) => {
      const { TrainerClient } = await window.importModule<typeof Client>(
        '/src/train/client.ts',
      );
      const client = new TrainerClient();
      const events: TrainerEvent[] = [];
      client.subscribe((e) => events.push(e));
      const report = resume
        ? await client.resumeRun(runId)
        : await client.train(dataset, recipe, runId);
      return { report, events };
    },
    { recipe, runId, resume, dataset: DEMO },
  );
}
