// A run's final weights as one download: the files of a format and the
// model card beside them, in a zip. Pure but for tfjs, which only the
// tfjs format loads (run-tfjs.ts), so Node tests build every archive.
import {
  MODEL_NAMES,
  RESNET_MODEL_NAMES,
  type ModelName,
} from '../recipe/recipe';
import type { RunRecord } from '../runs/record';
import { describeModel, type ModelConfig } from '../train/model';
import type { NamedWeights } from '../train/protocol';
import { MODEL_CARD_FILE, type WeightFormatName } from '../weights/formats';
import { buildModelCard, type ModelCard } from '../weights/model-card';
import { writeSafetensors } from '../weights/safetensors';
import { torchStateDict } from '../weights/state-dict';
import { checkWeights, type ModelWeights } from './read-weights';
import { exportOnnx } from './model-onnx';
import { zipParts } from './zip';

export type ExportErrorCode =
  'no-run' | 'no-weights' | 'unsupported' | 'storage' | 'internal';

/** Why a run could not be exported; the code crosses the Worker. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    readonly code: ExportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RunExportSource {
  record: RunRecord;
  weights: NamedWeights;
  /** The dataset's class names; null when the dataset is gone. */
  classNames: readonly string[] | null;
  date: Date;
}

export interface RunExport {
  /** The download's name, e.g. `run-3-onnx.zip`. */
  fileName: string;
  /** The zip's bytes, in order (zip.ts). */
  parts: Uint8Array[];
  card: ModelCard;
  /** What the user should know about the files, e.g. numbered classes. */
  notes: string[];
}

type File = { name: string; bytes: Uint8Array };

/**
 * The tensors that size a network from its stored weights: the first
 * convolution ([kh, kw, in, out]) gives the input channels, the last
 * bias the classes.
 */
const SIZING = {
  resnet: { stem: 'conv1.weight', head: 'fc.bias', kernel: 7 },
  mobilenet: {
    stem: 'features.0.0.weight',
    head: 'classifier.3.bias',
    kernel: 3,
  },
} as const;

const isResNet = (name: string) =>
  (RESNET_MODEL_NAMES as readonly string[]).includes(name);

/** The network the weights are for: the recipe's, sized by the weights. */
export function runConfig(
  record: RunRecord,
  weights: NamedWeights,
): ModelConfig {
  const name = record.recipe.model;
  if (!(MODEL_NAMES as readonly string[]).includes(name)) {
    throw new ExportError(
      'unsupported',
      `expected one of ${MODEL_NAMES.join(', ')} to export, got ${name}`,
    );
  }
  const { stem, head, kernel } =
    SIZING[isResNet(name) ? 'resnet' : 'mobilenet'];
  const stemShape = weights[stem]?.shape;
  const headShape = weights[head]?.shape;
  if (stemShape?.length !== 4 || headShape?.length !== 1) {
    throw new ExportError(
      'no-weights',
      `expected ${stem} [${kernel}, ${kernel}, in, out] and ${head} ` +
        `[classes] among the stored weights of "${record.name}", got ` +
        `${JSON.stringify(stemShape ?? null)} and ` +
        JSON.stringify(headShape ?? null),
    );
  }
  return {
    name: name as ModelName,
    numClasses: headShape[0]!,
    inChannels: stemShape[2]!,
    widthMultiplier: record.recipe.width,
  };
}

const numbered = (n: number) => Array.from({ length: n }, (_, i) => String(i));

export function runModelCard(
  source: RunExportSource,
  config: ModelConfig,
  files: string[],
): { card: ModelCard; notes: string[] } {
  const { record } = source;
  const outcome = record.outcome;
  if (!outcome) {
    throw new ExportError(
      'unsupported',
      `expected the input normalisation of "${record.name}" in its record, ` +
        'got a record kept without it (an older version of the lab); ' +
        'train the run again to export it',
    );
  }
  const notes: string[] = [];
  let classes = source.classNames;
  if (classes?.length !== config.numClasses) {
    notes.push(
      `classes are numbered: expected ${config.numClasses} class names ` +
        `from dataset "${record.dataset}", got ` +
        (classes ? `${classes.length}` : 'none (the dataset is gone)'),
    );
    classes = numbered(config.numClasses);
  }
  const env = record.environment;
  const card = buildModelCard({
    config,
    weightsFiles: files,
    classes: [...classes],
    // The eval preset's input: what a user feeds the exported network.
    inputSize: record.recipe.valCropSize ?? record.recipe.imageSize,
    normalization: outcome.normalization,
    startedFrom: outcome.startedFrom,
    recipe: record.recipe,
    dataset: {
      name: record.dataset,
      numTrain: outcome.numTrainImages,
      numVal: outcome.numValImages,
    },
    metrics:
      record.bestTop1 === null || record.bestEpoch === null
        ? null
        : { bestValTop1: record.bestTop1, bestEpoch: record.bestEpoch },
    backend: env && {
      name: env.backend,
      adapter: env.adapter,
      tfjsVersion: env.tfjsVersion,
    },
    date: source.date,
  });
  return { card, notes };
}

/** The weights files of one format. */
async function formatFiles(
  format: WeightFormatName,
  config: ModelConfig,
  source: RunExportSource,
  classes: readonly string[],
): Promise<File[]> {
  const graph = describeModel(config);
  const weights: ModelWeights = new Map(Object.entries(source.weights));
  try {
    checkWeights(graph, weights);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ExportError(
      'no-weights',
      `the stored weights of "${source.record.name}" do not fit ` +
        `${config.name} at width ${config.widthMultiplier}: ${why}`,
    );
  }
  switch (format) {
    case 'safetensors': {
      const tensors = torchStateDict(graph, (n) => weights.get(n)!.data);
      const bytes = writeSafetensors(tensors, { format: 'pt' });
      return [{ name: 'model.safetensors', bytes }];
    }
    case 'onnx': {
      const normalization = source.record.outcome?.normalization;
      const bytes = exportOnnx(graph, weights, {
        classNames: classes,
        ...(normalization && { normalization }),
      });
      return [{ name: 'model.onnx', bytes }];
    }
    case 'tfjs':
      return (await import('./run-tfjs')).tfjsFiles(graph, weights);
  }
}

/** A name safe in every file system, from the run's. */
export function fileStem(name: string): string {
  const stem = name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-|-$/g, '');
  return stem === '' ? 'run' : stem;
}

/** The zip of the run's weights in `format` and their model card. */
export async function buildRunExport(
  format: WeightFormatName,
  source: RunExportSource,
): Promise<RunExport> {
  const config = runConfig(source.record, source.weights);
  // Checked before the heavy part: a record without what the card needs
  // fails at once.
  runModelCard(source, config, []);
  const classes = source.classNames ?? numbered(config.numClasses);
  const files = await formatFiles(format, config, source, classes);
  const names = files.map((f) => f.name);
  const { card, notes } = runModelCard(source, config, names);
  const json = new TextEncoder().encode(`${JSON.stringify(card, null, 2)}\n`);
  files.push({ name: MODEL_CARD_FILE, bytes: json });
  return {
    fileName: `${fileStem(source.record.name)}-${format}.zip`,
    parts: zipParts(files, source.date),
    card,
    notes,
  };
}
