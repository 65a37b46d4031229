// Turns the command line into a checked command. Pure (no browser, no file
// system) so that every message a user can get is unit-tested in Node.
// Every problem is reported at once, each naming its flag and what the
// flag allows.
import { LADDER_STEP_NAMES, presetRecipe } from '../../src/recipe/presets';
import {
  DEFAULT_RECIPE,
  type ModelName,
  type Recipe,
  type RecipeValue,
} from '../../src/recipe/recipe';
import { bareName } from '../../src/ui/import-form';
import {
  isRecipeKey,
  RecipeError,
  resolveRecipe,
} from '../../src/recipe/validate';
import { editDistance } from '../../src/lib/edit-distance';
import type { BenchOptions } from '../../src/train/protocol';
import type { WeightFormatName } from '../../src/weights/formats';
import {
  BENCH_DEFAULTS,
  DEFAULT_WEIGHTS_IMAGE_SIZE,
  DEMO_DATASET,
  FLAGS,
  kebabCase,
  stripKey,
  TOPICS,
  IMPORT_DEFAULTS,
  type FlagSpec,
  type ImportFlags,
  type Topic,
  LADDER_DEFAULT_STEPS,
} from './flags';

export type Command =
  | { kind: 'help'; topic: Topic | null }
  | {
      kind: 'train';
      dataset: string;
      recipe: Recipe;
      jsonPath: string | null;
      /** A browser profile kept between runs; null: a throwaway one. */
      profileDir: string | null;
      /** Close the page once this epoch is checkpointed; null: never. */
      killAfterEpoch: number | null;
      /** A run id, or 'last', to continue; null: a new run. */
      resume: string | null;
    }
  | { kind: 'bench'; options: BenchOptions; jsonPath: string | null }
  | {
      kind: 'import';
      /** A folder, a .zip, a .tgz / .tar.gz or a .parquet file. */
      path: string;
      name: string;
      options: ImportFlags;
      jsonPath: string | null;
      profileDir: string | null;
    }
  | {
      kind: 'bench-import';
      /** The source to bench on; null with `synthetic`. */
      path: string | null;
      /** Images to generate for the bench; null with `path`. */
      synthetic: number | null;
      options: ImportFlags;
      jsonPath: string | null;
    }
  | { kind: 'recipe'; query: string; preset: string | null }
  | {
      kind: 'ladder';
      dataset: string;
      /** The recipe before any step: the defaults or a preset, with flags. */
      base: Recipe;
      steps: string[];
      rejected: string[];
      /** The recipe flags given, which hold on every rung. */
      pinned: Partial<Recipe>;
      seeds: number;
      jsonPath: string | null;
      profileDir: string | null;
    }
  | {
      kind: 'convert';
      inPath: string;
      model: ModelName;
      numClasses: number;
      width: number;
      inChannels: 1 | 3;
      imageSize: number;
      formats: WeightFormatName[];
      outDir: string;
    }
  | {
      kind: 'predict';
      weightsPath: string;
      model: ModelName;
      imagesDir: string;
      /** null: the model card's, else DEFAULT_WEIGHTS_IMAGE_SIZE. */
      imageSize: number | null;
      jsonPath: string;
    }
  | {
      kind: 'weights';
      action: 'add' | 'list';
      /** For add: a file path or an http(s) URL. */
      source: string | null;
      /** For add: the cache id; null: the file's name, or the URL. */
      id: string | null;
      profileDir: string | null;
    };

/** A command line the CLI cannot run; main exits with code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly topic: Topic | null = null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const HELP_FLAGS = new Set(['--help', '-h']);

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined) {
    throw new UsageError(
      `no command given (expected one of: ${TOPICS.join(', ')})`,
    );
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    return { kind: 'help', topic: asTopic(rest[0]) };
  }
  const topic = asTopic(name);
  if (!topic) {
    throw new UsageError(
      `unknown command "${name}" (expected one of: ${TOPICS.join(', ')})`,
    );
  }
  if (topic === 'recipe') return toRecipe(rest);
  const paths: string[] = [];
  const takesPath =
    topic === 'import' || topic === 'bench-import' || topic === 'weights';
  const values = readFlags(rest, topic, takesPath ? paths : null);
  if (values === 'help') return { kind: 'help', topic };
  if (topic === 'import') return toImport(values, paths);
  if (topic === 'bench-import') return toBenchImport(values, paths);
  if (topic === 'ladder') return toLadder(values);
  if (topic === 'convert') return toConvert(values);
  if (topic === 'predict') return toPredict(values);
  if (topic === 'weights') return toWeights(values, paths);
  return topic === 'train' ? toTrain(values) : toBench(values);
}

function asTopic(word: string | undefined): Topic | null {
  return TOPICS.find((t) => t === word) ?? null;
}

function toDataset(name: RecipeValue | undefined): string {
  return name === undefined || name === 'demo' ? DEMO_DATASET : String(name);
}

/** A path flag's value, null when the flag was not given. */
function pathValue(path: RecipeValue | undefined): string | null {
  return path === undefined ? null : String(path);
}

type Values = Map<string, RecipeValue>;

/** How the CLI names a recipe option in a message. */
const flagName = (key: string) => `--${kebabCase(key)}`;

/** The recipe flags among `values`, as recipe keys. */
function recipeOverrides(values: Values): Partial<Recipe> {
  const overrides: Record<string, unknown> = {};
  for (const [flag, value] of values) {
    const key = camelCase(flag);
    if (isRecipeKey(key)) overrides[key] = value;
  }
  return overrides as Partial<Recipe>;
}

/** The preset (if any) with the recipe flags over it, checked whole. */
function flagRecipe(values: Values, topic: Topic): Recipe {
  // The preset is the base; every other flag overrides it, wherever given.
  const preset = values.get('preset');
  const base = preset === undefined ? {} : presetRecipe(String(preset));
  try {
    return resolveRecipe({ ...base, ...recipeOverrides(values) }, flagName);
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    // Flags passed their own checks; this is a rule across several keys.
    throw new UsageError(error.problems.map(toFlagProblem).join('\n'), topic);
  }
}

/** Flags that set what a run trains, which a resumed run keeps as it was. */
const RUN_SETTING_FLAGS = ['data', 'preset'];

function toTrain(values: Values): Command {
  const recipe = flagRecipe(values, 'train');
  const resume = values.get('resume');
  const kill = values.get('kill-after-epoch');
  if (resume !== undefined) {
    const settings = [...values.keys()]
      .filter(
        (flag) =>
          RUN_SETTING_FLAGS.includes(flag) || isRecipeKey(camelCase(flag)),
      )
      .map((flag) => `--${flag}`);
    if (settings.length > 0) {
      throw new UsageError(
        '--resume continues the run with the recipe and dataset it was ' +
          `started with; expected no ${settings.join(', ')}`,
        'train',
      );
    }
  } else if (kill !== undefined && Number(kill) >= recipe.epochs) {
    throw new UsageError(
      `--kill-after-epoch: expected an epoch before the last (1 to ` +
        `${recipe.epochs - 1} with --epochs ${recipe.epochs}), got ${kill}: ` +
        'the last epoch writes no checkpoint, its run finishes',
      'train',
    );
  }
  return {
    kind: 'train',
    dataset: toDataset(values.get('data')),
    recipe,
    jsonPath: pathValue(values.get('json')),
    profileDir: pathValue(values.get('profile')),
    killAfterEpoch: kill === undefined ? null : Number(kill),
    resume: resume === undefined ? null : String(resume),
  };
}

/** A comma-separated list of ladder steps; each name must be known. */
function stepList(raw: RecipeValue | undefined, flag: string): string[] {
  if (raw === undefined || raw === 'none') return [];
  const names = String(raw)
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!LADDER_STEP_NAMES.includes(name)) {
      throw new UsageError(
        `--${flag}: expected steps from ${LADDER_STEP_NAMES.join(', ')}, ` +
          `got "${name}"`,
        'ladder',
      );
    }
  }
  return names;
}

function toLadder(values: Values): Command {
  const steps =
    values.get('steps') === undefined
      ? [...LADDER_DEFAULT_STEPS]
      : stepList(values.get('steps'), 'steps');
  if (steps.length === 0) {
    throw new UsageError('--steps: expected at least one step', 'ladder');
  }
  const rejected = stepList(values.get('reject'), 'reject');
  const stray = rejected.filter((name) => !steps.includes(name));
  if (stray.length > 0) {
    throw new UsageError(
      `--reject: expected steps from --steps (${steps.join(', ')}), ` +
        `got ${stray.join(', ')}`,
      'ladder',
    );
  }
  return {
    kind: 'ladder',
    dataset: toDataset(values.get('data')),
    base: flagRecipe(values, 'ladder'),
    steps,
    rejected,
    pinned: recipeOverrides(values),
    seeds: Number(values.get('seeds') ?? 2),
    jsonPath: pathValue(values.get('json')),
    profileDir: pathValue(values.get('profile')),
  };
}

function toBench(values: Values): Command {
  const options: Record<string, unknown> = {
    ...BENCH_DEFAULTS,
    ...benchPart(values.get('preset')),
  };
  for (const [flag, value] of values) options[camelCase(flag)] = value;
  options.dataset = toDataset(values.get('data'));
  delete options.data;
  delete options.json;
  delete options.preset;
  return {
    kind: 'bench',
    options: options as unknown as BenchOptions,
    jsonPath: pathValue(values.get('json')),
  };
}

function toImportFlags(values: Values): ImportFlags {
  const options: Record<string, unknown> = { ...IMPORT_DEFAULTS };
  for (const key of Object.keys(IMPORT_DEFAULTS)) {
    const value = values.get(kebabCase(key));
    if (value !== undefined) options[key] = value;
  }
  return options as unknown as ImportFlags;
}

/** At most one source path; null when none was given. */
function onePath(paths: string[], topic: Topic): string | null {
  if (paths.length > 1) {
    throw new UsageError(
      `expected one source path, got ${paths.length}: ` +
        paths.map((p) => `"${p}"`).join(', '),
      topic,
    );
  }
  return paths[0] ?? null;
}

/** "/data/Stanford Cars.zip" -> "Stanford Cars", as the import panel does. */
export const nameFromPath = bareName;

function toImport(values: Values, paths: string[]): Command {
  const path = onePath(paths, 'import');
  if (path === null) {
    throw new UsageError(
      'no source given: expected a folder, a .zip, a .tgz or .tar.gz, ' +
        'or a .parquet file after "import"',
      'import',
    );
  }
  const name = values.get('name');
  return {
    kind: 'import',
    path,
    name: name === undefined ? nameFromPath(path) : String(name),
    options: toImportFlags(values),
    jsonPath: pathValue(values.get('json')),
    profileDir: pathValue(values.get('profile')),
  };
}

function toBenchImport(values: Values, paths: string[]): Command {
  const path = onePath(paths, 'bench-import');
  const synthetic = values.get('synthetic');
  if ((path === null) === (synthetic === undefined)) {
    throw new UsageError(
      'expected either a source PATH or --synthetic N, ' +
        (path === null ? 'got neither' : 'got both'),
      'bench-import',
    );
  }
  return {
    kind: 'bench-import',
    path,
    synthetic: synthetic === undefined ? null : Number(synthetic),
    options: toImportFlags(values),
    jsonPath: pathValue(values.get('json')),
  };
}

/** A flag the command cannot do without. */
function required(values: Values, flag: string, topic: Topic): string {
  const value = values.get(flag);
  if (value === undefined) {
    const spec = FLAGS[topic].find((s) => s.name === flag) as FlagSpec;
    throw new UsageError(
      `--${flag} is required: expected ${spec.allowed}`,
      topic,
    );
  }
  return String(value);
}

/** The --model flag, checked against the recipe's model names. */
function modelOf(values: Values): ModelName {
  return String(values.get('model') ?? DEFAULT_RECIPE.model) as ModelName;
}

function toConvert(values: Values): Command {
  const inPath = required(values, 'in', 'convert');
  const numClasses = Number(required(values, 'classes', 'convert'));
  const outDir = required(values, 'out', 'convert');
  const formats = String(values.get('format') ?? 'safetensors').split(
    ',',
  ) as WeightFormatName[];
  return {
    kind: 'convert',
    inPath,
    model: modelOf(values),
    numClasses,
    width: Number(values.get('width') ?? 1),
    inChannels: Number(values.get('in-channels') ?? 3) as 1 | 3,
    imageSize: Number(values.get('image-size') ?? DEFAULT_WEIGHTS_IMAGE_SIZE),
    formats,
    outDir,
  };
}

function toPredict(values: Values): Command {
  const weightsPath = required(values, 'weights', 'predict');
  const imagesDir = required(values, 'images', 'predict');
  const jsonPath = required(values, 'json', 'predict');
  const size = values.get('image-size');
  return {
    kind: 'predict',
    weightsPath,
    model: modelOf(values),
    imagesDir,
    imageSize: size === undefined ? null : Number(size),
    jsonPath,
  };
}

/** `weights add FILE|URL` or `weights list`. */
function toWeights(values: Values, words: string[]): Command {
  const [action, source, ...extra] = words;
  const id = pathValue(values.get('id'));
  const profileDir = pathValue(values.get('profile'));
  if (action === 'list' && words.length === 1 && id === null) {
    return { kind: 'weights', action, source: null, id, profileDir };
  }
  if (action === 'add' && source !== undefined && extra.length === 0) {
    return { kind: 'weights', action, source, id, profileDir };
  }
  throw new UsageError(
    'expected "weights add FILE|URL [--id ID]" or "weights list", got ' +
      `"weights ${words.join(' ')}${id === null ? '' : ` --id ${id}`}"`,
    'weights',
  );
}

/** What a bench takes from a preset: the model and batch it times. */
function benchPart(preset: RecipeValue | undefined): Partial<BenchOptions> {
  if (preset === undefined) return {};
  // The preset's model and sizes are the bench's defaults, which flags
  // override; the rest is what the lab's step trains with.
  const { model, width, imageSize, batchSize, seed, ...training } =
    presetRecipe(String(preset));
  return { model, width, imageSize, batchSize, seed, training };
}

/**
 * `recipe [QUERY...] [--preset NAME]`. The words of QUERY are joined with
 * "&", so `lr=0.4 opt=adamw` works without quotes.
 */
function toRecipe(tokens: readonly string[]): Command {
  const words: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('-')) {
      words.push(token);
      continue;
    }
    flags.push(token);
    const next = tokens[i + 1];
    const takesNext = !token.includes('=') && !HELP_FLAGS.has(token);
    if (takesNext && next !== undefined && !next.startsWith('-')) {
      flags.push(next);
      i++;
    }
  }
  const values = readFlags(flags, 'recipe', null);
  if (values === 'help') return { kind: 'help', topic: 'recipe' };
  const preset = values.get('preset');
  return {
    kind: 'recipe',
    query: words.join('&'),
    preset: preset === undefined ? null : String(preset),
  };
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** "imageSize: expected ..." from validate.ts becomes "--image-size: ...". */
export function toFlagProblem(problem: string): string {
  const key = /^(\w+): /.exec(problem)?.[1];
  if (!key) return problem;
  return `--${kebabCase(key)}: ${stripKey(problem, key)}`;
}

/**
 * Reads `--flag value` and `--flag=value` pairs; 'help' if asked for.
 * Other words go to `positional` where the command takes them.
 */
function readFlags(
  tokens: readonly string[],
  topic: Topic,
  positional: string[] | null,
): Values | 'help' {
  const specs = FLAGS[topic];
  const raw = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (HELP_FLAGS.has(token)) return 'help';
    if (positional && !token.startsWith('-')) {
      positional.push(token);
      continue;
    }
    if (!token.startsWith('--')) {
      throw new UsageError(
        token.startsWith('-')
          ? unknownFlag(token, specs, topic)
          : `unexpected argument "${token}" (flags start with --)`,
        topic,
      );
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UsageError(unknownFlag(token, specs, topic), topic);
    if (raw.has(name)) {
      throw new UsageError(`--${name} is given twice`, topic);
    }

    let value: string | undefined;
    if (eq >= 0) {
      value = token.slice(eq + 1);
    } else if (i + 1 < tokens.length && !tokens[i + 1]?.startsWith('--')) {
      value = tokens[++i];
    }
    if (value === undefined && spec.bare !== undefined) value = spec.bare;
    if (value === undefined || value === '') {
      throw new UsageError(
        `missing value for --${name}: expected ${spec.allowed}`,
        topic,
      );
    }
    raw.set(name, value);
  }
  return checkValues(raw, specs, topic);
}

function checkValues(
  raw: Map<string, string>,
  specs: readonly FlagSpec[],
  topic: Topic,
): Values {
  const values: Values = new Map();
  const problems: string[] = [];
  for (const [name, text] of raw) {
    const spec = specs.find((s) => s.name === name) as FlagSpec;
    const checked = spec.check(text);
    if (checked.ok) values.set(name, checked.value);
    else problems.push(`--${name}: ${checked.message}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'), topic);
  return values;
}

function unknownFlag(
  token: string,
  specs: readonly FlagSpec[],
  topic: Topic,
): string {
  const name = token.replace(/^-+/, '').split('=')[0] as string;
  const guess = closestFlag(kebabCase(name), specs);
  const hint = guess ? ` (did you mean --${guess}?)` : '';
  const known = [...specs.map((s) => `--${s.name}`), '--help'].join(', ');
  return (
    `unknown flag ${token.split('=')[0]} for ${topic}${hint}; ` +
    `known flags: ${known}`
  );
}

function closestFlag(name: string, specs: readonly FlagSpec[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.min(2, Math.floor(name.length / 2));
  for (const spec of specs) {
    const d = editDistance(name.toLowerCase(), spec.name);
    if (d <= bestDistance) {
      best = spec.name;
      bestDistance = d - 1;
    }
  }
  return best;
}

export { editDistance };
