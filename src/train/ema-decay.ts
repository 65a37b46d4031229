// The pure arithmetic of the reference's `--model-ema` (train.py), apart
// from the averaging itself (ema.ts) so that code without tfjs (the recipe,
// the CLI) can show users the decay an average really gets.

/** The reference's flags, camel-cased. */
export interface ModelEmaParams {
  modelEmaDecay: number;
  modelEmaSteps: number;
  batchSize: number;
  epochs: number;
  /** Processes in data-parallel training; 1 in the browser. */
  worldSize?: number;
}

/**
 * The per-update decay train.py gives the average:
 * adjust = worldSize * batchSize * modelEmaSteps / epochs,
 * alpha = min(1, (1 - modelEmaDecay) * adjust), decay = 1 - alpha.
 */
export function effectiveEmaDecay(p: ModelEmaParams): number {
  const adjust =
    ((p.worldSize ?? 1) * p.batchSize * p.modelEmaSteps) / p.epochs;
  return 1 - Math.min(1, (1 - p.modelEmaDecay) * adjust);
}

/** Whether the reference updates the average after this step. */
export function isEmaUpdateStep(
  stepInEpoch: number,
  modelEmaSteps: number,
): boolean {
  return stepInEpoch % modelEmaSteps === 0;
}
