import { expect, test } from 'vitest';
import { explainError } from '../../src/ui/error-help';

const halfway = { imagesDone: 2000, imagesTotal: 7000 };

test('a full disk says what was needed, that data is kept, and offers Retry', () => {
  const help = explainError(
    {
      source: 'storage',
      code: 'quota',
      message: 'quota exceeded',
      neededBytes: 3_940_000,
      storage: { usageBytes: 1_000_000, quotaBytes: 2_000_000 },
    },
    halfway,
  );
  const text = help.lines.join(' ');
  expect(help.title).toBe('Storage is full');
  expect(text).toContain('About 3.9 MB more is needed');
  expect(text).toContain('remaining 5,000 images');
  expect(text).toContain('1.0 MB of the 2.0 MB');
  expect(text).toContain('Nothing already stored is lost');
  expect(help.retry).toBe('import');
});

test.each([
  ['backend', /No training backend/],
  ['device-limit', /more than this GPU allows/],
  ['device-lost', /GPU was lost/],
  ['storage', /could not be read/],
])('trainer code %s has its own explanation', (code, title) => {
  const help = explainError(
    { source: 'trainer', code, message: 'detail' },
    halfway,
  );
  expect(help.title).toMatch(title);
  expect(help.retry).toBeNull();
});

test('an unknown code still explains itself', () => {
  const help = explainError(
    { source: 'trainer', code: 'internal', message: 'boom' },
    halfway,
  );
  expect(help.title).toBe('Training failed');
});
