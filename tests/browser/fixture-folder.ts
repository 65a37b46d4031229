// A small Stanford Cars devkit folder on disk for the tests that hand a
// folder to the app as a user does (the UI's folder input, the CLI): the
// bench's synthetic devkit, with one training image replaced by text so
// that the report has a skipped file to show; and its import as a user
// does it, through the import form.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { writeSyntheticDevkit } from '../../tools/lab/synthetic';

export const BROKEN_IMAGE = 'cars_train/00003.jpg';

export async function writeCarsFolder(
  dir: string,
  numImages: number,
): Promise<string> {
  const root = await writeSyntheticDevkit(dir, numImages);
  await writeFile(join(root, BROKEN_IMAGE), 'not a picture\n');
  return root;
}

const IMPORT_TIMEOUT_MS = 60_000;

/**
 * Imports the folder `writeCarsFolder` wrote as `name` through the import
 * form (40 px stored), as a user picks a folder, and waits for its report.
 */
export async function importFolderFromUi(
  page: Page,
  folder: string,
  name: string,
): Promise<void> {
  const panel = page.getByRole('region', { name: 'Import a dataset' });
  await panel.getByLabel('Dataset name').fill(name);
  await panel.getByLabel('Stored size (px)').fill('40');
  await page.setInputFiles('[data-testid="import-folder"]', folder);
  await expect
    .poll(() => page.getByTestId('import-plan').innerText(), {
      timeout: IMPORT_TIMEOUT_MS,
    })
    .toMatch(/Classes\s+\d/);
  await panel.getByRole('button', { name: 'Start import' }).click();
  await expect
    .poll(
      () =>
        page
          .getByTestId('import-result')
          .innerText()
          .catch(() => ''),
      { timeout: IMPORT_TIMEOUT_MS },
    )
    .toMatch(new RegExp(`^Imported "${name}"`));
}
