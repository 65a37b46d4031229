// The CLI from command line to exit code. Exit codes: 0 done; 1 the run
// failed (a page error, a rejected call, a failed build); 2 the command
// line was wrong or no Chromium was found. Messages name the problem and
// never carry a stack trace.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs, UsageError, type Command } from './args';
import { findChromium } from './browser';
import { ensureBuiltApp } from './build';
import { runBench, runTrain, type Io } from './commands';
import { openLab } from './page';
import { runRecipe } from './recipe-command';
import { serveBuiltApp } from './serve';
import { usage } from './usage';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** An error's message without the stack frames that tools fold into it. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at \S/.test(line))
    .join('\n');
}

/** Parses the command line; a UsageError becomes lines on stderr. */
export function readCommand(argv: readonly string[], io: Io): Command | null {
  try {
    return parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (argv.length === 0) io.err(usage(null));
    for (const line of error.message.split('\n')) io.err(`lab: ${line}`);
    const topic = error.topic ? `${error.topic} ` : '';
    io.err(`lab: see \`npm run lab -- ${topic}--help\``);
    return null;
  }
}

/** Closers run in reverse order of opening, also on Ctrl-C. */
export class Cleanup {
  private readonly closers: (() => Promise<void>)[] = [];
  /** Set on Ctrl-C: the errors of calls cut short are then no news. */
  interrupted = false;

  add(closer: () => Promise<void>): void {
    this.closers.push(closer);
  }

  async run(): Promise<void> {
    while (this.closers.length > 0) {
      await this.closers
        .pop()?.()
        .catch(() => {});
    }
  }
}

export async function runCli(
  argv: readonly string[],
  io: Io,
  cleanup = new Cleanup(),
): Promise<number> {
  const command = readCommand(argv, io);
  if (!command) return EXIT_USAGE;
  if (command.kind === 'help') {
    io.out(usage(command.topic));
    return EXIT_OK;
  }
  if (command.kind === 'recipe') {
    return runRecipe(command, io) ? EXIT_OK : EXIT_USAGE;
  }
  try {
    findChromium();
  } catch (error) {
    io.err(`lab: ${messageOf(error)}`);
    return EXIT_USAGE;
  }

  try {
    await ensureBuiltApp((line) => io.err(`lab: ${line}`));
    const served = await serveBuiltApp();
    cleanup.add(served.close);
    const session = await openLab(served.url, {
      onConsoleError: (text) => io.err(`page: ${text}`),
    });
    cleanup.add(session.close);
    if (command.kind === 'train') await runTrain(session.lab, command, io);
    else await runBench(session.lab, command, io);
    return EXIT_OK;
  } catch (error) {
    if (cleanup.interrupted) return EXIT_FAILED;
    io.status(null);
    io.err(`lab: ${messageOf(error)}`);
    return EXIT_FAILED;
  } finally {
    await cleanup.run();
  }
}

/** stdout and stderr of this process; the status line only on a terminal. */
export function terminalIo(): Io {
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) process.stderr.write('\r\x1b[2K');
    statusShown = false;
  };
  return {
    out: (line) => {
      clearStatus();
      process.stdout.write(`${line}\n`);
    },
    err: (line) => {
      clearStatus();
      process.stderr.write(`${line}\n`);
    },
    status: (line) => {
      if (!process.stderr.isTTY) return;
      clearStatus();
      if (line === null) return;
      const width = process.stderr.columns || 80;
      process.stderr.write(line.slice(0, width - 1));
      statusShown = true;
    },
    now: () => performance.now(),
    writeJson: async (path, value) => {
      // npm runs scripts from the package root; INIT_CWD is where the user
      // typed the command, which is what a relative path means to them.
      const target = resolve(process.env.INIT_CWD ?? process.cwd(), path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, `${JSON.stringify(value, null, 2)}\n`);
      return target;
    },
  };
}
