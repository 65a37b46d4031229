// Rules across options, checked once every value is in its own range. Each
// rule names the option at fault: the one a URL decoder puts back to keep
// the rest of a recipe it was given.
import {
  DEFAULT_RECIPE,
  formatValue,
  type Namer,
  type Recipe,
  type RecipeValue,
} from './recipe';

export interface CrossProblem {
  key: keyof Recipe;
  /** What was expected and what came, without the option's own name. */
  message: string;
}

interface CrossRule {
  key: keyof Recipe;
  check(r: Recipe, name: Namer): string | null;
}

const show = (value: RecipeValue) => formatValue(value);

/**
 * An option that has no effect unless `holds`: it must keep its default
 * otherwise, so that a recipe (and its URL) never carries a setting that
 * does nothing, as the reference would silently let it.
 */
function onlyWith(
  key: keyof Recipe,
  condition: keyof Recipe,
  wanted: string,
  holds: (r: Recipe) => boolean,
): CrossRule {
  return {
    key,
    check: (r, name) => {
      if (r[key] === DEFAULT_RECIPE[key] || holds(r)) return null;
      return (
        `only used with ${name(condition)} ${wanted}; expected the ` +
        `default ${show(DEFAULT_RECIPE[key])} with ${name(condition)} ` +
        `${show(r[condition])}, got ${show(r[key])}`
      );
    },
  };
}

const valCrop = (r: Recipe) => r.valCropSize ?? r.imageSize;

const RULES: readonly CrossRule[] = [
  onlyWith('lrStepSize', 'lrScheduler', 'steplr', (r) => {
    return r.lrScheduler === 'steplr';
  }),
  onlyWith('lrGamma', 'lrScheduler', 'steplr or exponentiallr', (r) => {
    return r.lrScheduler === 'steplr' || r.lrScheduler === 'exponentiallr';
  }),
  onlyWith('lrMin', 'lrScheduler', 'cosineannealinglr', (r) => {
    return r.lrScheduler === 'cosineannealinglr';
  }),
  onlyWith('lrWarmupMethod', 'lrWarmupEpochs', 'above 0', (r) => {
    return r.lrWarmupEpochs > 0;
  }),
  onlyWith('lrWarmupDecay', 'lrWarmupEpochs', 'above 0', (r) => {
    return r.lrWarmupEpochs > 0;
  }),
  onlyWith('raMagnitude', 'autoAugment', 'ra', (r) => r.autoAugment === 'ra'),
  onlyWith('modelEmaSteps', 'modelEma', 'true', (r) => r.modelEma),
  onlyWith('modelEmaDecay', 'modelEma', 'true', (r) => r.modelEma),
  onlyWith('weights', 'pretrained', 'true', (r) => r.pretrained),
  onlyWith('patienceOn', 'patience', 'above 0', (r) => r.patience > 0),
  onlyWith('momentum', 'opt', 'sgd, sgd-nesterov or rmsprop', (r) => {
    return r.opt !== 'adamw';
  }),
  {
    key: 'patienceOn',
    check: (r, name) =>
      r.patienceOn === 'ema' && !r.modelEma
        ? `watching the EMA needs ${name('modelEma')} true; expected ` +
          `model with ${name('modelEma')} false, got ema`
        : null,
  },
  {
    // torch.optim.SGD refuses Nesterov without momentum.
    key: 'momentum',
    check: (r, name) =>
      r.opt === 'sgd-nesterov' && r.momentum === 0
        ? `expected above 0 with ${name('opt')} sgd-nesterov, got 0`
        : null,
  },
  {
    key: 'microBatchSize',
    check: (r, name) => {
      const micro = r.microBatchSize;
      if (micro === null || r.batchSize % micro === 0) return null;
      return (
        `expected a divisor of ${name('batchSize')} (${r.batchSize}), ` +
        `got ${micro}`
      );
    },
  },
  {
    // CenterCrop pads an image smaller than the crop; no recipe wants that.
    key: 'valResizeSize',
    check: (r, name) => {
      if (r.valResizeSize === null || r.valResizeSize >= valCrop(r)) {
        return null;
      }
      const crop = name(r.valCropSize === null ? 'imageSize' : 'valCropSize');
      return (
        `expected at least the val crop (${crop}, ${valCrop(r)}), ` +
        `got ${r.valResizeSize}`
      );
    },
  },
  {
    // CosineAnnealingLR's T_max is epochs - warmup epochs; 0 divides by 0.
    key: 'lrWarmupEpochs',
    check: (r, name) =>
      r.lrScheduler === 'cosineannealinglr' && r.lrWarmupEpochs >= r.epochs
        ? `expected fewer than ${name('epochs')} (${r.epochs}) with ` +
          `${name('lrScheduler')} cosineannealinglr, got ${r.lrWarmupEpochs}`
        : null,
  },
];

/** Every rule `recipe` breaks, in the order of the table above. */
export function crossProblems(recipe: Recipe, name: Namer): CrossProblem[] {
  const problems: CrossProblem[] = [];
  for (const rule of RULES) {
    const message = rule.check(recipe, name);
    if (message !== null) problems.push({ key: rule.key, message });
  }
  return problems;
}
