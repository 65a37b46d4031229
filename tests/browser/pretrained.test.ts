// Training from downloaded weights in the built app: a safetensors file is
// served in place of a real URL, downloaded through the Weights panel into
// the browser's cache, and after a reload (the URL now gone) a short
// fine-tune of the demo starts from it. The file is a width-0.125
// ResNet-18 in torchvision's layout whose head always answers class 0
// (zero weights, bias HEAD_BIAS on class 0), so a run that loaded it starts
// at a loss just under HEAD_BIAS where one from scratch starts near ln 10;
// its metadata carries its own mean and std, which the run must use
// instead of the dataset's.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createRng, sampleNormal } from '../../src/lib/random';
import { describeResNet } from '../../src/train/resnet';
import type { TrainerEvent, TrainReport } from '../../src/train/protocol';
import { writeSafetensors } from '../../src/weights/safetensors';
import { stateDictEntries } from '../../src/weights/state-dict';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';

const SHOTS = resolve(ROOT, 'test-results');
const IMPORT_TIMEOUT_MS = 120_000;
const TRAIN_TIMEOUT_MS = 420_000;
const HEAD_BIAS = 12;
const MEAN = 0.25;
const STD = 0.5;

/** The fixture: seeded convolutions, plain BN, a head fixed on class 0. */
function fixtureFile(): Uint8Array {
  const graph = describeResNet({
    name: 'resnet18',
    numClasses: 10,
    inChannels: 1,
    widthMultiplier: 0.125,
  });
  const rng = createRng(11);
  const tensors = stateDictEntries(graph).map((e) => {
    const data = new Float32Array(e.torchShape.reduce((a, d) => a * d, 1));
    const field = e.name.split('.').at(-1);
    if (e.name === 'fc.bias') data[0] = HEAD_BIAS;
    else if (e.name === 'fc.weight') data.fill(0);
    else if (field === 'running_var' || e.kind === 'bn-weight') data.fill(1);
    else if (e.kind === 'conv') {
      const fanIn = e.torchShape.slice(1).reduce((a, d) => a * d, 1);
      for (let i = 0; i < data.length; i++) {
        data[i] = sampleNormal(rng) * Math.sqrt(2 / fanIn);
      }
    }
    return { name: e.name, shape: e.torchShape, data };
  });
  return writeSafetensors(tensors, {
    mean: JSON.stringify([MEAN]),
    std: JSON.stringify([STD]),
    input_size: '28',
  });
}

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

test('weights downloaded once train a run offline, as they were trained', async () => {
  session = await openApp();
  const { page } = session;
  const origin = new URL(session.url).origin;
  const weightsUrl = `${origin}/fixtures/tiny-resnet18.safetensors`;
  const brokenUrl = `${origin}/fixtures/broken.safetensors`;
  const file = fixtureFile();
  let served = true;
  await page.route(weightsUrl, (route) =>
    served
      ? route.fulfill({
          status: 200,
          contentType: 'application/octet-stream',
          body: Buffer.from(file),
        })
      : route.fulfill({ status: 404, body: 'gone' }),
  );
  await page.route(brokenUrl, (route) =>
    route.fulfill({ status: 200, body: 'not a weight file at all' }),
  );
  const unreachableUrl = `${origin}/fixtures/unreachable.safetensors`;
  await page.route(unreachableUrl, (route) => route.abort('failed'));

  const panel = page.getByRole('region', { name: 'Weights' });
  const url = panel.getByLabel('Safetensors URL');
  const downloadUrl = panel.getByRole('button', { name: 'Download URL' });

  // A file that is not safetensors is refused and nothing is kept.
  await url.fill(brokenUrl);
  await downloadUrl.click();
  await expect
    .poll(() => panel.getByRole('alert').innerText())
    .toMatch(/expected a safetensors file, got one that is not/);
  expect(await panel.getByText('No weights are cached yet.').count()).toBe(1);

  await url.fill(weightsUrl);
  await downloadUrl.click();
  const cached = panel.locator(`li[data-weights-id="${weightsUrl}"]`);
  await expect.poll(() => cached.count()).toBe(1);
  const progress = panel.getByRole('progressbar', { name: 'Weights download' });
  expect(await progress.getAttribute('value')).toBe(String(file.length));
  expect(await progress.getAttribute('max')).toBe(String(file.length));
  expect(await cached.innerText()).toMatch(
    /resnet18, width 0\.125; 10 classes, 1 input channels.*mean 0\.250, std 0\.500 \(file metadata\)/,
  );

  // Offline from here on: the URL answers 404, the cache has the file.
  served = false;
  await page.addInitScript(() => {
    const events: TrainerEvent[] = [];
    Object.assign(window, { trainerEvents: events });
    window.__recipeLabEvent = (e) => events.push(e);
  });
  await page.reload();
  const trainButton = page.getByRole('button', { name: 'Train', exact: true });
  await expect
    .poll(() => trainButton.isEnabled(), { timeout: IMPORT_TIMEOUT_MS })
    .toBe(true);
  await expect.poll(() => cached.count()).toBe(1);

  // Downloads that fail say how, and leave the cache as it was.
  await url.fill(weightsUrl);
  await downloadUrl.click();
  await expect
    .poll(() => panel.getByRole('alert').innerText())
    .toBe(`${weightsUrl}: expected HTTP 200, got 404 Not Found`);
  await url.fill(unreachableUrl);
  await downloadUrl.click();
  await expect
    .poll(() => panel.getByRole('alert').innerText())
    .toMatch(/^could not reach .*unreachable\.safetensors: TypeError/);
  expect(await panel.locator('li[data-weights-id]').count()).toBe(1);

  await cached.getByRole('button', { name: 'Train from these' }).click();
  expect(await page.getByLabel('Width multiplier').inputValue()).toBe('0.125');
  expect(
    await page.getByLabel('Weights (id in the Weights panel)').inputValue(),
  ).toBe(weightsUrl);
  await page.getByLabel('Training images (0 = all)').fill('64');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await trainButton.click();

  const status = page.locator('.status-line');
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({
    path: resolve(SHOTS, 'pretrained.png'),
    fullPage: true,
  });
  expect(await status.innerText()).toMatch(/^Finished/);

  const events = await page.evaluate(
    () =>
      (window as unknown as { trainerEvents: TrainerEvent[] }).trainerEvents,
  );
  const done = events.find((e) => e.type === 'done');
  const report = (done as { report: TrainReport }).report;
  expect(report.recipe).toMatchObject({
    pretrained: true,
    weights: weightsUrl,
    width: 0.125,
  });
  expect(report.weights).toEqual({
    id: weightsUrl,
    configFrom: 'file metadata',
    load: {
      numLoaded: stateDictEntries(
        describeResNet({
          name: 'resnet18',
          numClasses: 10,
          inChannels: 1,
          widthMultiplier: 0.125,
        }),
      ).length,
      headReplaced: null,
      inputConvSummed: null,
      numIgnored: 0,
    },
  });
  expect(report.normalization).toEqual({ mean: [MEAN], std: [STD] });
  // The head the file holds: each image's loss is near 0 for class 0 and
  // near HEAD_BIAS for the others, so a batch of a class-balanced subset
  // has a mean loss just under HEAD_BIAS (a network from scratch starts
  // near ln 10 = 2.3), at most the loss of a class other than 0.
  const loss = report.epochs[0]!.trainLoss;
  const worst = HEAD_BIAS + Math.log(1 + 9 * Math.exp(-HEAD_BIAS));
  expect(loss).toBeGreaterThan(0.6 * HEAD_BIAS);
  expect(loss).toBeLessThanOrEqual(worst + 1e-4);
  // After one small step every image is still called class 0: top-1 is
  // class 0's share of the demo's balanced validation split.
  expect(report.epochs[0]!.valTop1).toBeCloseTo(0.1, 6);
  expect(await page.locator('body').innerText()).toContain(
    `started from weights "${weightsUrl}": ${report.weights!.load.numLoaded} tensors`,
  );

  // The same file for a network twice as wide fails, naming the shapes.
  await page.getByLabel('Width multiplier').fill('0.25');
  await trainButton.click();
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^The run failed/);
  expect(await page.locator('body').innerText()).toContain(
    'conv1.weight: expected [16,1,7,7], got [8,1,7,7]',
  );
});

test('a run naming weights the cache lacks fails saying what it has', async () => {
  session = await openApp({
    query: '?pretrained=true&weights=timm/resnet18.tv_in1k',
  });
  const { page } = session;
  const trainButton = page.getByRole('button', { name: 'Train', exact: true });
  await expect
    .poll(() => trainButton.isEnabled(), { timeout: IMPORT_TIMEOUT_MS })
    .toBe(true);
  expect(
    await page.getByLabel('Weights (id in the Weights panel)').inputValue(),
  ).toBe('timm/resnet18.tv_in1k');
  await trainButton.click();
  const status = page.locator('.status-line');
  await expect
    .poll(() => status.innerText(), { timeout: TRAIN_TIMEOUT_MS })
    .toMatch(/^(Finished|Stopped|The run failed)/);
  expect(await page.locator('body').innerText()).toContain(
    'no weights "timm/resnet18.tv_in1k" are cached; expected one of: nothing',
  );
});
