// The CLI from command line to exit code. Exit codes: 0 done; 1 the run
// failed (a page error, a rejected call, a failed build); 2 the command
// line was wrong or no Chromium was found; 3 the page was closed on
// purpose after a checkpoint (--kill-after-epoch). Messages name the
// problem and never carry a stack trace.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, UsageError, type Command } from './args';
import { findChromium } from './browser';
import { ensureBuiltApp } from './build';
import { KilledAfterCheckpoint, runBench, runTrain, type Io } from './commands';
import { PROFILE_PORT } from './flags';
import {
  runBenchImport,
  runImport,
  type BenchImportCommand,
} from './import-commands';
import { FileExchange } from './file-exchange';
import { MemorySampler } from './memory';
import { openLab, type LabSession } from './page';
import { runLadder } from './ladder-command';
import { runRecipe } from './recipe-command';
import { serveBuiltApp } from './serve';
import { writeSyntheticDevkit } from './synthetic';
import { usage } from './usage';
import {
  imagesIn,
  isWebAddress,
  runConvert,
  runPredict,
  runWeights,
} from './weights-commands';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_KILLED = 3;

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
    checkSource(command);
  } catch (error) {
    io.err(`lab: ${messageOf(error)}`);
    return EXIT_USAGE;
  }

  try {
    await ensureBuiltApp((line) => io.err(`lab: ${line}`));
    const kept = keptProfile(command, io);
    const exchange = new FileExchange();
    const served = await serveBuiltApp(
      kept ? PROFILE_PORT : 0,
      exchange.handle,
    );
    cleanup.add(served.close);
    // Written before the measured browser starts, by a browser of its own.
    const benchSource =
      command.kind === 'bench-import'
        ? await benchImportSource(command, io, cleanup)
        : null;
    const memory = new MemorySampler();
    const storesData =
      command.kind === 'import' || command.kind === 'bench-import';
    const profileDir =
      kept ?? (storesData ? await tempProfile(cleanup) : undefined);
    if (command.kind === 'import' && !kept) {
      io.err(
        'lab: no --profile: the dataset is stored in a profile deleted at ' +
          'exit; pass --profile DIR to keep it for `train --profile DIR`',
      );
    }
    const session = await openLab(served.url, {
      onConsoleError: (text) => io.err(`page: ${text}`),
      ...(profileDir ? { profileDir } : {}),
    });
    cleanup.add(session.close);
    await run(command, session, io, { benchSource, memory, exchange });
    return EXIT_OK;
  } catch (error) {
    if (cleanup.interrupted) return EXIT_FAILED;
    io.status(null);
    if (error instanceof KilledAfterCheckpoint) {
      io.err(`lab: ${error.message}; continue it with:`);
      io.err(`  ${resumeCommand(error.checkpoint.runId, command)}`);
      return EXIT_KILLED;
    }
    io.err(`lab: ${messageOf(error)}`);
    return EXIT_FAILED;
  } finally {
    await cleanup.run();
  }
}

/** The commands that need the app in a browser. */
type RunCommand = Exclude<Command, { kind: 'help' | 'recipe' }>;

async function run(
  command: RunCommand,
  session: LabSession,
  io: Io,
  context: {
    benchSource: string | null;
    memory: MemorySampler;
    exchange: FileExchange;
  },
): Promise<void> {
  const { lab } = session;
  const { exchange } = context;
  if (command.kind === 'train') {
    await runTrain(lab, command, io, session.close);
  } else if (command.kind === 'bench') await runBench(lab, command, io);
  else if (command.kind === 'ladder') await runLadder(lab, command, io);
  else if (command.kind === 'import') {
    await runImport(lab, { ...command, path: userPath(command.path) }, io);
  } else if (command.kind === 'convert') {
    const paths = {
      inPath: userPath(command.inPath),
      outDir: userPath(command.outDir),
    };
    await runConvert(lab, command, paths, exchange, io);
  } else if (command.kind === 'predict') {
    const paths = {
      weightsPath: userPath(command.weightsPath),
      imagesDir: userPath(command.imagesDir),
    };
    await runPredict(lab, command, paths, exchange, io);
  } else if (command.kind === 'weights') {
    const { source } = command;
    const file = source === null || isWebAddress(source) ? null : source;
    await runWeights(lab, command, file && userPath(file), exchange, io);
  } else {
    const source = context.benchSource as string;
    await runBenchImport(lab, command, source, context.memory, io);
  }
}

/** A path as the user meant it: relative to where they typed the command. */
export function userPath(path: string): string {
  // npm runs scripts from the package root; INIT_CWD is the user's folder.
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

const SOURCE_FILES = /\.(zip|tgz|tar\.gz|tar|parquet)$/i;

/** The weights file a command reads, with how it was named; or null. */
function weightsFileOf(command: RunCommand): [string, string] | null {
  if (command.kind === 'convert') return ['--in', command.inPath];
  if (command.kind === 'predict') return ['--weights', command.weightsPath];
  const { source } = command.kind === 'weights' ? command : { source: null };
  return source === null || isWebAddress(source) ? null : ['FILE', source];
}

/** A weights file or images folder that is not there is a usage error. */
function checkWeightPaths(command: RunCommand): void {
  const file = weightsFileOf(command);
  if (!file) return;
  const [flag, path] = file as [string, string];
  const target = userPath(path);
  if (!existsSync(target) || statSync(target).isDirectory()) {
    throw new UsageError(`${flag}: expected a safetensors file, got ${target}`);
  }
  if (command.kind === 'predict') {
    try {
      imagesIn(userPath(command.imagesDir));
    } catch (error) {
      throw new UsageError(messageOf(error));
    }
  }
}

/** A source path that names nothing importable is a usage error. */
function checkSource(command: RunCommand): void {
  checkWeightPaths(command);
  if (command.kind !== 'import' && command.kind !== 'bench-import') return;
  if (command.path === null) return;
  const path = userPath(command.path);
  if (!existsSync(path)) {
    throw new UsageError(
      `expected a folder, a .zip, a .tgz / .tar.gz or a .parquet file ` +
        `at ${path}, found nothing there`,
    );
  }
  if (!statSync(path).isDirectory() && !SOURCE_FILES.test(path)) {
    throw new UsageError(
      `expected a folder, a .zip, a .tgz / .tar.gz or a .parquet file, ` +
        `got ${path}`,
    );
  }
}

/**
 * Where runs that are to be resumed keep their checkpoints when no
 * --profile is given: a profile under the user's cache folder, so that
 * `train --kill-after-epoch` and `train --resume last` find each other.
 */
export function defaultProfile(env = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'recipe-lab', 'profile');
}

/**
 * A command that needs what an earlier call left in the browser: a train
 * command that writes or reads checkpoints, or that starts from cached
 * weights, and the weights cache commands.
 */
function needsKeptProfile(command: RunCommand): boolean {
  if (command.kind === 'weights') return true;
  return (
    command.kind === 'train' &&
    (command.resume !== null ||
      command.killAfterEpoch !== null ||
      command.recipe.weights !== null)
  );
}

/** The profile folder a command keeps, created if need be. */
function keptProfile(command: RunCommand, io: Io): string | undefined {
  if (!('profileDir' in command)) return undefined;
  let dir: string;
  if (command.profileDir !== null) dir = userPath(command.profileDir);
  else if (needsKeptProfile(command)) {
    dir = defaultProfile();
    const what =
      command.kind === 'train' ? 'checkpoints and weights' : 'weights';
    io.err(`lab: ${what} are kept in the browser profile ${dir}`);
  } else return undefined;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The command line that continues a run stopped after a checkpoint. */
function resumeCommand(runId: string, command: RunCommand): string {
  const profile =
    'profileDir' in command && command.profileDir !== null
      ? ` --profile ${command.profileDir}`
      : '';
  return `npm run lab -- train --resume ${runId}${profile}`;
}

/**
 * A throwaway Chromium profile on disk. Imports need one: off the record,
 * Chromium keeps IndexedDB in memory, so the browser would hold every
 * image stored.
 */
async function tempProfile(cleanup: Cleanup): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-profile-'));
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The bench's source: the given path, or a synthetic set written now. */
async function benchImportSource(
  command: BenchImportCommand,
  io: Io,
  cleanup: Cleanup,
): Promise<string> {
  if (command.synthetic === null) return userPath(command.path as string);
  const dir = await mkdtemp(join(tmpdir(), 'lab-bench-import-'));
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  const n = command.synthetic;
  io.out(`writing ${n} synthetic JPEGs with boxes (devkit layout) to ${dir}`);
  return writeSyntheticDevkit(dir, n, (done) =>
    io.status(`writing synthetic images: ${done}/${n}`),
  );
}

async function writeText(path: string, text: string): Promise<string> {
  const target = userPath(path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
  return target;
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
    writeJson: (path, value) =>
      writeText(path, `${JSON.stringify(value, null, 2)}\n`),
    writeText,
  };
}
