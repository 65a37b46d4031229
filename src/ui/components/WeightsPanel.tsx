import { useCallback, useEffect, useState, type DragEvent } from 'react';
import {
  downloadWeights,
  withWeightsCache as withCache,
  type DownloadProgress,
  type WeightsCache,
  type WeightsEntry,
} from '../../weights/cache';
import { knownFileBytes } from '../../weights/info';
import { KNOWN_WEIGHTS } from '../../weights/sources';
import { formatBytes } from '../format';
import { useLab } from '../store';

type Job =
  | { kind: 'idle' }
  | { kind: 'busy'; what: string; progress: DownloadProgress | null }
  | { kind: 'done'; what: string; bytes: number }
  | { kind: 'failed'; message: string };

const fixed = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(', ');

/**
 * Weight files to start a run from: download a known source or any
 * safetensors URL, or pick a file; each is kept in the browser
 * (src/weights/cache.ts) so that later runs start offline.
 */
export function WeightsPanel() {
  const [entries, setEntries] = useState<WeightsEntry[]>([]);
  const [url, setUrl] = useState('');
  const [job, setJob] = useState<Job>({ kind: 'idle' });
  const chosen = useLab((s) =>
    s.draft.pretrained === 'true' ? s.draft.weights : 'none',
  );
  const setDraft = useLab((s) => s.setDraft);

  const refresh = useCallback(async () => {
    setEntries(await withCache((c) => c.list()));
  }, []);
  useEffect(() => {
    withCache((c) => c.list()).then(setEntries, (e: unknown) =>
      setJob({ kind: 'failed', message: messageOf(e) }),
    );
  }, []);

  const run = async (
    what: string,
    op: (c: WeightsCache) => Promise<WeightsEntry | void>,
  ) => {
    setJob({ kind: 'busy', what, progress: null });
    try {
      const entry = await withCache(op);
      await refresh();
      setJob(
        entry
          ? { kind: 'done', what: `Cached ${entry.id}`, bytes: entry.size }
          : { kind: 'idle' },
      );
    } catch (e) {
      setJob({ kind: 'failed', message: messageOf(e) });
    }
  };
  const download = (source: string, id?: string) =>
    run(`Downloading ${id ?? source}`, (cache) =>
      downloadWeights(cache, source, {
        ...(id !== undefined && { id }),
        onProgress: (progress) =>
          setJob({
            kind: 'busy',
            what: `Downloading ${id ?? source}`,
            progress,
          }),
      }),
    );
  const addFile = (file: File) =>
    run(`Reading ${file.name}`, async (cache) =>
      cache.put(file.name, new Uint8Array(await file.arrayBuffer()), {
        kind: 'file',
        name: file.name,
      }),
    );
  const use = (entry: WeightsEntry) => {
    const { model, width } = entry.info;
    if (model) setDraft('model', model);
    if (width !== null) setDraft('width', String(width));
    setDraft('pretrained', 'true');
    setDraft('weights', entry.id);
    setJob({ kind: 'idle' });
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (file) void addFile(file);
  };
  const busy = job.kind === 'busy';

  return (
    <section
      className="panel weights-panel"
      aria-labelledby="weights-title"
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
    >
      <h2 id="weights-title">Weights</h2>
      <p className="muted">
        Start a run from pretrained weights: download a file once, then train
        from it offline. Inputs are normalised as the weights were trained.
      </p>
      <ul className="weights-known" aria-label="Known weights">
        {KNOWN_WEIGHTS.map((w) => (
          <li key={w.id}>
            <strong>timm/{w.id}</strong> {w.model}, trained at {w.inputSize} px,
            about {formatBytes(knownFileBytes(w))}{' '}
            <button
              type="button"
              disabled={busy}
              onClick={() => void download(w.url, `timm/${w.id}`)}
            >
              Download
            </button>
          </li>
        ))}
      </ul>
      <form
        className="weights-url"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim() !== '') void download(url.trim());
        }}
      >
        <label htmlFor="weights-url">Safetensors URL</label>
        <input
          id="weights-url"
          type="url"
          value={url}
          placeholder="https://.../model.safetensors"
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" disabled={busy || url.trim() === ''}>
          Download URL
        </button>
      </form>
      <div className="field">
        <label htmlFor="weights-file">
          Or a safetensors file (or drop one here)
        </label>
        <input
          id="weights-file"
          type="file"
          accept=".safetensors"
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void addFile(file);
            e.target.value = '';
          }}
        />
      </div>
      <JobLine job={job} />
      <h3>Cached</h3>
      {entries.length === 0 ? (
        <p className="muted">No weights are cached yet.</p>
      ) : (
        <ul className="weights-cached" aria-label="Cached weights">
          {entries.map((entry) => (
            <CachedEntry
              key={entry.id}
              entry={entry}
              chosen={entry.id === chosen}
              busy={busy}
              onUse={() => use(entry)}
              onDelete={() =>
                void run(`Deleting ${entry.id}`, (c) => c.delete(entry.id))
              }
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function JobLine({ job }: { job: Job }) {
  if (job.kind === 'failed') {
    return (
      <p className="field-problem" role="alert">
        {job.message}
      </p>
    );
  }
  if (job.kind === 'idle') return null;
  const progress =
    job.kind === 'done' ? { bytes: job.bytes, total: job.bytes } : job.progress;
  const done = progress?.bytes ?? 0;
  const total = progress?.total ?? null;
  return (
    <div className="weights-progress">
      <progress
        aria-label="Weights download"
        value={done}
        {...(total !== null && { max: total })}
      />
      <p data-testid="weights-progress-line">
        {job.what}: {formatBytes(done)}
        {total !== null && ` of ${formatBytes(total)}`}
      </p>
    </div>
  );
}

interface EntryProps {
  entry: WeightsEntry;
  chosen: boolean;
  busy: boolean;
  onUse: () => void;
  onDelete: () => void;
}

function CachedEntry({ entry, chosen, busy, onUse, onDelete }: EntryProps) {
  const { info } = entry;
  const arch =
    info.model === null
      ? 'not a network the lab has (ResNet-18/34/50, MobileNetV3-Large)'
      : `${info.model}, width ${info.width}`;
  return (
    <li data-weights-id={entry.id}>
      <strong>{entry.id}</strong> {arch}; {info.numClasses ?? '?'} classes,{' '}
      {info.inChannels ?? '?'} input channels, {formatBytes(entry.size)};
      trained at {info.inputSize} px; mean {fixed(info.normalization.mean)}, std{' '}
      {fixed(info.normalization.std)} ({info.configFrom}){' '}
      <button type="button" disabled={busy || chosen} onClick={onUse}>
        {chosen ? 'In the recipe' : 'Train from these'}
      </button>{' '}
      <button type="button" disabled={busy} onClick={onDelete}>
        Delete
      </button>
    </li>
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
