// The `recipe` command: reads a recipe written as a URL query (onto a
// preset, if one is named) and prints it whole as JSON with its canonical
// query. Pure and without a browser, so it answers at once and its every
// message is unit-tested.
import { presetRecipe } from '../../src/recipe/presets';
import type { Recipe } from '../../src/recipe/recipe';
import { decodeRecipe, encodeRecipe, type Notice } from '../../src/recipe/url';
import { effectiveEmaDecay } from '../../src/train/ema-decay';
import type { Command } from './args';
import type { Io } from './commands';

export type RecipeCommand = Extract<Command, { kind: 'recipe' }>;

export interface RecipeReport {
  /** The canonical query: only what differs from the defaults. */
  query: string;
  /** The `data` the query named; null if none. */
  dataset: string | null;
  recipe: Recipe;
  /**
   * The decay each EMA update really uses: the reference rescales
   * model-ema-decay by batch size, EMA steps and epochs. Null without EMA.
   */
  modelEmaDecayPerUpdate: number | null;
  /** What the query had wrong, and what was used instead. */
  notices: Notice[];
}

export function recipeReport(command: RecipeCommand): RecipeReport {
  const base =
    command.preset === null ? undefined : presetRecipe(command.preset);
  const { recipe, dataset, notices } = decodeRecipe(command.query, base);
  return {
    query: encodeRecipe(recipe, dataset),
    dataset,
    recipe,
    modelEmaDecayPerUpdate: recipe.modelEma ? effectiveEmaDecay(recipe) : null,
    notices,
  };
}

/**
 * Prints the report on stdout and each notice on stderr; false when there
 * were notices, which the CLI turns into exit code 2.
 */
export function runRecipe(command: RecipeCommand, io: Io): boolean {
  const report = recipeReport(command);
  io.out(JSON.stringify(report, null, 2));
  for (const notice of report.notices) io.err(`lab: ${notice.message}`);
  return report.notices.length === 0;
}
