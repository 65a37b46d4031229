// The augmentation preview's store with a fake Worker client and a clock
// the test moves: debounced redraws on the transform's options only, the
// same key for the same seed and recipe, a pause that ends the Worker
// while a run holds the GPU, and the messages the panel shows.
import { expect, test } from 'vitest';
import type { DatasetManifest } from '../../src/data/schema';
import { DEFAULT_RECIPE, type Recipe } from '../../src/recipe/recipe';
import { TrainerError } from '../../src/train/client';
import type { PreviewArgs } from '../../src/train/preview/client';
import type { AugmentPreview } from '../../src/train/preview/preview';
import {
  createPreviewStore,
  PREVIEW_DEBOUNCE_MS,
  PREVIEW_IMAGES,
  previewWanted,
  type PreviewWanted,
} from '../../src/ui/preview-store';
import {
  previewImageTitle,
  previewStatusText,
} from '../../src/ui/preview-view';
import { draftFromRecipe } from '../../src/ui/recipe-draft';
import { IDLE_RUN } from '../../src/ui/run-events';

function fakeClock() {
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  return {
    later(run: () => void, ms: number) {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.run();
      }
    },
  };
}

function fakePreviewer() {
  const asked: PreviewArgs[] = [];
  const answers: {
    resolve(p: AugmentPreview): void;
    reject(e: Error): void;
  }[] = [];
  let releases = 0;
  return {
    asked,
    answers,
    releases: () => releases,
    port: {
      draw(args: PreviewArgs) {
        asked.push(args);
        return new Promise<AugmentPreview>((resolve, reject) =>
          answers.push({ resolve, reject }),
        );
      },
      release() {
        releases++;
        const error = new TrainerError('released', 'the preview was paused');
        answers.splice(0).forEach((a) => a.reject(error));
      },
    },
  };
}

function preview(size: number): AugmentPreview {
  return {
    size,
    pixels: new Uint8ClampedArray(size * size * 4),
    images: [{ label: 1, index: 7, notes: ['crop 3x3 at (0, 1)'] }],
  };
}

function setup() {
  const clock = fakeClock();
  const previewer = fakePreviewer();
  const store = createPreviewStore({
    previewer: previewer.port,
    later: clock.later,
  });
  return { clock, previewer, store };
}

const wanted = (recipe: Partial<Recipe> = {}): PreviewWanted => ({
  dataset: 'demo',
  stored: true,
  recipe: { ...DEFAULT_RECIPE, ...recipe },
  training: false,
});

/** Lets promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('edits within the pause draw once, with the last recipe', async () => {
  const { clock, previewer, store } = setup();
  store.getState().want(wanted({ imageSize: 28 }));
  clock.advance(PREVIEW_DEBOUNCE_MS - 1);
  store.getState().want(wanted({ imageSize: 2 }));
  store.getState().want(wanted({ imageSize: 24 }));
  expect(store.getState().status).toBe('drawing');
  clock.advance(PREVIEW_DEBOUNCE_MS - 1);
  expect(previewer.asked).toHaveLength(0);
  clock.advance(1);
  expect(previewer.asked).toHaveLength(1);
  expect(previewer.asked[0]).toMatchObject({
    dataset: 'demo',
    seed: 1,
    numImages: PREVIEW_IMAGES,
    recipe: { imageSize: 24 },
  });
  previewer.answers[0]!.resolve(preview(24));
  await settle();
  const state = store.getState();
  expect(state.status).toBe('ready');
  expect(state.preview?.size).toBe(24);
  expect(state.drawnFor).toMatchObject({ dataset: 'demo', seed: 1 });
  expect(state.drawnFor?.transform.imageSize).toBe(24);
});

test('options that do not shape the images draw nothing new', async () => {
  const { clock, previewer, store } = setup();
  store.getState().want(wanted());
  clock.advance(PREVIEW_DEBOUNCE_MS);
  previewer.answers[0]!.resolve(preview(28));
  await settle();
  store.getState().want(wanted({ lr: 0.4, epochs: 3, seed: 9 }));
  clock.advance(PREVIEW_DEBOUNCE_MS);
  expect(previewer.asked).toHaveLength(1);
  expect(store.getState().status).toBe('ready');

  store.getState().want(wanted({ autoAugment: 'ta_wide' }));
  clock.advance(PREVIEW_DEBOUNCE_MS);
  expect(previewer.asked).toHaveLength(2);
});

test('the same seed and recipe give the same key; a new draw moves on', async () => {
  const { clock, previewer, store } = setup();
  const keys: string[] = [];
  const drawWith = async (recipe: Partial<Recipe>) => {
    store.getState().want(wanted(recipe));
    clock.advance(PREVIEW_DEBOUNCE_MS);
    previewer.answers.at(-1)!.resolve(preview(28));
    await settle();
    keys.push(store.getState().drawnFor!.key);
  };
  await drawWith({ randomErase: 0 });
  await drawWith({ randomErase: 0.5 });
  await drawWith({ randomErase: 0 });
  expect(keys[2]).toBe(keys[0]);
  expect(keys[1]).not.toBe(keys[0]);
  expect(previewer.asked).toHaveLength(3);

  store.getState().newDraw();
  clock.advance(0);
  expect(previewer.asked).toHaveLength(4);
  expect(previewer.asked[3]!.seed).toBe(2);
  expect(store.getState().seed).toBe(2);
});

test('a run pauses the preview and ends its Worker; the end draws again', async () => {
  const { clock, previewer, store } = setup();
  store.getState().want(wanted());
  clock.advance(PREVIEW_DEBOUNCE_MS);
  expect(previewer.asked).toHaveLength(1);

  store.getState().want({ ...wanted(), training: true });
  store.getState().want({ ...wanted({ cutmixAlpha: 1 }), training: true });
  expect(previewer.releases()).toBe(1);
  clock.advance(PREVIEW_DEBOUNCE_MS);
  await settle();
  expect(previewer.asked).toHaveLength(1);
  const paused = store.getState();
  expect(paused.status).toBe('paused');
  expect(paused.failure).toBeNull();
  expect(previewStatusText(paused)).toMatch(/^Paused while a run uses the GPU/);

  store.getState().want(wanted());
  clock.advance(PREVIEW_DEBOUNCE_MS);
  expect(previewer.asked).toHaveLength(2);
  previewer.answers[0]!.resolve(preview(28));
  await settle();
  expect(store.getState().status).toBe('ready');
});

test('only the newest draw lands; a failure is shown, a dropped one not', async () => {
  const { clock, previewer, store } = setup();
  store.getState().want(wanted({ imageSize: 20 }));
  clock.advance(PREVIEW_DEBOUNCE_MS);
  store.getState().want(wanted({ imageSize: 24 }));
  clock.advance(PREVIEW_DEBOUNCE_MS);
  previewer.answers[1]!.resolve(preview(24));
  previewer.answers[0]!.resolve(preview(20));
  await settle();
  expect(store.getState().preview?.size).toBe(24);

  store.getState().want(wanted({ imageSize: 16 }));
  clock.advance(PREVIEW_DEBOUNCE_MS);
  previewer.answers[2]!.reject(new TrainerError('superseded', 'newer'));
  await settle();
  expect(store.getState().status).toBe('drawing');

  store.getState().newDraw();
  clock.advance(0);
  previewer.answers[3]!.reject(
    new TrainerError('no-dataset', 'no dataset named "demo" is stored'),
  );
  await settle();
  const failed = store.getState();
  expect(failed.status).toBe('failed');
  expect(previewStatusText(failed)).toBe(
    'The preview failed: no dataset named "demo" is stored',
  );
});

test('nothing is drawn without the dataset or with a bad recipe', () => {
  const { clock, previewer, store } = setup();
  store.getState().want({ ...wanted(), dataset: 'cars', stored: false });
  clock.advance(PREVIEW_DEBOUNCE_MS);
  expect(store.getState().status).toBe('no-dataset');
  expect(previewStatusText(store.getState())).toBe(
    'No dataset “cars” is stored yet; the preview draws its training ' +
      'images once it is.',
  );
  store.getState().want({ ...wanted(), recipe: null });
  clock.advance(PREVIEW_DEBOUNCE_MS);
  expect(store.getState().status).toBe('bad-recipe');
  expect(previewer.asked).toHaveLength(0);
});

test('the page asks for the form recipe on the dataset it trains', () => {
  const recipe = { ...DEFAULT_RECIPE, autoAugment: 'ra' as const };
  const draft = draftFromRecipe(recipe);
  const demo = { name: 'demo', complete: true } as DatasetManifest;
  const half = { name: 'cars', complete: false } as DatasetManifest;
  const lab = { recipe, draft, trainOn: 'demo', run: IDLE_RUN };
  expect(previewWanted(lab, { datasets: [demo, half] })).toEqual({
    dataset: 'demo',
    stored: true,
    recipe,
    training: false,
  });
  const running = { ...IDLE_RUN, status: 'running' as const };
  const other = { ...lab, trainOn: 'cars', run: running };
  expect(previewWanted(other, { datasets: [demo, half] })).toMatchObject({
    stored: false,
    training: true,
  });
  const bad = { ...lab, draft: { ...draft, raMagnitude: '31' } };
  expect(previewWanted(bad, { datasets: [demo] }).recipe).toBeNull();
});

test('an image title names its class, its place and what was drawn', () => {
  const image = { label: 1, index: 7, notes: ['crop 3x3 at (0, 1)', 'x'] };
  expect(previewImageTitle(image, 4, ['shirt', 'boot'])).toBe(
    '5. boot (training image 7)\ncrop 3x3 at (0, 1)\nx',
  );
  expect(previewImageTitle(image, 0, undefined)).toMatch(/^1\. class 1 /);
});
