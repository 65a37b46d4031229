// Memory of the browser the CLI drives, sampled from outside: the resident
// set sizes (RSS) of every process below this one (Chromium's browser,
// GPU, renderer and utility processes), summed, every SAMPLE_MS. The sum
// counts pages that several processes share once per process, so it
// overstates what the browser takes; it does so the same way at every
// dataset size, which is what a test for growth needs. Each process is
// also counted under its kind (Chromium's --type: renderer, gpu-process,
// utility; none for the browser process), to show where memory goes.
import { execFile } from 'node:child_process';

export const SAMPLE_MS = 250;

export interface ProcessRow {
  pid: number;
  ppid: number;
  rssBytes: number;
  /** Chromium's --type of the process; 'browser' without one. */
  kind: string;
}

/** `ps -A -o pid=,ppid=,rss=,args=` lines (rss in KiB) as rows. */
export function parsePs(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid, rss, ...args] = line.trim().split(/\s+/);
    const numbers = [pid, ppid, rss].map(Number);
    if (!numbers.every(Number.isFinite) || rss === undefined) continue;
    const type = args.find((a) => a.startsWith('--type='));
    rows.push({
      pid: numbers[0]!,
      ppid: numbers[1]!,
      rssBytes: numbers[2]! * 1024,
      kind: type ? type.slice('--type='.length) : 'browser',
    });
  }
  return rows;
}

export interface TreeRss {
  bytes: number;
  processes: number;
  byKind: Record<string, number>;
}

/** RSS summed over the descendants of `root`, not counting `root`. */
export function descendantRss(
  rows: readonly ProcessRow[],
  root: number,
): TreeRss {
  const children = new Map<number, ProcessRow[]>();
  for (const row of rows) {
    const list = children.get(row.ppid) ?? [];
    list.push(row);
    children.set(row.ppid, list);
  }
  const tree: TreeRss = { bytes: 0, processes: 0, byKind: {} };
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const row = stack.pop()!;
    tree.bytes += row.rssBytes;
    tree.processes++;
    tree.byKind[row.kind] = (tree.byKind[row.kind] ?? 0) + row.rssBytes;
    stack.push(...(children.get(row.pid) ?? []));
  }
  return tree;
}

function readPs(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'ps',
      ['-A', '-o', 'pid=,ppid=,rss=,args='],
      { maxBuffer: 16 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );
}

/** One sample: seconds since the first, the phase, bytes in all. */
export type MemorySample = [seconds: number, phase: string, bytes: number];

/**
 * Samples the browser's memory until stopped; keeps a peak per phase, a
 * peak per phase and process kind, and every sample.
 */
export class MemorySampler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private phase = 'start';
  private started: number | null = null;
  readonly peaks = new Map<string, number>();
  readonly kindPeaks = new Map<string, Record<string, number>>();
  readonly samples: MemorySample[] = [];
  maxProcesses = 0;
  failure: string | null = null;

  constructor(private readonly root = process.pid) {}

  /** Samples once now; later samples count towards `phase`. */
  async enter(phase: string): Promise<number> {
    this.phase = phase;
    const bytes = await this.sample();
    this.timer ??= setInterval(() => void this.sample(), SAMPLE_MS);
    return bytes;
  }

  /** Samples once more and stops. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sample();
  }

  peak(phase: string): number {
    return this.peaks.get(phase) ?? 0;
  }

  private async sample(): Promise<number> {
    const phase = this.phase;
    try {
      const tree = descendantRss(parsePs(await readPs()), this.root);
      const now = performance.now();
      this.started ??= now;
      const seconds = Math.round(now - this.started) / 1000;
      this.samples.push([seconds, phase, tree.bytes]);
      this.maxProcesses = Math.max(this.maxProcesses, tree.processes);
      this.peaks.set(phase, Math.max(this.peak(phase), tree.bytes));
      const kinds = this.kindPeaks.get(phase) ?? {};
      for (const [kind, bytes] of Object.entries(tree.byKind)) {
        kinds[kind] = Math.max(kinds[kind] ?? 0, bytes);
      }
      this.kindPeaks.set(phase, kinds);
      return tree.bytes;
    } catch (error) {
      this.failure = `ps failed: ${(error as Error).message}`;
      return 0;
    }
  }
}
