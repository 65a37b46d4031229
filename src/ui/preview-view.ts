// What the augmentation preview says, as pure functions of its state, so
// Node tests can read them without a page.
import type { PreviewImage } from '../train/preview/preview';
import type { PreviewState } from './preview-store';

const PAUSED =
  'Paused while a run uses the GPU: the preview has let go of it, so the ' +
  'run has it alone. It draws again when the run is over.';

/** One line under the preview's title. */
export function previewStatusText(
  state: Pick<
    PreviewState,
    'status' | 'wanted' | 'drawnFor' | 'failure' | 'preview'
  >,
): string {
  const dataset = state.wanted?.dataset ?? 'the dataset';
  switch (state.status) {
    case 'no-dataset':
      return (
        `No dataset “${dataset}” is stored yet; the preview draws its ` +
        'training images once it is.'
      );
    case 'bad-recipe':
      return 'Correct the recipe fields marked above to draw the preview.';
    case 'paused':
      return PAUSED;
    case 'drawing':
      return 'Drawing in the preview’s Worker…';
    case 'failed':
      return `The preview failed: ${state.failure ?? 'unknown error'}`;
    case 'ready': {
      const drawn = state.drawnFor;
      const count = state.preview?.images.length ?? 0;
      if (!drawn) return '';
      return (
        `${count} training images of “${drawn.dataset}” as the network ` +
        `gets them at ${drawn.transform.imageSize} px, draw ${drawn.seed}. ` +
        'Point at one for what was drawn.'
      );
    }
  }
}

/** An image's tooltip: its class and place, then what was done to it. */
export function previewImageTitle(
  image: PreviewImage,
  position: number,
  classNames: readonly string[] | undefined,
): string {
  const name = classNames?.[image.label] ?? `class ${image.label}`;
  const head = `${position + 1}. ${name} (training image ${image.index})`;
  return [head, ...image.notes].join('\n');
}
