// Help text, written from the flag tables so that it cannot fall behind
// what the parser accepts.
import { FLAGS, type FlagSpec, type Topic } from './flags';

const WIDTH = 80;
const FLAG_COLUMN = 22;

const SUMMARY: Record<Topic, string> = {
  train:
    'Trains one recipe on a dataset in the built app: one line when the ' +
    'backend is known, one per epoch, and a final line.',
  bench:
    'Times training steps of one model twice, bare and through the lab, ' +
    'and counts GPU readbacks and live tensors.',
  import:
    'Imports a dataset into the built app from PATH: a folder, a .zip, ' +
    'a .tgz or .tar.gz, or a .parquet file, handed to the page as a user ' +
    'picks it. Prints what was recognised, progress lines and a summary.',
  'bench-import':
    'In one browser, decodes, crops and resizes the images of PATH (or of ' +
    'a generated set) without storing them, imports them, and decodes ' +
    'them again; reports the import rate against the faster decode-only ' +
    "rate, their ratio, and the browser's peak memory (RSS of its " +
    'processes, sampled with ps).',
  ladder:
    'Trains the base recipe, then each step of --steps added to the ' +
    'accepted steps before it (a --reject step as a branch that is not ' +
    'kept), every rung with --seeds seeds; prints a line per epoch and ' +
    'the table of mean and spread of best val top-1 per rung, its gain ' +
    'over the rung below and over the base; --json also writes a CSV ' +
    'beside it. Recipe flags hold on every rung.',
  recipe:
    'Prints the recipe that QUERY describes (a URL query such as ' +
    '"lr=0.4&auto-augment=ta_wide", or a whole URL; several words are ' +
    'joined with &) as JSON, whole, with its canonical query. Keys are ' +
    'the train flags without dashes. Each bad key or value is named on ' +
    'stderr with what was used instead, and the exit code is then 2.',
  convert:
    'Loads a safetensors file with torchvision state-dict names (a ResNet, ' +
    "timm's ResNets too, or mobilenet_v3_large) into the lab's model in " +
    "the built app, checking every tensor's name and shape, and writes it " +
    'to --out in each --format with a model-card.json. A file whose head ' +
    'has another number of classes gets a fresh head for --classes, and ' +
    'the command says so.',
  predict:
    'Runs a safetensors file on every image of a folder in the built app ' +
    '(eval mode) and writes, per image, its logits and top-5 classes with ' +
    'their probabilities. The class count and input channels are read ' +
    'from the file, the width from the model card beside it or the file.',
  weights:
    '"add FILE|URL" stores a safetensors file, or the file at a web ' +
    "address, in the app's weights cache (IndexedDB, as the Weights panel " +
    'does), checking that it is safetensors and describing it; "list" ' +
    'prints what the cache holds. A run starts from an entry with ' +
    '`train --pretrained true --weights ID` and the same --profile.',
};

const EXAMPLE: Record<Topic, string> = {
  train:
    'npm run lab -- train --model resnet18 --width 0.25 --epochs 3 ' +
    '--json out.json',
  bench: 'npm run lab -- bench --json bench.json',
  import:
    'npm run lab -- import ~/cars.zip --name cars --profile ~/lab ' +
    '--json r.json',
  'bench-import': 'npm run lab -- bench-import --synthetic 400',
  ladder:
    'npm run lab -- ladder --steps lr-optimizations,trivial-augment ' +
    '--width 0.125 --epochs 2 --limit 320 --json ladder.json',
  recipe: 'npm run lab -- recipe --preset blog-cosine "lr=0.2&epochs=30"',
  convert:
    'npm run lab -- convert --in model.safetensors --model resnet50 ' +
    '--classes 196 --out cars-start',
  predict:
    'npm run lab -- predict --weights out/model.safetensors --model ' +
    'resnet18 --images photos --json predictions.json',
  weights: 'npm run lab -- weights add resnet18.safetensors --id r18',
};

/** What follows the command's name in its usage line, if not just flags. */
const ARGUMENTS: Partial<Record<Topic, string>> = {
  import: 'PATH [flags]',
  'bench-import': 'PATH | --synthetic N [flags]',
  recipe: '[QUERY] [flags]',
  weights: 'add FILE|URL [flags] | list [flags]',
};

export function usage(topic: Topic | null): string {
  return topic ? commandUsage(topic) : overview();
}

function overview(): string {
  return [
    'Usage: npm run lab -- <command> [flags]',
    '',
    ...wrap(
      'Drives the built app (dist/, built first if missing) in headless ' +
        'Chromium on WebGPU. Nothing is trained in Node.',
      0,
    ),
    '',
    'Commands:',
    '  train   train a recipe; prints progress per epoch, writes a report',
    '  bench   time training steps, bare and through the lab',
    '  import  import a folder, archive or parquet file as a dataset',
    '  bench-import',
    '          time an import against decoding alone; peak memory',
    '  ladder  train cumulative recipes, step by step, over seeds',
    '  recipe  print the recipe of a URL query, or of a preset, as JSON',
    '  convert load a safetensors ResNet or MobileNet, write other formats',
    '  predict run a safetensors ResNet or MobileNet on a folder of images',
    '',
    'Run `npm run lab -- <command> --help` for its flags.',
    'Exit codes: 0 done, 1 the run failed, 2 bad command line or no Chromium.',
    "Chromium: $CHROME_PATH, else /usr/bin/chromium, else Playwright's own.",
  ].join('\n');
}

function commandUsage(topic: Topic): string {
  return [
    `Usage: npm run lab -- ${topic} ${ARGUMENTS[topic] ?? '[flags]'}`,
    '',
    ...wrap(SUMMARY[topic], 0),
    '',
    'Flags (default in brackets):',
    ...FLAGS[topic].flatMap(describeFlag),
    `  ${'--help'.padEnd(FLAG_COLUMN - 2)}show this text`,
    '',
    'Example:',
    `  ${EXAMPLE[topic]}`,
  ].join('\n');
}

function describeFlag(spec: FlagSpec): string[] {
  const head = `  --${spec.name} ${spec.placeholder}`;
  const fallback = spec.fallback === null ? '' : ` [${spec.fallback}]`;
  const lines = wrap(spec.help + fallback, FLAG_COLUMN);
  if (head.length < FLAG_COLUMN) {
    lines[0] = head.padEnd(FLAG_COLUMN) + (lines[0] as string).trimStart();
    return lines;
  }
  return [head, ...lines];
}

/** Wraps words at WIDTH columns, indenting every line by `indent`. */
export function wrap(text: string, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && pad.length + line.length + 1 + word.length > WIDTH) {
      lines.push(pad + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(pad + line);
  return lines;
}
