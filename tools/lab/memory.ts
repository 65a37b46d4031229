// Memory of the browser the CLI drives, sampled from outside: the resident
// set sizes (RSS) of every process below this one (Chromium's browser,
// GPU, renderer and utility processes), summed, every SAMPLE_MS. The sum
// counts pages that several processes share once per process, so it
// overstates what the browser takes; it does so the same way at every
// dataset size, which is what a test for growth needs.
import { execFile } from 'node:child_process';

export const SAMPLE_MS = 250;

export interface ProcessRow {
  pid: number;
  ppid: number;
  rssBytes: number;
}

/** `ps -A -o pid=,ppid=,rss=` lines (rss in KiB) as rows. */
export function parsePs(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid, rss] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || rss === undefined) continue;
    if (![pid, ppid, rss].every(Number.isFinite)) continue;
    rows.push({ pid, ppid, rssBytes: rss * 1024 });
  }
  return rows;
}

/** RSS summed over the descendants of `root`, not counting `root`. */
export function descendantRss(rows: readonly ProcessRow[], root: number) {
  const children = new Map<number, ProcessRow[]>();
  for (const row of rows) {
    const list = children.get(row.ppid) ?? [];
    list.push(row);
    children.set(row.ppid, list);
  }
  let total = 0;
  let count = 0;
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const row = stack.pop()!;
    total += row.rssBytes;
    count++;
    stack.push(...(children.get(row.pid) ?? []));
  }
  return { bytes: total, processes: count };
}

function readPs(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('ps', ['-A', '-o', 'pid=,ppid=,rss='], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
}

/** Samples the browser's memory until stopped; keeps a peak per phase. */
export class MemorySampler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private phase = 'start';
  readonly peaks = new Map<string, number>();
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
      const { bytes, processes } = descendantRss(
        parsePs(await readPs()),
        this.root,
      );
      this.maxProcesses = Math.max(this.maxProcesses, processes);
      this.peaks.set(phase, Math.max(this.peak(phase), bytes));
      return bytes;
    } catch (error) {
      this.failure = `ps failed: ${(error as Error).message}`;
      return 0;
    }
  }
}
