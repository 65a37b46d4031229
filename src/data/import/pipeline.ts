// The import from start to end, as the import Worker runs it: list the
// source, recognise its layout, read its annotations, plan, then walk the
// images in plan order, crop and resize each, and store shards as they
// fill. inspect() stops after planning and writes nothing.
//
// Same source again: a stored dataset with the same fingerprint and the
// same settings is continued where its shards end, or, when complete,
// returned as it is. Nothing is stored twice.
import { StorageError } from '../errors';
import {
  FORMAT_VERSION,
  type DatasetManifest,
  type ImportRecord,
  type SplitName,
} from '../schema';
import type { ShardStore } from '../shard-store';
import { readAnnotations, type AnnotationReaders } from './annotations';
import { CropCanvas, decodeCrop, ImageSkip } from './image';
import { detectLayout } from './layout';
import { planImport, type ImportPlan, type PlanItem } from './plan';
import { ProgressMeter } from './progress';
import {
  fingerprint,
  openSource,
  type PartOpener,
  type SourceReader,
} from './sources';
import {
  DEFAULT_IMPORT_OPTIONS,
  ImportError,
  type ImportOptions,
  type ImportPlanSummary,
  type ImportProgress,
  type ImportReport,
} from './types';
import { ImportWriter } from './writer';

export type ImportStore = Pick<
  ShardStore,
  'getManifest' | 'listDatasets' | 'putManifest' | 'putShard'
>;

export interface PipelineDeps {
  store: ImportStore;
  openPart: PartOpener;
  readers: AnnotationReaders;
}

type Settings = ImportRecord['settings'];
type Resolved = Required<ImportOptions>;

function checkNumber(
  name: string,
  value: unknown,
  ok: (v: number) => boolean,
  allowed: string,
): void {
  if (typeof value !== 'number' || !ok(value)) {
    throw new ImportError(
      'options',
      `expected ${name} to be ${allowed}, got ${String(value)}`,
    );
  }
}

/** Options with defaults filled in; bad values name the range allowed. */
export function resolveOptions(options: ImportOptions): Resolved {
  const o = { ...DEFAULT_IMPORT_OPTIONS, ...options };
  if (typeof o.name !== 'string' || o.name.trim() === '') {
    throw new ImportError(
      'options',
      `expected a dataset name, got ${JSON.stringify(o.name)}`,
    );
  }
  const int = Number.isInteger;
  checkNumber(
    'imageSize',
    o.imageSize,
    (v) => int(v) && v >= 8 && v <= 1024,
    'a whole number from 8 to 1024',
  );
  checkNumber(
    'valFraction',
    o.valFraction,
    (v) => v >= 0 && v < 1,
    'at least 0 and below 1',
  );
  checkNumber('seed', o.seed, (v) => int(v) && v >= 0, 'a whole number >= 0');
  checkNumber(
    'shardSize',
    o.shardSize,
    (v) => int(v) && v >= 1 && v <= 65_536,
    'a whole number from 1 to 65536',
  );
  if (o.fit !== 'squash' && o.fit !== 'keep-aspect') {
    throw new ImportError(
      'options',
      `expected fit to be 'squash' or 'keep-aspect', got ${String(o.fit)}`,
    );
  }
  return o;
}

function settingsOf(o: Resolved): Settings {
  return {
    imageSize: o.imageSize,
    fit: o.fit,
    valFraction: o.valFraction,
    seed: o.seed,
  };
}

function sameSettings(a: Settings, b: Settings): boolean {
  return SETTING_KEYS.every((key) => a[key] === b[key]);
}

const SETTING_KEYS = ['imageSize', 'fit', 'valFraction', 'seed'] as const;

export interface Prepared {
  reader: SourceReader;
  plan: ImportPlan;
  sourceId: string;
  /** A stored import of this source with these settings. */
  match?: DatasetManifest & { importRecord: ImportRecord };
  /** Any stored import of this source. */
  existing?: DatasetManifest;
}

function countPlanned(items: PlanItem[]): Record<SplitName, number> {
  const planned = { train: 0, val: 0 };
  for (const item of items) planned[item.split]++;
  return planned;
}

/** Lists the source, reads its annotations and plans; stores nothing. */
export async function prepare(
  deps: PipelineDeps,
  source: Parameters<typeof fingerprint>[0],
  options: Resolved,
): Promise<Prepared> {
  const reader = await openSource(source, deps.openPart);
  const detection = detectLayout(reader.listing.paths);
  const annotations = await readAnnotations(
    detection,
    (path) => reader.readFile(path),
    deps.readers,
  );
  const plan = planImport(detection, reader.listing, annotations, options);
  const sourceId = await fingerprint(source);
  const stored = await deps.store.listDatasets();
  const ofSource = stored.filter((m) => m.sourceId === sourceId);
  const match = ofSource.find(
    (m): m is Prepared['match'] & object =>
      m.importRecord !== undefined &&
      sameSettings(m.importRecord.settings, settingsOf(options)),
  );
  return { reader, plan, sourceId, match, existing: match ?? ofSource[0] };
}

export async function inspectImport(
  deps: PipelineDeps,
  source: Parameters<typeof fingerprint>[0],
  options: ImportOptions,
): Promise<ImportPlanSummary> {
  const { plan, sourceId, existing } = await prepare(
    deps,
    source,
    resolveOptions(options),
  );
  return {
    layout: plan.layout,
    description: plan.description,
    classNames: plan.classNames,
    planned: countPlanned(plan.items),
    valFrom: plan.valFrom,
    cropped: plan.cropped,
    notes: plan.notes,
    skipped: plan.skipped,
    sourceId,
    ...(existing
      ? { existing: { name: existing.name, complete: existing.complete } }
      : {}),
  };
}

function newManifest(
  options: Resolved,
  plan: ImportPlan,
  sourceId: string,
): DatasetManifest & { importRecord: ImportRecord } {
  const empty = () => ({
    numImages: 0,
    numShards: 0,
    classCounts: plan.classNames.map(() => 0),
  });
  return {
    name: options.name,
    formatVersion: FORMAT_VERSION,
    classNames: plan.classNames,
    height: options.imageSize,
    width: options.imageSize,
    channels: 3,
    shardSize: options.shardSize,
    splits: { train: empty(), val: empty() },
    complete: false,
    source: plan.description,
    sourceId,
    createdAt: new Date().toISOString(),
    importRecord: {
      layout: plan.layout,
      cropped: plan.cropped,
      settings: settingsOf(options),
      planned: countPlanned(plan.items),
      cursor: { train: 0, val: 0 },
      skipped: plan.skipped,
    },
  };
}

/** The dataset to write into: the matching one, or a new one. */
async function target(
  deps: PipelineDeps,
  prepared: Prepared,
  options: Resolved,
): Promise<DatasetManifest & { importRecord: ImportRecord }> {
  if (prepared.match) return prepared.match;
  const taken = await deps.store.getManifest(options.name);
  if (taken) {
    throw new ImportError(
      'options',
      `expected a new dataset name, got "${options.name}", which holds ` +
        `${taken.source} (imported ${taken.createdAt}); pick another ` +
        'name or delete that dataset first',
    );
  }
  const manifest = newManifest(options, prepared.plan, prepared.sourceId);
  await deps.store.putManifest(manifest);
  return manifest;
}

function reportOf(
  manifest: DatasetManifest,
  writer: ImportWriter | null,
  extra: Pick<ImportReport, 'resumed' | 'wallSeconds' | 'stopped'>,
): ImportReport {
  const imported = {
    train: manifest.splits.train.numImages,
    val: manifest.splits.val.numImages,
  };
  const bytesPerImage = manifest.height * manifest.width * manifest.channels;
  const report: ImportReport = {
    dataset: manifest.name,
    layout: manifest.importRecord!.layout as ImportReport['layout'],
    imported,
    classes: manifest.classNames.length,
    skipped: writer ? writer.issues : manifest.importRecord!.skipped,
    storedBytes: (imported.train + imported.val) * (bytesPerImage + 4),
    resumed: extra.resumed,
    complete: manifest.complete,
    wallSeconds: extra.wallSeconds,
  };
  if (extra.stopped) report.stopped = extra.stopped;
  return report;
}

/** Index of each planned path: its item and its position in its split. */
function indexPlan(
  items: PlanItem[],
): Map<string, { item: PlanItem; position: number }> {
  const next = { train: 0, val: 0 };
  return new Map(
    items.map((item) => [item.path, { item, position: next[item.split]++ }]),
  );
}

async function importOne(
  writer: ImportWriter,
  entry: { item: PlanItem; position: number },
  image: { path: string; label?: number; bytes(): Promise<Uint8Array> },
  options: Resolved,
  canvas: CropCanvas,
): Promise<void> {
  const { item, position } = entry;
  const numClasses = writer.manifest.classNames.length;
  let pixels: Uint8Array;
  const classId = item.classId >= 0 ? item.classId : (image.label ?? -1);
  try {
    if (!(Number.isInteger(classId) && classId >= 0 && classId < numClasses)) {
      throw new ImageSkip(
        `expected a label from 0 to ${numClasses - 1}, got ${image.label}`,
      );
    }
    const bytes = await image.bytes();
    pixels = await decodeCrop(
      bytes,
      item.box,
      options.imageSize,
      options.fit,
      canvas,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    writer.skip(item.split, position, { file: item.path, reason });
    return;
  }
  await writer.add(item.split, position, classId, pixels);
}

function remainingBytes(writer: ImportWriter): number {
  const { planned } = writer.record;
  const total = planned.train + planned.val;
  return Math.max(0, total - writer.numConsumed) * (writer.imageBytes + 4);
}

/**
 * Imports `source` into the store. Resolves with a report also when the
 * import stopped early (cancelled, or the storage quota ran out); the
 * stored part stays and the next import of the same source resumes it.
 */
export async function runImport(
  deps: PipelineDeps,
  source: Parameters<typeof fingerprint>[0],
  options: ImportOptions,
  onProgress: (progress: ImportProgress) => void,
  signal: AbortSignal,
): Promise<ImportReport> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const resolved = resolveOptions(options);
  onProgress(ProgressMeter.phase('listing'));
  const prepared = await prepare(deps, source, resolved);
  onProgress(ProgressMeter.phase('planning'));
  const manifest = await target(deps, prepared, resolved);
  const resumed = prepared.match !== undefined && !manifest.complete;
  if (manifest.complete) {
    const total =
      manifest.splits.train.numImages + manifest.splits.val.numImages;
    onProgress({
      ...ProgressMeter.phase('done'),
      imagesDone: total,
      imagesTotal: total,
    });
    return reportOf(manifest, null, { resumed: false, wallSeconds: seconds() });
  }
  const writer = new ImportWriter(deps.store, manifest);
  const planIndex = indexPlan(prepared.plan.items);
  const meter = new ProgressMeter(
    prepared.plan.items.length,
    writer.numConsumed,
    onProgress,
  );
  const canvas = new CropCanvas();
  const stop = async (
    reason: 'cancelled' | 'quota' | 'error',
    message: string,
  ): Promise<ImportReport> => {
    const stopped = { reason, message };
    // A shard still being written would land after this manifest.
    await writer.settle();
    try {
      // So the dataset view can say why it is incomplete; on a full disk
      // this write may fail too, and the stored shards stay as they are.
      await deps.store.putManifest({
        ...writer.manifest,
        importRecord: { ...writer.record, stopped },
      });
    } catch {
      // the report below carries the reason either way
    }
    return reportOf(writer.manifest, writer, {
      resumed,
      wallSeconds: seconds(),
      stopped,
    });
  };
  try {
    const wanted = (path: string) => {
      const entry = planIndex.get(path);
      return (
        entry !== undefined && !writer.isDone(entry.item.split, entry.position)
      );
    };
    for await (const image of prepared.reader.walk(wanted)) {
      if (signal.aborted) break;
      await importOne(
        writer,
        planIndex.get(image.path)!,
        image,
        resolved,
        canvas,
      );
      meter.update(writer.numConsumed);
    }
    if (signal.aborted) {
      return stop(
        'cancelled',
        'the import was cancelled; importing the same source again resumes it',
      );
    }
    await writer.finish();
    meter.done(writer.numConsumed);
    return reportOf(writer.manifest, writer, {
      resumed,
      wallSeconds: seconds(),
    });
  } catch (error) {
    if (error instanceof StorageError && error.code === 'quota') {
      const more = remainingBytes(writer);
      return stop(
        'quota',
        `${error.message}. The rest of the import needs about ` +
          `${Math.ceil(more / 1e6).toLocaleString('en-US')} MB more`,
      );
    }
    // A source that breaks midway (a truncated archive, a file removed
    // from the folder) ends the walk; what is stored stays, resumable.
    if (error instanceof StorageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return stop('error', `reading the source failed: ${message}`);
  }
}
