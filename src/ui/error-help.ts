// What each error code means for the person at the screen, and what they
// can do about it. Keyed by the codes of TrainerError (protocol.ts) and of
// the data layer's errors (data/errors.ts). Pure.
import { formatBytes } from './format';
import type { AppError } from './run-events';

export interface ErrorHelp {
  title: string;
  /** Sentences, each a paragraph on screen. */
  lines: string[];
  /** Which action a Retry button repeats, if one helps. */
  retry: 'import' | null;
}

export interface ImportProgress {
  imagesDone: number;
  imagesTotal: number;
}

const count = (n: number) => n.toLocaleString('en-US');

const KEPT =
  'Nothing already stored is lost: the images saved so far stay in this ' +
  "browser's storage, and the import continues where it stopped the next " +
  'time the page opens, or now with Retry.';

function quotaHelp(error: AppError, progress: ImportProgress): ErrorHelp {
  const lines = [
    "The demo import stopped because this browser's storage for the page " +
      'is full.',
  ];
  if (error.neededBytes !== undefined) {
    lines.push(
      `About ${formatBytes(error.neededBytes)} more is needed to store the ` +
        `remaining ${count(progress.imagesTotal - progress.imagesDone)} ` +
        'images.',
    );
  }
  if (error.storage) {
    lines.push(
      `In use: ${formatBytes(error.storage.usageBytes)} of the ` +
        `${formatBytes(error.storage.quotaBytes)} the browser allows.`,
    );
  }
  lines.push(
    'Free disk space, or remove stored data of other sites in the ' +
      "browser's settings; private windows allow far less storage.",
    KEPT,
  );
  return { title: 'Storage is full', lines, retry: 'import' };
}

function trainerHelp(code: string): Omit<ErrorHelp, 'retry'> | null {
  switch (code) {
    case 'backend':
      return {
        title: 'No training backend could start',
        lines: [
          'Neither WebGPU nor a fallback backend could be set up in the ' +
            'training worker.',
          'Use a recent Chrome or Edge with hardware acceleration on; on ' +
            'Linux, Chrome may need the --enable-unsafe-webgpu flag.',
        ],
      };
    case 'device-limit':
      return {
        title: 'The run needs more than this GPU allows',
        lines: [
          'A tensor of this run would be larger than the largest buffer ' +
            'the GPU accepts, and WebGPU would compute garbage instead of ' +
            'failing, so the run was refused.',
          'Lower the batch size, the image size or the width, and train ' +
            'again.',
        ],
      };
    case 'device-lost':
      return {
        title: 'The GPU was lost',
        lines: [
          'The browser took the GPU device away from the training worker ' +
            '(a driver reset, memory pressure, or another tab).',
          'The run stopped; the stored dataset is intact. Train again; if ' +
            'it happens again, lower the batch size or the width.',
        ],
      };
    case 'storage':
      return {
        title: 'The dataset could not be read',
        lines: [
          "The training worker could not read the images from this browser's " +
            'storage (IndexedDB). Nothing stored was changed.',
          'Train again; if it keeps failing, reload the page.',
        ],
      };
    case 'no-dataset':
      return {
        title: 'The dataset is not stored',
        lines: ['Import the dataset before training on it.'],
      };
    case 'bad-recipe':
      return {
        title: 'The recipe is not valid',
        lines: ['Correct the fields named below and train again.'],
      };
    case 'busy':
      return {
        title: 'A run is already going',
        lines: ['Stop the current run before starting another.'],
      };
    default:
      return null;
  }
}

export function explainError(
  error: AppError,
  progress: ImportProgress,
): ErrorHelp {
  if (error.code === 'quota') return quotaHelp(error, progress);
  if (error.source === 'storage' || error.source === 'dataset') {
    const what =
      error.code === 'network'
        ? 'The demo dataset file could not be downloaded.'
        : error.code === 'format'
          ? 'The demo dataset file is not in the expected format.'
          : "The browser's storage (IndexedDB) refused a read or a write.";
    return {
      title: 'The demo import stopped',
      lines: [what, KEPT],
      retry: 'import',
    };
  }
  const help = trainerHelp(error.code);
  // A dataset that is missing or half-imported is the demo's to resume.
  if (help)
    return { ...help, retry: error.code === 'no-dataset' ? 'import' : null };
  return {
    title: 'Training failed',
    lines: ['An unexpected error stopped the training worker.'],
    retry: null,
  };
}
