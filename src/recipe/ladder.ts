// The ladder of cumulative recipes, as the recipe study builds it: a base
// recipe, then each step added to all the accepted steps before it. A step
// tried and rejected runs as a branch off the rung below it and is not
// carried up. Options the user pinned (e.g. a small model for a quick
// ladder) hold on every rung, over whatever a step's patch says.
//
// Running the rungs is the caller's job; this module plans them and turns
// the results (one best val top-1 per rung and seed) into the table the
// chart draws: the mean and spread over seeds, the gain over the rung
// below and over the base.
import { BLOG_LADDER, LADDER_STEP_NAMES, type LadderStep } from './presets';
import { kebabCase, type Recipe } from './recipe';
import { RecipeError, resolveRecipe } from './validate';

export type RungKind = 'base' | 'rung' | 'branch';

// The study's steps after its baseline: the base is the recipe given, so a
// quick ladder keeps a small model on every rung.
export const LADDER_DEFAULT_STEPS = LADDER_STEP_NAMES.filter(
  (name) => name !== 'baseline',
);

export interface PlannedRung {
  /** 'base', or the step's name. */
  name: string;
  title: string;
  kind: RungKind;
  /** The rung a step adds to: the last accepted one (null for the base). */
  parent: string | null;
  recipe: Recipe;
  /** The study's val top-1 (%) for this step, for display. */
  publishedTop1: number | null;
}

export interface LadderPlanOptions {
  base: Readonly<Recipe>;
  steps: readonly string[];
  /** Steps to run as rejected branches; each must be among `steps`. */
  rejected?: readonly string[];
  /** Options that hold on every rung. */
  pinned?: Readonly<Partial<Recipe>>;
}

function findStep(name: string): LadderStep {
  const step = BLOG_LADDER.find((s) => s.name === name);
  if (!step) {
    const known = BLOG_LADDER.map((s) => s.name).join(', ');
    throw new Error(`unknown ladder step "${name}"; expected one of ${known}`);
  }
  return step;
}

function withStep(
  recipe: Readonly<Recipe>,
  step: LadderStep,
  pinned: Readonly<Partial<Recipe>>,
): Recipe {
  try {
    return resolveRecipe({ ...recipe, ...step.patch, ...pinned }, kebabCase);
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    throw new Error(`ladder step "${step.name}": ${error.message}`, {
      cause: error,
    });
  }
}

/** The rungs to run, base first, in the order of `steps`. */
export function planLadder(options: LadderPlanOptions): PlannedRung[] {
  const { steps, rejected = [], pinned = {} } = options;
  for (const name of rejected) {
    if (!steps.includes(name)) {
      throw new Error(
        `rejected step "${name}" is not among the steps ` +
          `(${steps.join(', ')})`,
      );
    }
  }
  const base = resolveRecipe({ ...options.base, ...pinned }, kebabCase);
  const rungs: PlannedRung[] = [
    {
      name: 'base',
      title: 'base recipe',
      kind: 'base',
      parent: null,
      recipe: base,
      publishedTop1: null,
    },
  ];
  let accepted = rungs[0]!;
  for (const name of steps) {
    if (rungs.some((r) => r.name === name)) {
      throw new Error(`ladder step "${name}" is given twice`);
    }
    const step = findStep(name);
    const rung: PlannedRung = {
      name,
      title: step.title,
      kind: rejected.includes(name) ? 'branch' : 'rung',
      parent: accepted.name,
      recipe: withStep(accepted.recipe, step, pinned),
      publishedTop1: step.top1,
    };
    rungs.push(rung);
    if (rung.kind === 'rung') accepted = rung;
  }
  return rungs;
}

export interface RungResult {
  rung: string;
  seed: number;
  /** Best val top-1 of the run, a fraction in [0, 1]. */
  bestValTop1: number;
}

export interface LadderRow {
  name: string;
  title: string;
  kind: RungKind;
  parent: string | null;
  seeds: number[];
  values: number[];
  mean: number;
  /** Sample standard deviation over seeds; 0 with one seed. */
  std: number;
  /** Mean minus the parent rung's mean; null for the base. */
  gainOverParent: number | null;
  gainOverBase: number | null;
  publishedTop1: number | null;
}

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function stdOf(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = meanOf(values);
  const squares = values.reduce((a, v) => a + (v - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/** One row per rung that has results, in plan order. */
export function summarizeLadder(
  plan: readonly PlannedRung[],
  results: readonly RungResult[],
): LadderRow[] {
  const means = new Map<string, number>();
  const rows: LadderRow[] = [];
  for (const rung of plan) {
    const own = results.filter((r) => r.rung === rung.name);
    if (own.length === 0) continue;
    const values = own.map((r) => r.bestValTop1);
    const mean = meanOf(values);
    means.set(rung.name, mean);
    const parentMean = rung.parent === null ? null : means.get(rung.parent);
    const baseMean = means.get('base');
    rows.push({
      name: rung.name,
      title: rung.title,
      kind: rung.kind,
      parent: rung.parent,
      seeds: own.map((r) => r.seed),
      values,
      mean,
      std: stdOf(values),
      gainOverParent:
        parentMean === undefined || parentMean === null
          ? null
          : mean - parentMean,
      gainOverBase:
        rung.kind === 'base' || baseMean === undefined ? null : mean - baseMean,
      publishedTop1: rung.publishedTop1,
    });
  }
  return rows;
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The table as CSV, one line per rung; accuracies as fractions. */
export function ladderCsv(rows: readonly LadderRow[]): string {
  const header = [
    'rung',
    'kind',
    'parent',
    'title',
    'seeds',
    'mean_top1',
    'std_top1',
    'gain_over_parent',
    'gain_over_base',
    'published_top1_percent',
    'values',
  ];
  const lines = rows.map((r) =>
    [
      r.name,
      r.kind,
      r.parent,
      r.title,
      r.seeds.length,
      r.mean,
      r.std,
      r.gainOverParent,
      r.gainOverBase,
      r.publishedTop1,
      r.values.join(' '),
    ]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

export interface LadderRun {
  rung: string;
  seed: number;
  runId: string;
}

/** What a ladder's JSON file holds, written by the CLI and the app alike. */
export interface LadderReport {
  dataset: string;
  steps: string[];
  rejected: string[];
  seeds: number;
  plan: PlannedRung[];
  runs: LadderRun[];
  rows: LadderRow[];
}

/** The report of the runs so far, with the table they make. */
export function ladderReport(
  ladder: Omit<LadderReport, 'rows'>,
  results: readonly RungResult[],
): LadderReport {
  return { ...ladder, rows: summarizeLadder(ladder.plan, results) };
}

/** The chart's title: what the bars are, over how many seeds. */
export function ladderTitle(dataset: string, seeds: number): string {
  return (
    `${dataset}: best val top-1 per rung, ` +
    `mean and sd over ${seeds} seed${seeds > 1 ? 's' : ''}`
  );
}
