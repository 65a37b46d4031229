// The recipe in the page's address: a link opens its recipe in the form,
// says which of its parts could not be used, follows the form as it is
// edited, and opens the same recipe in a fresh browser profile.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ROOT } from '../../tools/lab/serve';
import { openApp, type Session } from './harness';
import { field, appReady as ready } from './form';

let session: Session | null = null;
afterEach(async () => {
  await session?.close();
  session = null;
});

test('a recipe link opens its recipe, names its bad parts, and travels', async () => {
  session = await openApp({
    query: '?lr=0.4&bogus=1&epochs=abc&label-smoothing=0.1&pretrained',
  });
  const { page } = session;
  await ready(page);

  expect(await field(page, 'Learning rate').inputValue()).toBe('0.4');
  expect(await field(page, 'Epochs').inputValue()).toBe('3');
  expect(await field(page, 'Width multiplier').inputValue()).toBe('1');
  const notices = await page.getByTestId('link-notices').innerText();
  expect(notices).toMatch(/bogus/);
  expect(notices).toMatch(/epochs: expected .*got "abc"; used 3/);
  const others = await page.getByTestId('other-options').innerText();
  // Label smoothing and pretrained have fields of their own.
  expect(others).not.toMatch(/Also in this recipe/);
  expect(
    await page.getByLabel('Start from pretrained weights').isChecked(),
  ).toBe(true);
  expect(await field(page, 'Label smoothing (0 = off)').inputValue()).toBe(
    '0.1',
  );
  // Without weights named, pretrained does not reach the loop, and says so.
  expect(others).toMatch(/Not applied by the training loop yet.*pretrained/);
  expect(others).not.toMatch(/without:.*label-smoothing/);

  // The address is the canonical link of what the form now holds.
  await expect
    .poll(() => new URL(page.url()).search)
    .toBe(
      '?data=fashion-mnist-demo&pretrained=true&lr=0.4&label-smoothing=0.1',
    );
  await field(page, 'Batch size').fill('64');
  await expect
    .poll(() => new URL(page.url()).search)
    .toBe(
      '?data=fashion-mnist-demo&pretrained=true&batch-size=64&lr=0.4&' +
        'label-smoothing=0.1',
    );

  // A fresh context has its own profile: nothing of the first one's state.
  const fresh = await session.browser.newContext();
  const other = await fresh.newPage();
  await other.goto(page.url());
  await ready(other);
  expect(await field(other, 'Learning rate').inputValue()).toBe('0.4');
  expect(await field(other, 'Batch size').inputValue()).toBe('64');
  expect(await field(other, 'Train on').inputValue()).toBe(
    'fashion-mnist-demo',
  );
  expect(await other.getByTestId('link-notices').count()).toBe(0);
  expect(await field(other, 'Label smoothing (0 = off)').inputValue()).toBe(
    '0.1',
  );
  mkdirSync(resolve(ROOT, 'test-results'), { recursive: true });
  await other.screenshot({
    path: resolve(ROOT, 'test-results', 'recipe-link.png'),
    fullPage: true,
  });
  await fresh.close();
  expect(session.pageErrors).toEqual([]);
});
