// The pieces the command tables are made of (src/recipe/commands.ts): what
// one option becomes, and the arithmetic both tools share.
import type { Recipe } from '../recipe';

export interface CommandTarget {
  /** The dataset's name; the command reads it from ./NAME. */
  dataset: string | null;
  /** Processes, one a GPU; the recipe's batch is split between them. */
  gpus: number;
  /** Classes of the dataset, when known (timm needs the number). */
  numClasses: number | null;
}

/** What one option of the recipe becomes: flags, notes, or both. */
export interface Mapped {
  /** Flags and their values, in order, e.g. ['--lr', '0.1']. */
  args: string[];
  notes: string[];
}

/** Maps one option; `r` is the whole recipe, for options that interact. */
export type OptionMapper = (r: Readonly<Recipe>, t: CommandTarget) => Mapped;

export type CommandTable = Readonly<Record<keyof Recipe, OptionMapper>>;

export const NONE: Mapped = Object.freeze({ args: [], notes: [] });

export const flags = (...args: (string | number)[]): Mapped => ({
  args: args.map(String),
  notes: [],
});

export const note = (text: string): Mapped => ({ args: [], notes: [text] });

export const both = (a: Mapped, b: Mapped): Mapped => ({
  args: [...a.args, ...b.args],
  notes: [...a.notes, ...b.notes],
});

/** The dataset's folder, as the commands name it. */
export function dataPath(t: CommandTarget): string {
  return `./${t.dataset ?? 'DATASET'}`;
}

/**
 * The recipe's batch split over the GPUs: each process's share, and a
 * note when it does not divide evenly (the total then changes).
 */
export function perProcessBatch(
  r: Readonly<Recipe>,
  t: CommandTarget,
): { batch: number; notes: string[] } {
  const batch = Math.max(1, Math.round(r.batchSize / t.gpus));
  if (batch * t.gpus === r.batchSize) return { batch, notes: [] };
  const total = batch * t.gpus;
  return {
    batch,
    notes: [
      `batch-size ${r.batchSize}: does not split over ${t.gpus} GPUs; ` +
        `${batch} a GPU gives ${total} a step, and the LR is not rescaled`,
    ],
  };
}

/** The lab starts from weights only when a file is named. */
export function fromScratch(r: Readonly<Recipe>): Mapped {
  if (!r.pretrained || r.weights !== null) return NONE;
  return note(
    'pretrained without weights: the lab trains from scratch until a ' +
      'weight file is chosen; the command starts from ImageNet weights',
  );
}
