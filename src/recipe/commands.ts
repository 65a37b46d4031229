// A recipe as the command that trains it outside the browser: torchvision's
// classification reference (`torchrun ... train.py`) and timm's train.py.
// Pure. Each tool has one table keyed by every option of the recipe
// (commands/torchvision.ts, commands/timm.ts), so the compiler refuses a
// new option that neither becomes flags nor a note: an option the tool
// cannot express is said under the command, never dropped.
import type { Recipe } from './recipe';
import {
  both,
  dataPath,
  NONE,
  type CommandTable,
  type CommandTarget,
  type Mapped,
} from './commands/mapped';
import { timmTable } from './commands/timm';
import { torchvisionTable } from './commands/torchvision';

export type { CommandTarget } from './commands/mapped';

export interface Command {
  /** The program and its leading arguments, e.g. torchrun and train.py. */
  program: string[];
  args: string[];
  /** What the command does differently from the lab, one line each. */
  notes: string[];
}

function checkTarget(t: CommandTarget): void {
  if (!Number.isInteger(t.gpus) || t.gpus < 1) {
    throw new RangeError(`gpus: expected a whole number >= 1, got ${t.gpus}`);
  }
}

/** Every option's flags and notes, in the table's order. */
function build(
  table: CommandTable,
  r: Readonly<Recipe>,
  t: CommandTarget,
): Mapped {
  checkTarget(t);
  const keys = Object.keys(table) as (keyof Recipe)[];
  return keys.reduce((all, key) => both(all, table[key](r, t)), NONE);
}

/** `torchrun --nproc_per_node=N train.py ...` of torchvision's reference. */
export function torchvisionCommand(
  r: Readonly<Recipe>,
  t: CommandTarget,
): Command {
  const { args, notes } = build(torchvisionTable, r, t);
  const program = ['torchrun', `--nproc_per_node=${t.gpus}`, 'train.py'];
  return { program, args: ['--data-path', dataPath(t), ...args], notes };
}

/** timm's train.py, started by torchrun for more than one GPU. */
export function timmCommand(r: Readonly<Recipe>, t: CommandTarget): Command {
  const { args, notes } = build(timmTable, r, t);
  const program =
    t.gpus === 1
      ? ['python', 'train.py']
      : ['torchrun', `--nproc_per_node=${t.gpus}`, 'train.py'];
  return { program, args: ['--data-dir', dataPath(t), ...args], notes };
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command as one shell line, a flag with its values on each line
 * after the program, joined with backslashes.
 */
export function commandText(command: Command): string {
  const lines = [command.program.map(shellQuote).join(' ')];
  let line: string[] = [];
  for (const arg of command.args) {
    if (arg.startsWith('-') && line.length > 0) {
      lines.push(line.join(' '));
      line = [];
    }
    line.push(shellQuote(arg));
  }
  if (line.length > 0) lines.push(line.join(' '));
  return lines.join(' \\\n  ');
}
