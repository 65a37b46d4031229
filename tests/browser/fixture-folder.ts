// A small Stanford Cars devkit folder on disk for the tests that hand a
// folder to the app as a user does (the UI's folder input, the CLI): the
// bench's synthetic devkit, with one training image replaced by text so
// that the report has a skipped file to show.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
