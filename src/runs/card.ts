// A run card: one run as a small versioned JSON document a colleague can
// open, with what was trained (recipe, dataset, model, seed), where
// (environment) and how it went (each epoch's metrics, the thinned loss and
// LR series), and never the weights. Pure: cardOf builds one from a record,
// readCard checks what came back from a file or a link and says what was
// expected where it is not, and sharedRecord makes a run of the table of it.
import { decodeRecipe, encodeRecipe } from '../recipe/url';
import type { EpochMetrics } from '../train/protocol';
import type { RunEnvironment, RunRecord, StepPoint } from './record';

export const CARD_KIND = 'recipe-lab-run-card';
export const CARD_VERSION = 1;

export interface RunCard {
  kind: typeof CARD_KIND;
  version: typeof CARD_VERSION;
  /** The run's id where it was trained. */
  runId: string;
  name: string;
  createdAt: number;
  finishedAt: number | null;
  status: 'finished' | 'stopped';
  dataset: string;
  model: string;
  seed: number;
  /** The recipe's canonical query (src/recipe/url.ts). */
  recipe: string;
  environment: RunEnvironment | null;
  epochs: EpochMetrics[];
  steps: StepPoint[];
}

/** Bad card content: what was expected and what came instead. */
export class CardError extends Error {
  override name = 'CardError';
}

/** Whether a run can be shared: it ran to its end or was stopped. */
export function isShareable(record: RunRecord): boolean {
  return record.status === 'finished' || record.status === 'stopped';
}

export function cardOf(record: RunRecord): RunCard {
  if (record.status !== 'finished' && record.status !== 'stopped') {
    throw new CardError(
      `run "${record.name}": expected a finished or stopped run to share, ` +
        `got one that is ${record.status}`,
    );
  }
  const { runId, name, createdAt, finishedAt, dataset, model, seed } = record;
  return {
    kind: CARD_KIND,
    version: CARD_VERSION,
    runId,
    name,
    createdAt,
    finishedAt,
    status: record.status,
    dataset,
    model,
    seed,
    recipe: encodeRecipe(record.recipe),
    environment: record.environment,
    epochs: record.epochs,
    steps: record.steps,
  };
}

/** A value as a message shows what came: its type, or itself if short. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function need<T>(
  where: string,
  value: unknown,
  ok: (v: unknown) => v is T,
  expected: string,
): T {
  if (ok(value)) return value;
  throw new CardError(`${where}: expected ${expected}, got ${shown(value)}`);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v);
const isNumberOrNull = (v: unknown): v is number | null =>
  v === null || isNumber(v);
const isStatus = (v: unknown): v is RunCard['status'] =>
  v === 'finished' || v === 'stopped';

function readNumbers<K extends string>(
  where: string,
  value: unknown,
  required: readonly K[],
  optional: readonly K[] = [],
): Record<K, number> {
  const fields = need(where, value, isObject, 'an object');
  const out = {} as Record<K, number>;
  for (const key of [...required, ...optional]) {
    if (!(key in fields) && optional.includes(key)) continue;
    out[key] = need(`${where}.${key}`, fields[key], isNumber, 'a number');
  }
  return out;
}

const EPOCH_FIELDS = [
  'epoch',
  'trainLoss',
  'valTop1',
  'valTop5',
  'lr',
  'imagesPerSecond',
  'seconds',
] as const;
/** Optional: EMA runs only; training accuracy, absent in older records. */
const OPTIONAL_EPOCH_FIELDS = [
  'trainTop1',
  'trainTop5',
  'valTop1Ema',
  'valTop5Ema',
] as const;
const STEP_FIELDS = ['step', 'loss', 'lr', 'windows'] as const;
const ENVIRONMENT_FIELDS = [
  'backend',
  'adapter',
  'tfjsVersion',
  'kernels',
  'userAgent',
] as const;

function readList<T>(
  where: string,
  value: unknown,
  item: (where: string, v: unknown) => T,
): T[] {
  const list = need(where, value, Array.isArray, 'an array');
  return list.map((v, i) => item(`${where}[${i}]`, v));
}

function readEnvironment(value: unknown): RunEnvironment | null {
  if (value === null) return null;
  const fields = need('environment', value, isObject, 'an object or null');
  const out = {} as Record<(typeof ENVIRONMENT_FIELDS)[number], string>;
  for (const key of ENVIRONMENT_FIELDS) {
    out[key] = need(`environment.${key}`, fields[key], isString, 'a string');
  }
  return out;
}

function readHead(fields: Fields): void {
  const { kind, version } = fields;
  if (kind !== CARD_KIND) {
    throw new CardError(
      `kind: expected "${CARD_KIND}", got ${shown(kind)}` +
        (kind === undefined ? ' (is this a Recipe Lab run card?)' : ''),
    );
  }
  if (version !== CARD_VERSION) {
    throw new CardError(
      `version: expected ${CARD_VERSION}, got ${shown(version)}` +
        (isNumber(version) && version > CARD_VERSION
          ? ' (made by a newer Recipe Lab; update this one)'
          : ''),
    );
  }
}

/** The recipe query, checked: every key known and every value good. */
function readRecipe(value: unknown): string {
  const query = need('recipe', value, isString, 'a recipe query');
  const { notices } = decodeRecipe(query);
  const [first] = notices;
  if (first)
    throw new CardError(`recipe: ${first.message.replace(/; used .*$/, '')}`);
  return query;
}

/** Checks parsed JSON as a run card; throws CardError saying what is wrong. */
export function readCard(value: unknown): RunCard {
  const fields = need('the card', value, isObject, 'a JSON object');
  readHead(fields);
  const text = (key: string) => need(key, fields[key], isString, 'a string');
  return {
    kind: CARD_KIND,
    version: CARD_VERSION,
    runId: text('runId'),
    name: text('name'),
    createdAt: need('createdAt', fields.createdAt, isNumber, 'a number'),
    finishedAt: need(
      'finishedAt',
      fields.finishedAt,
      isNumberOrNull,
      'a number or null',
    ),
    status: need('status', fields.status, isStatus, '"finished" or "stopped"'),
    dataset: text('dataset'),
    model: text('model'),
    seed: need('seed', fields.seed, isNumber, 'a number'),
    recipe: readRecipe(fields.recipe),
    environment: readEnvironment(fields.environment),
    epochs: readList('epochs', fields.epochs, (w, v) =>
      readNumbers(w, v, EPOCH_FIELDS, OPTIONAL_EPOCH_FIELDS),
    ),
    steps: readList('steps', fields.steps, (w, v) =>
      readNumbers(w, v, STEP_FIELDS),
    ),
  };
}

/** Parses a card's JSON text; broken JSON is a CardError too. */
export function parseCard(text: string): RunCard {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CardError(
      `expected a run card as JSON, got text that is not JSON (${why})`,
    );
  }
  return readCard(value);
}

/** The id a shared run gets in the table: apart from the lab's own. */
export const sharedRunId = (card: RunCard) => `shared:${card.runId}`;

/** The card as a run of the table, marked shared and without weights. */
export function sharedRecord(card: RunCard): RunRecord {
  const { recipe } = decodeRecipe(card.recipe);
  let best: EpochMetrics | null = null;
  for (const e of card.epochs) if (!best || e.valTop1 > best.valTop1) best = e;
  return {
    runId: sharedRunId(card),
    name: card.name,
    createdAt: card.createdAt,
    finishedAt: card.finishedAt,
    status: card.status,
    dataset: card.dataset,
    model: card.model,
    seed: card.seed,
    recipe,
    query: card.recipe,
    environment: card.environment,
    epochs: card.epochs,
    steps: card.steps,
    bestTop1: best?.valTop1 ?? null,
    bestEpoch: best?.epoch ?? null,
    hasWeights: false,
    weightsNote: 'a shared run: its weights stayed with whoever trained it',
    error: null,
    shared: true,
  };
}

/** The card as a file: its text and a file name from the run's name. */
export function cardFile(card: RunCard): { name: string; text: string } {
  const slug = card.name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  return {
    name: `${slug || 'run'}.run-card.json`,
    text: `${JSON.stringify(card, null, 2)}\n`,
  };
}
