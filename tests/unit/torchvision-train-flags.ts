// The options of torchvision's references/classification/train.py, from
// its get_args_parser() on pytorch/vision's main branch (the list as it
// stands since --use-v2 was added for torchvision 0.16). The repository's
// snapshot was too large to fetch into this workspace, so the list was
// read from a stored copy of that file and its commit is not pinned; the
// older pytorch/vision commit 017e9b99b5daddec3d82d5b05fe26f6834c48fa9
// has the same names less the later --bias-weight-decay,
// --transformer-embedding-decay, --lr-min, --ra-magnitude,
// --augmix-severity, --ra-sampler, --ra-reps, --backend and --use-v2 (and
// still --pretrained, since removed).

/** Options that take a value, each with its aliases. */
export const TRAIN_PY_VALUE_FLAGS: readonly (readonly string[])[] = [
  ['--data-path'],
  ['--model'],
  ['--device'],
  ['-b', '--batch-size'],
  ['--epochs'],
  ['-j', '--workers'],
  ['--opt'],
  ['--lr'],
  ['--momentum'],
  ['--wd', '--weight-decay'],
  ['--norm-weight-decay'],
  ['--bias-weight-decay'],
  ['--transformer-embedding-decay'],
  ['--label-smoothing'],
  ['--mixup-alpha'],
  ['--cutmix-alpha'],
  ['--lr-scheduler'],
  ['--lr-warmup-epochs'],
  ['--lr-warmup-method'],
  ['--lr-warmup-decay'],
  ['--lr-step-size'],
  ['--lr-gamma'],
  ['--lr-min'],
  ['--print-freq'],
  ['--output-dir'],
  ['--resume'],
  ['--start-epoch'],
  ['--auto-augment'],
  ['--ra-magnitude'],
  ['--augmix-severity'],
  ['--random-erase'],
  ['--world-size'],
  ['--dist-url'],
  ['--model-ema-steps'],
  ['--model-ema-decay'],
  ['--interpolation'],
  ['--val-resize-size'],
  ['--val-crop-size'],
  ['--train-crop-size'],
  ['--clip-grad-norm'],
  ['--ra-reps'],
  ['--weights'],
  ['--backend'],
];

/** Options that are switches (store_true). */
export const TRAIN_PY_SWITCHES: readonly string[] = [
  '--cache-dataset',
  '--sync-bn',
  '--test-only',
  '--amp',
  '--model-ema',
  '--use-deterministic-algorithms',
  '--ra-sampler',
  '--use-v2',
];

/** Value options whose argparse type is int. */
export const TRAIN_PY_INT_FLAGS: readonly string[] = [
  '--batch-size',
  '--epochs',
  '--workers',
  '--lr-warmup-epochs',
  '--lr-step-size',
  '--print-freq',
  '--start-epoch',
  '--ra-magnitude',
  '--augmix-severity',
  '--world-size',
  '--model-ema-steps',
  '--val-resize-size',
  '--val-crop-size',
  '--train-crop-size',
  '--ra-reps',
];
