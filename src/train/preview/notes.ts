// What a training batch's draws did to each image, in words, for the
// augmentation preview's tooltips. Pure: it reads the draws that
// train-batch.ts applies and nothing else.
import type { OpDraw } from '../augment/autoaugment';
import type { TrainAugmentDraws } from '../augment/pipeline';
import type { EraseRect } from '../erase';
import { cutmixBox, type MixDraw } from '../mix';
import type { TrainBatchDraws } from '../train-batch';

/** Three significant digits, without trailing zeros. */
const num = (v: number) => String(Number(v.toPrecision(3)));

const box = (b: { top: number; left: number; height: number; width: number }) =>
  `${b.width}x${b.height} at (${b.left}, ${b.top})`;

/** Each policy op's magnitude in its own unit (see opToPixelOp). */
const OP_UNITS: Partial<Record<OpDraw['op'], string>> = {
  TranslateX: ' px',
  TranslateY: ' px',
  Rotate: '°',
  Posterize: ' bits',
};
const UNSIZED = new Set(['Identity', 'AutoContrast', 'Equalize', 'Invert']);

export function describeOp(draw: OpDraw): string {
  if (UNSIZED.has(draw.op)) return draw.op;
  const m = draw.op.startsWith('Translate')
    ? Math.trunc(draw.magnitude)
    : draw.magnitude;
  return `${draw.op} ${num(m)}${OP_UNITS[draw.op] ?? ''}`;
}

function augmentNotes(draws: TrainAugmentDraws, i: number): string[] {
  const { boxes, flips, jitter, lighting } = draws.crop;
  const notes = [`crop ${box(boxes[i]!)}${flips[i] ? ', flipped' : ''}`];
  if (jitter) {
    const parts = jitter[i]!.map((j) => `${j.name} x${num(j.factor)}`);
    notes.push(`jitter: ${parts.join(', ')}`);
  }
  if (lighting) notes.push(`lighting ${lighting[i]!.map(num).join(', ')}`);
  const ops = draws.policy.map((step) => describeOp(step[i]!));
  if (ops.length > 0) notes.push(`policy: ${ops.join(', ')}`);
  return notes;
}

function eraseNote(rect: EraseRect | null): string {
  return rect ? `erased ${box(rect)}` : 'not erased';
}

/** Tile numbers count from 1; image i's partner is image i - 1. */
function mixNote(mix: MixDraw, i: number, n: number, size: number): string {
  const partner = ((i - 1 + n) % n) + 1;
  if (mix.kind === 'mixup') {
    const rest = num(1 - mix.lambda);
    return `MixUp: ${num(mix.lambda)} of this, ${rest} of image ${partner}`;
  }
  const b = cutmixBox(mix, size, size);
  const cut = {
    top: b.y1,
    left: b.x1,
    height: b.y2 - b.y1,
    width: b.x2 - b.x1,
  };
  return (
    `CutMix: ${box(cut)} from image ${partner}, ` +
    `label weight ${num(b.lambda)}`
  );
}

/**
 * One list of notes per image of a batch of `numSamples`, in the order
 * the steps ran. `stored` and `imageSize` name the plain resize that
 * stands in for the crop when no policy is chosen.
 */
export function describeTrainDraws(
  draws: TrainBatchDraws,
  numSamples: number,
  stored: { height: number; width: number },
  imageSize: number,
): string[][] {
  const resized =
    stored.height === imageSize && stored.width === imageSize
      ? `stored ${imageSize} px image, no crop or flip`
      : `resized ${stored.width}x${stored.height} to ${imageSize} px, ` +
        'no crop or flip';
  return Array.from({ length: numSamples }, (_, i) => {
    const notes = draws.augment ? augmentNotes(draws.augment, i) : [resized];
    if (draws.erase) notes.push(eraseNote(draws.erase[i] ?? null));
    if (draws.mix) notes.push(mixNote(draws.mix, i, numSamples, imageSize));
    return notes;
  });
}
