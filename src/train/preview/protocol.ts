// Messages between the app (client.ts) and the preview Worker (worker.ts).
// One request at a time; each answer names the request it answers.
import type { Recipe } from '../../recipe/recipe';
import type { TrainerErrorInfo } from '../protocol';
import type { AugmentPreview } from './preview';

export interface PreviewRequest {
  type: 'preview';
  id: number;
  dataset: string;
  recipe: Recipe;
  /** Picks the images and every augmentation draw. */
  seed: number;
  numImages: number;
}

export type PreviewEvent =
  | { type: 'preview-done'; id: number; preview: AugmentPreview }
  | { type: 'preview-error'; id: number; error: TrainerErrorInfo };
