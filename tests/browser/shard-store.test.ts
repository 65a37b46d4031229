// The data layer against real IndexedDB in Chromium: importing the shipped
// demo file, interrupting and resuming it, running out of quota, and
// reading batches back. Page-side code lives in shard-store.page.ts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SplitName } from '../../src/data/schema';
import {
  openModules,
  pageModuleCaller,
  type PageFunctions,
  type Session,
} from './harness';
import type * as PageHelpers from './shard-store.page';

type Helpers = PageFunctions<typeof PageHelpers>;

const HELPERS = '/tests/browser/shard-store.page.ts';
const inPageOf = pageModuleCaller<typeof PageHelpers>(HELPERS);
const RECORD_BYTES = 1 + 28 * 28;

let session: Session;
beforeAll(async () => {
  session = await openModules({ webgpu: false });
});
afterAll(async () => {
  await session?.close();
});

/** Calls a helper of shard-store.page.ts inside the test page. */
function inPage<K extends keyof Helpers>(
  name: K,
  ...args: Parameters<Helpers[K]>
): Promise<Awaited<ReturnType<Helpers[K]>>> {
  return inPageOf(session.page, name, ...args);
}

// The shipped file's split sizes (see public/datasets/README.md).
const NUM_TRAIN = 16_500;
const NUM_VAL = 1_000;
const NUM_IMAGES = NUM_TRAIN + NUM_VAL;

/** SHA-256 of each split's records, straight from the shipped file. */
function fileDigests(): Record<SplitName, string> {
  const path = resolve(
    import.meta.dirname,
    '../../public/datasets/fashion-mnist-demo.bin',
  );
  const bytes = gunzipSync(readFileSync(path));
  const start = 12 + bytes.readUInt32LE(8);
  const trainEnd = start + NUM_TRAIN * RECORD_BYTES;
  const digest = (b: Uint8Array) =>
    createHash('sha256').update(b).digest('hex');
  return {
    train: digest(bytes.subarray(start, trainEnd)),
    val: digest(bytes.subarray(trainEnd)),
  };
}

const expected = fileDigests();

const range = (n: number) => [...Array(n).keys()];
/** [index, images] of the shards that hold n images, 1,000 to a shard. */
const shardsOf = (n: number) =>
  range(Math.ceil(n / 1000)).map((i): [number, number] => [
    i,
    Math.min(1000, n - i * 1000),
  ]);

/** The manifest counts exactly the shards the store holds. */
function expectConsistent(summary: PageHelpers.StoreSummary): void {
  const manifest = summary.manifest!;
  for (const split of ['train', 'val'] as const) {
    const { numShards, numImages } = manifest.splits[split];
    expect(summary.shards[split]).toEqual(shardsOf(numImages));
    expect(summary.labelShards[split]).toEqual(range(numShards));
  }
}

test('imports every image of the demo file into shards of 1,000', async () => {
  const outcome = await inPage('importDemo', 'full');
  expect(outcome.error).toBeNull();
  expect(outcome.manifest).toMatchObject({
    name: 'fashion-mnist-demo',
    complete: true,
    shardSize: 1000,
    height: 28,
    width: 28,
    channels: 1,
    splits: {
      train: {
        numImages: NUM_TRAIN,
        numShards: 17,
        classCounts: Array(10).fill(1650),
      },
      val: { numImages: 1000, numShards: 1, classCounts: Array(10).fill(100) },
    },
  });
  expect(outcome.manifest!.classNames).toContain('Ankle boot');
  const done = outcome.progress.map((p) => p.imagesDone);
  // One report at the start, then one per stored shard.
  const ends = shardsOf(NUM_TRAIN).map(([i, n]) => i * 1000 + n);
  expect(done).toEqual([0, ...ends, NUM_IMAGES]);

  const summary = await inPage('summarize', 'full');
  expectConsistent(summary);
  expect(summary.digests).toEqual(expected);
});

test('a second import of the same file stores nothing twice', async () => {
  const before = await inPage('summarize', 'full');
  const outcome = await inPage('importDemo', 'full');
  expect(outcome.progress).toEqual([
    { imagesDone: NUM_IMAGES, imagesTotal: NUM_IMAGES },
  ]);
  expect(outcome.manifest).toEqual(before.manifest);
  expect(await inPage('summarize', 'full')).toEqual(before);
});

test('an aborted import keeps its shards and resumes after them', async () => {
  const aborted = await inPage('importDemo', 'abort', { abortAtImages: 2000 });
  expect(aborted.error?.name).toBe('AbortError');
  const partial = await inPage('summarize', 'abort');
  expect(partial.manifest?.complete).toBe(false);
  expect(partial.manifest?.splits.train.numImages).toBe(2000);
  expectConsistent(partial);

  const resumed = await inPage('importDemo', 'abort');
  expect(resumed.error).toBeNull();
  expect(resumed.progress[0]).toEqual({
    imagesDone: 2000,
    imagesTotal: NUM_IMAGES,
  });
  const summary = await inPage('summarize', 'abort');
  expect(summary.manifest?.complete).toBe(true);
  expectConsistent(summary);
  expect(summary.digests).toEqual(expected);
});

test('a page reload during a shard write leaves a store that resumes', async () => {
  await inPage('startStallingImport', 'reload', 4);
  await session.page.waitForFunction(() => globalThis.stalledAtShard === 4);
  await session.page.reload();

  const partial = await inPage('summarize', 'reload');
  expect(partial.manifest?.complete).toBe(false);
  // The fourth write may or may not have committed; either way it is whole.
  expect([3, 4]).toContain(partial.manifest?.splits.train.numShards);
  expectConsistent(partial);

  expect((await inPage('importDemo', 'reload')).error).toBeNull();
  const summary = await inPage('summarize', 'reload');
  expectConsistent(summary);
  expect(summary.digests).toEqual(expected);
});

test('running out of quota stops cleanly with a StorageError', async () => {
  // A fresh context starts with empty storage, so the quota below leaves
  // room for about two shards whatever the other tests stored.
  const context = await session.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(session.url);
    const cdp = await context.newCDPSession(page);
    const origin = new URL(session.url).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin,
      quotaSize: 2_000_000,
    });
    const outcome = await inPageOf(page, 'importDemo', 'quota');
    expect(outcome.error).toMatchObject({
      name: 'StorageError',
      code: 'quota',
    });
    expect(outcome.error?.message).toMatch(/needed about [\d,]+ bytes/);
    expect(outcome.error?.message).toMatch(/of a quota of [\d,]+ bytes/);
    const partial = await inPageOf(page, 'summarize', 'quota');
    expect(partial.manifest?.complete).toBe(false);
    expect(partial.manifest?.splits.train.numShards).toBeLessThan(17);
    expectConsistent(partial);

    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    expect((await inPageOf(page, 'importDemo', 'quota')).error).toBeNull();
    const summary = await inPageOf(page, 'summarize', 'quota');
    expectConsistent(summary);
    expect(summary.digests).toEqual(expected);
  } finally {
    await context.close();
  }
});

test('the import runs in a dedicated Worker', async () => {
  const manifest = await inPage('importInWorker', 'worker');
  expect(manifest.complete).toBe(true);
  expect(manifest.splits.train.numImages + manifest.splits.val.numImages).toBe(
    NUM_IMAGES,
  );
});

test('batches cover every stored image once per epoch, seeded', async () => {
  const options = { seed: 5, epoch: 0, batchSize: 256 };
  const first = await inPage('epochIndices', 'full', 'train', options);
  const again = await inPage('epochIndices', 'full', 'train', options);
  const next = await inPage('epochIndices', 'full', 'train', {
    ...options,
    epoch: 1,
  });
  expect(again.batches).toEqual(first.batches);
  expect(next.batches.flat()).not.toEqual(first.batches.flat());
  expect(first.batches.flat().sort((a, b) => a - b)).toEqual(range(NUM_TRAIN));
  expect(first.batches.at(-1)).toHaveLength(NUM_TRAIN % 256);
});

test('a class-balanced subset is read from labels alone', async () => {
  const options = { seed: 5, epoch: 0, batchSize: 64, perClass: 30 };
  const { batches, labels } = await inPage(
    'epochIndices',
    'full',
    'val',
    options,
  );
  expect(new Set(batches.flat()).size).toBe(300);
  const counts = Array(10).fill(0);
  labels.forEach((label) => counts[label]++);
  expect(counts).toEqual(Array(10).fill(30));
});
