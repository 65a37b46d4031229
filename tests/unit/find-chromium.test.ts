import { expect, test } from 'vitest';
import { findChromium, INSTALL_HINT } from '../../tools/lab/browser';

test('CHROME_PATH comes first when it names a file', () => {
  expect(findChromium({ CHROME_PATH: process.execPath })).toBe(
    process.execPath,
  );
});

test('a CHROME_PATH that names nothing fails with the install hint', () => {
  expect(() => findChromium({ CHROME_PATH: '/no/such/chromium' })).toThrow(
    `CHROME_PATH=/no/such/chromium does not exist; ${INSTALL_HINT}`,
  );
});
