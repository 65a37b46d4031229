// Parameter groups with their own weight decay, as the classification
// reference's set_weight_decay (references/classification/utils.py) builds
// them from `--weight-decay`, `--norm-weight-decay` and
// `--bias-weight-decay`. Its rules, in order of precedence:
//   1. with a bias decay, every parameter whose own name is `bias` goes to
//      the "bias" group, normalization layers' biases included;
//   2. with a norm decay, the other parameters of normalization layers go
//      to the "norm" group;
//   3. everything else goes to "other" with `--weight-decay`.
// Groups come in the order other, norm, bias; empty ones are left out.
import type * as tf from '@tensorflow/tfjs';
import type { ModelVariables } from '../state-dict';
import type { ParamGroup } from './sgd';

export interface WeightDecayParams {
  weightDecay: number;
  /** null: normalization parameters decay like the rest. */
  normWeightDecay: number | null;
  /** null: biases decay like the layer they belong to. */
  biasWeightDecay: number | null;
}

/** A trainable variable with its state-dict name (`layer1.0.bn1.bias`). */
export interface NamedParam {
  name: string;
  variable: tf.Variable;
  /** Whether it belongs to a normalization layer (BatchNorm etc.). */
  isNorm: boolean;
}

export type ParamGroupKey = 'other' | 'norm' | 'bias';

export interface NamedParamGroup extends ParamGroup {
  key: ParamGroupKey;
  /** State-dict names of `variables`, in the same order. */
  names: string[];
}

function groupKey(p: NamedParam, decay: WeightDecayParams): ParamGroupKey {
  const ownName = p.name.slice(p.name.lastIndexOf('.') + 1);
  if (decay.biasWeightDecay !== null && ownName === 'bias') return 'bias';
  if (decay.normWeightDecay !== null && p.isNorm) return 'norm';
  return 'other';
}

/** Splits `params` (in model order) into the reference's groups. */
export function setWeightDecay(
  params: readonly NamedParam[],
  decay: WeightDecayParams,
): NamedParamGroup[] {
  const decays: Record<ParamGroupKey, number | null> = {
    other: decay.weightDecay,
    norm: decay.normWeightDecay,
    bias: decay.biasWeightDecay,
  };
  const groups: NamedParamGroup[] = [];
  for (const key of ['other', 'norm', 'bias'] as const) {
    const members = params.filter((p) => groupKey(p, decay) === key);
    if (members.length === 0) continue;
    groups.push({
      key,
      weightDecay: decays[key]!,
      variables: members.map((p) => p.variable),
      names: members.map((p) => p.name),
    });
  }
  return groups;
}

/**
 * A network's trainable variables in model order, BN layers marked by
 * their kind (a MobileNet's squeeze-excitation biases are conv biases, not
 * norm parameters, as torchvision classifies them).
 */
export function modelNamedParams(model: ModelVariables): NamedParam[] {
  return model.graph.params.map((spec) => {
    const variable = model.params.get(spec.name);
    if (!variable) throw new Error(`model has no variable "${spec.name}"`);
    const isNorm = spec.kind === 'bn-weight' || spec.kind === 'bn-bias';
    return { name: spec.name, variable, isNorm };
  });
}
