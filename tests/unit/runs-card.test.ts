// Run cards: a finished run's card reads back to the same run, the link
// codec round-trips and stays short, and every kind of bad card is refused
// with what was expected and what came.
import { describe, expect, test } from 'vitest';
import {
  CARD_KIND,
  CARD_VERSION,
  CardError,
  cardFile,
  cardOf,
  parseCard,
  readCard,
  sharedRecord,
} from '../../src/runs/card';
import {
  cardFragment,
  fragmentPayload,
  fromBase64Url,
  LINK_BUDGET,
  readCardFragment,
  toBase64Url,
} from '../../src/runs/card-link';
import { withSteps, type RunRecord } from '../../src/runs/record';
import { record } from './runs-fixtures';

/** A finished run with an environment and `stepCount` loss windows. */
function finished(stepCount = 40): RunRecord {
  let r = record('run-7', {
    name: 'lr 0.4 with "smoothing"',
    recipe: { lr: 0.4, labelSmoothing: 0.1, seed: 5 },
    top1: [0.5, 0.7, 0.65],
  });
  const progress = Array.from({ length: stepCount }, (_, i) => ({
    globalStep: i + 1,
    loss: 2.3 * Math.exp(-i / 400) + 0.01 * Math.sin(i),
    lr: 0.4 * (1 - i / stepCount),
  }));
  r = withSteps(r, progress as unknown as Parameters<typeof withSteps>[1]);
  return {
    ...r,
    status: 'finished',
    finishedAt: 1000,
    environment: {
      backend: 'webgpu',
      adapter: 'google swiftshader',
      tfjsVersion: '4.22.0',
      kernels: 'lab',
      userAgent: 'Chromium',
    },
  };
}

describe('cardOf and sharedRecord', () => {
  test('the card carries the run without weights and reads back', () => {
    const run = finished();
    const card = readCard(JSON.parse(cardFile(cardOf(run)).text));
    expect(card).toMatchObject({
      kind: CARD_KIND,
      version: CARD_VERSION,
      dataset: run.dataset,
      model: run.model,
      seed: 5,
      recipe: 'lr=0.4&label-smoothing=0.1&seed=5',
    });
    expect(JSON.stringify(card)).not.toMatch(/weights"/);
    const shared = sharedRecord(card);
    expect(shared).toMatchObject({
      runId: 'shared:run-7',
      shared: true,
      hasWeights: false,
      recipe: run.recipe,
      epochs: run.epochs,
      steps: run.steps,
      environment: run.environment,
      bestTop1: 0.7,
      bestEpoch: 2,
    });
  });

  test('training accuracy travels; a card without it (older) reads too', () => {
    const card = cardOf(finished());
    const back = readCard(JSON.parse(cardFile(card).text));
    expect(back.epochs[1]!.trainTop1).toBeCloseTo(0.8, 12);
    expect(back.epochs[1]!.trainTop5).toBe(1);
    const older = {
      ...card,
      epochs: card.epochs.map(
        ({ trainTop1: _, trainTop5: __, ...rest }) => rest,
      ),
    };
    const read = readCard(JSON.parse(JSON.stringify(older)));
    expect(read.epochs).toEqual(older.epochs);
    expect(read.epochs[0]).not.toHaveProperty('trainTop1');
  });

  test('a run that is still going or failed is not shared', () => {
    expect(() => cardOf({ ...finished(), status: 'running' })).toThrow(
      /expected a finished or stopped run to share, got one that is running/,
    );
  });

  test('the file name comes from the run name', () => {
    expect(cardFile(cardOf(finished())).name).toBe(
      'lr-0.4-with-smoothing.run-card.json',
    );
  });
});

describe('bad cards', () => {
  const good = () =>
    JSON.parse(JSON.stringify(cardOf(finished()))) as Record<string, unknown>;

  test.each([
    ['broken JSON', '{"kind": "recipe-lab-run-card",', /not JSON/],
    [
      'not an object',
      '[1, 2]',
      /the card: expected a JSON object, got an array/,
    ],
    [
      'another kind',
      JSON.stringify({ ...good(), kind: 'recipe-lab-runs' }),
      /kind: expected "recipe-lab-run-card", got "recipe-lab-runs"/,
    ],
    [
      'no kind at all',
      JSON.stringify({ runs: [] }),
      /kind: expected "recipe-lab-run-card", got nothing \(is this a Recipe Lab run card\?\)/,
    ],
    [
      'a newer version',
      JSON.stringify({ ...good(), version: 2 }),
      /version: expected 1, got 2 \(made by a newer Recipe Lab/,
    ],
    [
      'an unknown option',
      JSON.stringify({ ...good(), recipe: 'lr=0.4&speed=11' }),
      /recipe: .*speed/,
    ],
    [
      'a bad value',
      JSON.stringify({ ...good(), recipe: 'lr=fast' }),
      /recipe: lr: expected .*, got "fast"/,
    ],
    [
      'a bad metric',
      JSON.stringify({
        ...good(),
        epochs: [{ ...(good().epochs as object[])[0], valTop1: '70%' }],
      }),
      /epochs\[0\]\.valTop1: expected a number, got "70%"/,
    ],
    [
      'a bad training accuracy',
      JSON.stringify({
        ...good(),
        epochs: [{ ...(good().epochs as object[])[0], trainTop5: null }],
      }),
      /epochs\[0\]\.trainTop5: expected a number, got null/,
    ],
    [
      'a running status',
      JSON.stringify({ ...good(), status: 'running' }),
      /status: expected "finished" or "stopped", got "running"/,
    ],
  ])('%s', (_, text, message) => {
    expect(() => parseCard(text)).toThrow(CardError);
    expect(() => parseCard(text)).toThrow(message);
  });
});

describe('the link', () => {
  test('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(bytes);
    expect(text).toMatch(/^[\w-]+$/);
    expect(fromBase64Url(text)).toEqual(bytes);
  });

  test('a short run travels whole', async () => {
    const card = cardOf(finished(40));
    const fragment = await cardFragment(card);
    const payload = fragmentPayload(`#${fragment}`);
    expect(payload).not.toBeNull();
    expect(await readCardFragment(payload!)).toEqual(card);
  });

  test('a long run is thinned to fit, ends kept', async () => {
    const card = cardOf(finished(20_000));
    expect(card.steps.length).toBeGreaterThan(250);
    const fragment = await cardFragment(card);
    expect(fragment.length).toBeLessThanOrEqual(LINK_BUDGET + 20);
    const back = await readCardFragment(fragmentPayload(fragment)!);
    expect(back.steps.length).toBeLessThan(card.steps.length);
    expect(back.steps.at(-1)!.step).toBe(card.steps.at(-1)!.step);
    expect(back.epochs).toEqual(card.epochs);
    // Thinning averages: the mean loss over all windows stays the same.
    const mean = (s: typeof card.steps) =>
      s.reduce((a, p) => a + p.loss * p.windows, 0) /
      s.reduce((a, p) => a + p.windows, 0);
    expect(mean(back.steps)).toBeCloseTo(mean(card.steps), 9);
  });

  test('a cut or changed link says so', async () => {
    const fragment = await cardFragment(cardOf(finished()));
    const payload = fragmentPayload(fragment)!;
    await expect(readCardFragment(payload.slice(0, 40))).rejects.toThrow(
      /expected a compressed run card.*cut short/,
    );
    await expect(readCardFragment('abc$%')).rejects.toThrow(
      /expected base64url text/,
    );
  });
});
