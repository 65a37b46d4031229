// The learning rate of torchvision's classification reference
// (references/classification/train.py): a main scheduler (StepLR,
// CosineAnnealingLR with T_max = epochs - warmup epochs, ExponentialLR),
// preceded when lr-warmup-epochs > 0 by LinearLR or ConstantLR, the two
// chained by SequentialLR with its milestone at the warmup epochs. The
// reference steps the chain once per epoch, so the LR is constant within an
// epoch; at the milestone the main scheduler starts from its epoch 0.
//
// Per-step mode is the same chain stepped every iteration, with every length
// counted in iterations: warmup W * N, StepLR step size s * N, T_max
// (epochs - W) * N, ExponentialLR gamma^(1/N) per iteration, N the steps per
// epoch. That is the per-epoch curve evaluated at the fractional epoch
// epoch + step / N, with StepLR still dropping at whole multiples of s.
// The lab defines the LR in closed form; torch's schedulers compute the same
// values recursively (tests/reference/make_recipe_expected.py).
//
// 'none' is the lab's own: the reference always has a main scheduler, but
// the study's baseline trains at a constant LR (its ladder adds StepLR in
// a later rung), so after any warmup 'none' holds the LR at `lr`.

export type LrSchedulerName =
  'steplr' | 'cosineannealinglr' | 'exponentiallr' | 'none';
export type LrWarmupMethod = 'linear' | 'constant';

export const LR_SCHEDULERS: readonly LrSchedulerName[] = [
  'steplr',
  'cosineannealinglr',
  'exponentiallr',
  'none',
];
export const LR_WARMUP_METHODS: readonly LrWarmupMethod[] = [
  'linear',
  'constant',
];

/** The reference's flags, camel-cased (`--lr-step-size` is lrStepSize). */
export interface LrScheduleParams {
  lr: number;
  epochs: number;
  lrScheduler: LrSchedulerName;
  /** StepLR: epochs between drops. */
  lrStepSize: number;
  /** StepLR and ExponentialLR: the factor of a drop or of an epoch. */
  lrGamma: number;
  /** CosineAnnealingLR's eta_min. */
  lrMin: number;
  lrWarmupEpochs: number;
  lrWarmupMethod: LrWarmupMethod;
  /** LinearLR's start_factor, ConstantLR's factor. */
  lrWarmupDecay: number;
}

/** Where training stands; `step` counts from 0 within the epoch. */
export interface SchedulePosition {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
}

/**
 * Rejects values the reference would reject or divide by zero with;
 * messages name the flag, what it allows and what came.
 */
export function validateLrSchedule(p: LrScheduleParams): void {
  const fail = (flag: string, allowed: string, got: unknown) => {
    throw new Error(`--${flag}: expected ${allowed}, got ${String(got)}`);
  };
  if (!LR_SCHEDULERS.includes(p.lrScheduler)) {
    fail('lr-scheduler', `one of ${LR_SCHEDULERS.join(', ')}`, p.lrScheduler);
  }
  if (!LR_WARMUP_METHODS.includes(p.lrWarmupMethod)) {
    const allowed = `one of ${LR_WARMUP_METHODS.join(', ')}`;
    fail('lr-warmup-method', allowed, p.lrWarmupMethod);
  }
  if (!(p.lr > 0)) fail('lr', 'a number > 0', p.lr);
  if (!Number.isInteger(p.epochs) || p.epochs < 1) {
    fail('epochs', 'a whole number >= 1', p.epochs);
  }
  if (!Number.isInteger(p.lrWarmupEpochs) || p.lrWarmupEpochs < 0) {
    fail('lr-warmup-epochs', 'a whole number >= 0', p.lrWarmupEpochs);
  }
  if (!Number.isInteger(p.lrStepSize) || p.lrStepSize < 1) {
    fail('lr-step-size', 'a whole number >= 1', p.lrStepSize);
  }
  if (!(p.lrGamma > 0)) fail('lr-gamma', 'a number > 0', p.lrGamma);
  if (!(p.lrMin >= 0)) fail('lr-min', 'a number >= 0', p.lrMin);
  if (!(p.lrWarmupDecay > 0 && p.lrWarmupDecay <= 1)) {
    fail('lr-warmup-decay', 'a number in (0, 1]', p.lrWarmupDecay);
  }
  if (p.lrScheduler === 'cosineannealinglr' && p.lrWarmupEpochs >= p.epochs) {
    const allowed = `fewer than --epochs (${p.epochs}) with cosineannealinglr`;
    fail('lr-warmup-epochs', allowed, p.lrWarmupEpochs);
  }
}

/** LR of the main scheduler `t` epochs (possibly fractional) after warmup. */
function mainLr(p: LrScheduleParams, t: number): number {
  switch (p.lrScheduler) {
    case 'none':
      return p.lr;
    case 'steplr':
      return p.lr * Math.pow(p.lrGamma, Math.floor(t / p.lrStepSize));
    case 'exponentiallr':
      return p.lr * Math.pow(p.lrGamma, t);
    case 'cosineannealinglr': {
      const tMax = p.epochs - p.lrWarmupEpochs;
      const cos = Math.cos((Math.PI * t) / tMax);
      return p.lrMin + ((p.lr - p.lrMin) * (1 + cos)) / 2;
    }
  }
}

/** LR at a fractional epoch `e` of the chain (warmup, then main). */
export function lrAtEpoch(p: LrScheduleParams, e: number): number {
  const warmup = p.lrWarmupEpochs;
  if (e >= warmup) return mainLr(p, e - warmup);
  if (p.lrWarmupMethod === 'constant') return p.lr * p.lrWarmupDecay;
  const start = p.lrWarmupDecay;
  return p.lr * (start + ((1 - start) * e) / warmup);
}

/**
 * The LR to train with at `at`: the reference's per-epoch value, or with
 * `perStep` the chain stepped every iteration (see the header).
 */
export function learningRate(
  p: LrScheduleParams,
  at: SchedulePosition,
  perStep = false,
): number {
  if (!perStep) return lrAtEpoch(p, at.epoch);
  return lrAtEpoch(p, at.epoch + at.step / at.stepsPerEpoch);
}
