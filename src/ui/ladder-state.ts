// The ladder as the app runs it: the steps the panel chose, the plan they
// make over the recipe form, the queue of rung x seed runs, and the results
// as each run ends. Pure functions of plain data, so Node tests run them;
// ladder-store.ts trains the queue through the lab store's own train action.
import {
  ladderReport,
  planLadder,
  type LadderReport,
  type LadderRow,
  type LadderRun,
  type PlannedRung,
  type RungResult,
} from '../recipe/ladder';
import { LADDER_STEP_NAMES } from '../recipe/presets';
import { formatValue, kebabCase, type Recipe } from '../recipe/recipe';
import { RECIPE_KEYS } from '../recipe/validate';
import type { TrainReport } from '../train/protocol';

export const MAX_LADDER_SEEDS = 5;

/**
 * The form's options that hold on every rung, over what a step sets: the
 * model and the scale of a run. Without them the study's baseline step
 * would turn a quick ladder into 90 epochs of ResNet-50 at 224 px.
 */
export const LADDER_PINNED_KEYS = [
  'model',
  'pretrained',
  'width',
  'imageSize',
  'valResizeSize',
  'valCropSize',
  'microBatchSize',
  'epochs',
  'limit',
] as const satisfies readonly (keyof Recipe)[];

export interface LadderChoice {
  /** Chosen steps, in the study's order. */
  steps: string[];
  /** Chosen steps run as tried-and-rejected branches. */
  rejected: string[];
  numSeeds: number;
}

export const DEFAULT_LADDER_CHOICE: LadderChoice = {
  steps: ['trivial-augment', 'cosine', 'label-smoothing'],
  rejected: [],
  numSeeds: 2,
};

function checkStepName(name: string): void {
  if (!LADDER_STEP_NAMES.includes(name)) {
    throw new Error(
      `unknown ladder step "${name}"; expected one of ` +
        LADDER_STEP_NAMES.join(', '),
    );
  }
}

const inStudyOrder = (names: Set<string>) =>
  LADDER_STEP_NAMES.filter((name) => names.has(name));

/** Adds or removes a step; a removed step is no longer rejected either. */
export function toggleStep(choice: LadderChoice, name: string): LadderChoice {
  checkStepName(name);
  const steps = new Set(choice.steps);
  if (steps.delete(name)) {
    const rejected = choice.rejected.filter((r) => r !== name);
    return { ...choice, steps: inStudyOrder(steps), rejected };
  }
  steps.add(name);
  return { ...choice, steps: inStudyOrder(steps) };
}

/** Marks a step rejected or not; rejecting a step also chooses it. */
export function toggleRejected(
  choice: LadderChoice,
  name: string,
): LadderChoice {
  checkStepName(name);
  const rejected = new Set(choice.rejected);
  if (rejected.delete(name)) {
    return { ...choice, rejected: inStudyOrder(rejected) };
  }
  rejected.add(name);
  const steps = inStudyOrder(new Set([...choice.steps, name]));
  return { ...choice, steps, rejected: inStudyOrder(rejected) };
}

export function withNumSeeds(
  choice: LadderChoice,
  numSeeds: number,
): LadderChoice {
  if (!Number.isInteger(numSeeds) || numSeeds < 1) {
    throw new RangeError(
      `seeds: expected an integer from 1 to ${MAX_LADDER_SEEDS}, ` +
        `got ${numSeeds}`,
    );
  }
  if (numSeeds > MAX_LADDER_SEEDS) {
    throw new RangeError(
      `seeds: expected at most ${MAX_LADDER_SEEDS}, got ${numSeeds}`,
    );
  }
  return { ...choice, numSeeds };
}

export function pinnedOf(recipe: Readonly<Recipe>): Partial<Recipe> {
  return Object.fromEntries(
    LADDER_PINNED_KEYS.map((key) => [key, recipe[key]]),
  ) as Partial<Recipe>;
}

export type LadderPreview =
  | { ok: true; plan: PlannedRung[]; numRuns: number }
  | { ok: false; message: string };

/** The plan the choice makes over `base` (null while the form is bad). */
export function previewLadder(
  choice: LadderChoice,
  base: Readonly<Recipe> | null,
): LadderPreview {
  if (!base) {
    return { ok: false, message: 'Correct the recipe fields marked above.' };
  }
  try {
    const plan = planLadder({
      base,
      steps: choice.steps,
      rejected: choice.rejected,
      pinned: pinnedOf(base),
    });
    return { ok: true, plan, numRuns: plan.length * choice.numSeeds };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message };
  }
}

/** "option value" for each option `to` sets otherwise than `from`. */
export function recipeChanges(
  from: Readonly<Recipe>,
  to: Readonly<Recipe>,
): string[] {
  return RECIPE_KEYS.filter((key) => from[key] !== to[key]).map(
    (key) => `${kebabCase(key)} ${formatValue(to[key])}`,
  );
}

/** What each rung changes over the rung it adds to. */
export function rungChanges(plan: readonly PlannedRung[]): string[][] {
  return plan.map((rung) => {
    const parent = plan.find((r) => r.name === rung.parent);
    return parent ? recipeChanges(parent.recipe, rung.recipe) : [];
  });
}

export interface QueuedRun {
  rung: PlannedRung;
  /** From 0, in plan order. */
  rungIndex: number;
  /** From 0 up to numSeeds. */
  seedIndex: number;
  /** The rung's seed plus seedIndex, as the CLI seeds its runs. */
  seed: number;
}

/** Every run of the ladder, rung by rung, each rung's seeds together. */
export function ladderQueue(
  plan: readonly PlannedRung[],
  numSeeds: number,
): QueuedRun[] {
  return plan.flatMap((rung, rungIndex) =>
    Array.from({ length: numSeeds }, (_, seedIndex) => ({
      rung,
      rungIndex,
      seedIndex,
      seed: rung.recipe.seed + seedIndex,
    })),
  );
}

export type LadderStatus =
  'idle' | 'running' | 'cancelling' | 'finished' | 'cancelled' | 'failed';

export interface LadderRunState {
  status: LadderStatus;
  dataset: string | null;
  choice: LadderChoice | null;
  plan: PlannedRung[];
  queue: QueuedRun[];
  /** The run under way or next, an index into the queue. */
  index: number;
  results: RungResult[];
  runs: LadderRun[];
  error: string | null;
}

export const IDLE_LADDER: LadderRunState = Object.freeze({
  status: 'idle',
  dataset: null,
  choice: null,
  plan: [],
  queue: [],
  index: 0,
  results: [],
  runs: [],
  error: null,
});

export function isLadderBusy(status: LadderStatus): boolean {
  return status === 'running' || status === 'cancelling';
}

export function startedLadder(
  choice: LadderChoice,
  plan: PlannedRung[],
  dataset: string,
): LadderRunState {
  return {
    ...IDLE_LADDER,
    status: 'running',
    dataset,
    choice,
    plan,
    queue: ladderQueue(plan, choice.numSeeds),
  };
}

/** The recipe the queued run trains: its rung's, with its own seed. */
export function queuedRecipe(run: QueuedRun): Recipe {
  return { ...run.rung.recipe, seed: run.seed };
}

/** Records the run under way as ended with `report`, and moves on. */
export function withRunEnded(
  state: LadderRunState,
  report: TrainReport,
): LadderRunState {
  const queued = state.queue[state.index];
  if (!queued) {
    throw new Error(
      `expected a run under way, but all ${state.queue.length} have ended`,
    );
  }
  const rung = queued.rung.name;
  const { seed } = queued;
  return {
    ...state,
    index: state.index + 1,
    results: [
      ...state.results,
      { rung, seed, bestValTop1: report.bestValTop1 },
    ],
    runs: [...state.runs, { rung, seed, runId: report.runId }],
  };
}

/** The JSON the download button gives: the CLI's report, so far. */
export function ladderStateReport(
  state: Pick<
    LadderRunState,
    'choice' | 'dataset' | 'plan' | 'results' | 'runs'
  >,
): LadderReport | null {
  if (!state.choice || !state.dataset) return null;
  const { steps, rejected, numSeeds } = state.choice;
  return ladderReport(
    {
      dataset: state.dataset,
      steps,
      rejected,
      seeds: numSeeds,
      plan: state.plan,
      runs: state.runs,
    },
    state.results,
  );
}

/** Where the ladder is: "run 3/6 · rung 2/3 cosine (branch) · seed 1/2". */
export function ladderPosition(state: LadderRunState): string | null {
  const queued = state.queue[state.index];
  if (!queued || !state.choice) return null;
  const kind = queued.rung.kind === 'branch' ? ' (rejected branch)' : '';
  return [
    `run ${state.index + 1}/${state.queue.length}`,
    `rung ${queued.rungIndex + 1}/${state.plan.length} ` +
      `${queued.rung.name}${kind}`,
    `seed ${queued.seedIndex + 1}/${state.choice.numSeeds} (${queued.seed})`,
  ].join(' · ');
}

export interface LadderBar {
  name: string;
  kind: LadderRow['kind'];
  /** Mean best val top-1 over the seeds, in percent. */
  mean: number;
  /** One standard deviation, in percent. */
  spread: number;
  /** "+1.2" over the rung below; "" for the base. */
  gain: string;
}

const signedPoints = (fraction: number) =>
  `${fraction >= 0 ? '+' : ''}${(100 * fraction).toFixed(1)}`;

/** The chart's bars: percent, the gain over the rung below as text. */
export function ladderBars(rows: readonly LadderRow[]): LadderBar[] {
  return rows.map((row) => ({
    name: row.kind === 'branch' ? `${row.name} (rejected)` : row.name,
    kind: row.kind,
    mean: 100 * row.mean,
    spread: 100 * row.std,
    gain: row.gainOverParent === null ? '' : signedPoints(row.gainOverParent),
  }));
}
