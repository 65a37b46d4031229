// `convert`, `predict` and `weights`: weight files through the page. The
// files travel over the app's HTTP server (file-exchange.ts), not the
// automation channel; the commands print what was loaded and written.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ModelConfig } from '../../src/train/model';
import type { LoadReport } from '../../src/weights/plan';
import { MODEL_CARD_FILE } from '../../src/weights/formats';
import type { WeightsEntry } from '../../src/weights/cache';
import type { ModelCard } from '../../src/weights/model-card';
import type { Command } from './args';
import type { Io } from './commands';
import type { FileExchange } from './file-exchange';
import { DEFAULT_WEIGHTS_IMAGE_SIZE } from './flags';
import type { WeightsLab } from './page-api';

export type ConvertCommand = Extract<Command, { kind: 'convert' }>;
export type PredictCommand = Extract<Command, { kind: 'predict' }>;
export type WeightsCommand = Extract<Command, { kind: 'weights' }>;

const IMAGE_FILES = /\.(png|jpe?g|webp|gif|bmp|avif)$/i;

function describeConfig(c: ModelConfig): string {
  return (
    `${c.name} (width ${c.widthMultiplier}, ${c.numClasses} classes, ` +
    `${c.inChannels} input channels)`
  );
}

/** The notes a load earns: a replaced head, a summed stem. */
export function loadNotes(report: LoadReport): string[] {
  const notes: string[] = [];
  const head = report.headReplaced;
  if (head) {
    notes.push(
      `note: the file's head has ${head.fileClasses} classes; a freshly ` +
        `initialised head for ${head.numClasses} classes replaces it`,
    );
  }
  if (report.inputConvSummed) {
    notes.push(
      "note: the file's first convolution takes RGB; it is summed over " +
        'its input channels for gray images',
    );
  }
  return notes;
}

export async function runConvert(
  lab: WeightsLab,
  command: ConvertCommand,
  paths: { inPath: string; outDir: string },
  exchange: FileExchange,
  io: Io,
): Promise<void> {
  await mkdir(paths.outDir, { recursive: true });
  const config: ModelConfig = {
    name: command.model,
    numClasses: command.numClasses,
    inChannels: command.inChannels,
    widthMultiplier: command.width,
  };
  const result = await lab.convertWeights({
    weightsUrl: exchange.offer(paths.inPath),
    outputUrl: exchange.acceptInto(paths.outDir),
    model: command.model,
    numClasses: command.numClasses,
    inChannels: command.inChannels,
    width: command.width,
    formats: command.formats,
    startedFrom: basename(paths.inPath),
    inputSize: command.imageSize,
    date: new Date().toISOString(),
  });
  io.out(
    `loaded ${result.report.numLoaded} tensors of ${basename(paths.inPath)} ` +
      `into ${describeConfig(config)} on ${result.backend}`,
  );
  for (const note of loadNotes(result.report)) io.out(note);
  for (const file of result.files) {
    const mb = (file.bytes / 2 ** 20).toFixed(1);
    io.out(`wrote ${join(paths.outDir, file.name)} (${mb} MB)`);
  }
}

/** The model card beside a weight file, if there is one. */
function cardBeside(weightsPath: string): ModelCard | null {
  const path = join(dirname(weightsPath), MODEL_CARD_FILE);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as ModelCard;
}

/** The images of a folder, by name; an error when there are none. */
export function imagesIn(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`--images: expected a folder of images, got ${dir}`);
  }
  const names = readdirSync(dir)
    .filter((name) => IMAGE_FILES.test(name))
    .sort();
  if (names.length === 0) {
    throw new Error(
      `--images: expected image files (.png, .jpg, .webp, ...) in ${dir}, ` +
        'found none',
    );
  }
  return names;
}

export async function runPredict(
  lab: WeightsLab,
  command: PredictCommand,
  paths: { weightsPath: string; imagesDir: string },
  exchange: FileExchange,
  io: Io,
): Promise<void> {
  const names = imagesIn(paths.imagesDir);
  const card = cardBeside(paths.weightsPath);
  if (card)
    io.out(`model card: ${join(dirname(paths.weightsPath), MODEL_CARD_FILE)}`);
  const imageSize =
    command.imageSize ?? card?.input.size ?? DEFAULT_WEIGHTS_IMAGE_SIZE;
  const result = await lab.predict({
    weightsUrl: exchange.offer(paths.weightsPath),
    model: command.model,
    images: names.map((name) => ({
      name,
      url: exchange.offer(join(paths.imagesDir, name)),
    })),
    imageSize,
    card: card
      ? {
          classes: card.classes,
          normalization: card.input.normalization,
          // A card for another network says nothing of this one's width.
          ...(card.model.name === command.model && {
            width: card.model.width,
          }),
        }
      : null,
  });
  io.out(
    `${describeConfig(result.config)} on ${result.backend}, ` +
      `${names.length} images at ${imageSize} px`,
  );
  for (const p of result.predictions) {
    const best = p.top5[0]!;
    io.out(`${p.image}  ${best.class} (${(100 * best.prob).toFixed(1)}%)`);
  }
  const report = {
    weights: paths.weightsPath,
    model: result.config,
    imageSize,
    backend: result.backend,
    predictions: result.predictions,
  };
  io.out(
    `predictions written to ${await io.writeJson(command.jsonPath, report)}`,
  );
}

/** Whether a `weights add` source is a web address rather than a file. */
export const isWebAddress = (source: string) => /^https?:\/\//i.test(source);

/** One line of `weights list` and of `weights add`. */
function describeEntry(entry: WeightsEntry): string {
  const { model, width, numClasses, inChannels } = entry.info;
  const what =
    model === null
      ? 'no network of the lab'
      : `${model} width ${width}, ${numClasses} classes, ` +
        `${inChannels} input channels`;
  const mb = (entry.size / 2 ** 20).toFixed(1);
  return `${entry.id}  ${what}, ${mb} MB, normalisation from ${entry.info.configFrom}`;
}

/**
 * Stores a file or a URL's file in the profile's weights cache through
 * the app's own cache code, or lists the cache.
 */
export async function runWeights(
  lab: WeightsLab,
  command: WeightsCommand,
  filePath: string | null,
  exchange: FileExchange,
  io: Io,
): Promise<void> {
  if (command.action === 'list') {
    const entries = await lab.listWeights();
    if (entries.length === 0) io.out('the weights cache is empty');
    for (const entry of entries) io.out(describeEntry(entry));
    return;
  }
  const source = command.source as string;
  const entry = await lab.addWeights(
    filePath === null
      ? {
          url: source,
          id: command.id ?? source,
          source: { kind: 'url', url: source },
        }
      : {
          url: exchange.offer(filePath),
          id: command.id ?? basename(filePath),
          source: { kind: 'file', name: basename(filePath) },
        },
  );
  io.out(`cached ${describeEntry(entry)}`);
  io.out(
    `train from it with: npm run lab -- train --pretrained true ` +
      `--weights ${entry.id}` +
      (command.profileDir === null ? '' : ` --profile ${command.profileDir}`),
  );
}
