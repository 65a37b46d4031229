#!/usr/bin/python3
"""Writes the reference outputs for the recipe's training maths (schedules,
optimizers, parameter groups, label smoothing, EMA, MixUp/CutMix, random
erasing), computed with Debian's python3-torch and python3-torchvision.

Run from the repository root:
    /usr/bin/python3 tests/reference/make_recipe_expected.py
It rewrites tests/reference/recipe.json; commit the result.

Where torch or torchvision has the function itself (schedulers, optimizers,
cross_entropy, AveragedModel, F.erase, RandomErasing.get_params) it is called
as is. Three pieces live only in torchvision's references/classification
(not shipped by Debian): set_weight_decay (utils.py), the EMA decay
adjustment (train.py) and RandomMixUp/RandomCutMix (transforms.py). For those
the script restates the reference's rules with torch's own module classes and
tensor ops; each function below says which rule it restates.

Images are written NHWC (the lab's layout), flattened.
"""
import collections
import json
import math
import os

import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms.functional as TF
from torch.optim import lr_scheduler as S
from torchvision.transforms import RandomErasing

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recipe.json")


def flat(t):
    return [round(float(v), 8) for v in t.detach().reshape(-1).tolist()]


# ---------------------------------------------------------------- schedules


def build_scheduler(opt, c, units):
    """train.py's scheduler, with every length in `units` iterations per
    epoch (1 = the reference's per-epoch stepping)."""
    warm = c["lrWarmupEpochs"] * units
    name = c["lrScheduler"]
    if name == "steplr":
        main = S.StepLR(opt, step_size=c["lrStepSize"] * units,
                        gamma=c["lrGamma"])
    elif name == "cosineannealinglr":
        main = S.CosineAnnealingLR(opt, T_max=c["epochs"] * units - warm,
                                   eta_min=c["lrMin"])
    else:
        main = S.ExponentialLR(opt, gamma=c["lrGamma"] ** (1.0 / units))
    if warm == 0:
        return main
    if c["lrWarmupMethod"] == "linear":
        first = S.LinearLR(opt, start_factor=c["lrWarmupDecay"],
                           total_iters=warm)
    else:
        first = S.ConstantLR(opt, factor=c["lrWarmupDecay"], total_iters=warm)
    return S.SequentialLR(opt, schedulers=[first, main], milestones=[warm])


def schedule_case(c, steps_per_epoch=None):
    units = steps_per_epoch or 1
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=c["lr"], momentum=0.9)
    sched = build_scheduler(opt, c, units)
    lrs = []
    for _ in range(c["epochs"] * units):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    out = dict(c)
    if steps_per_epoch:
        out["stepsPerEpoch"] = steps_per_epoch
    out["lrs"] = lrs
    return out


def schedule_cases():
    base = {"lr": 0.5, "epochs": 12, "lrStepSize": 4, "lrGamma": 0.5,
            "lrMin": 0.0, "lrWarmupEpochs": 0, "lrWarmupMethod": "linear",
            "lrWarmupDecay": 0.01}
    cases, per_step = [], []
    for name in ("steplr", "cosineannealinglr", "exponentiallr"):
        for warm, method, decay in ((0, "linear", 0.01), (3, "linear", 0.01),
                                    (3, "constant", 0.1)):
            c = dict(base, lrScheduler=name, lrWarmupEpochs=warm,
                     lrWarmupMethod=method, lrWarmupDecay=decay)
            if name == "exponentiallr":
                c["lrGamma"] = 0.8
            cases.append(schedule_case(c))
            short = dict(c, epochs=6, lrStepSize=2,
                         lrWarmupEpochs=min(warm, 2))
            per_step.append(schedule_case(short, steps_per_epoch=5))
    cases.append(schedule_case(dict(base, lrScheduler="cosineannealinglr",
                                    lrMin=0.02, lrWarmupEpochs=2)))
    return cases, per_step


# --------------------------------------------------------------- optimizers


def optimizer_case(kind, options, lrs):
    """Steps of torch.optim on two parameter groups with their own weight
    decay, the learning rate set before each step as a schedule would."""
    w1 = torch.randn(5, requires_grad=True)
    w2 = torch.randn(2, 3, requires_grad=True)
    start = [flat(w1), flat(w2)]
    decays = [options.pop("weightDecay"), options.pop("otherWeightDecay")]
    groups = [{"params": [w1], "weight_decay": decays[0]},
              {"params": [w2], "weight_decay": decays[1]}]
    cls = {"rmsprop": torch.optim.RMSprop, "adamw": torch.optim.AdamW,
           "adam": torch.optim.Adam}[kind]
    opt = cls(groups, lr=lrs[0], **options)
    grads, after = [], []
    for lr in lrs:
        for g in opt.param_groups:
            g["lr"] = lr
        g1, g2 = torch.randn(5), torch.randn(2, 3)
        w1.grad, w2.grad = g1.clone(), g2.clone()
        opt.step()
        grads.append([flat(g1), flat(g2)])
        after.append([flat(w1), flat(w2)])
    return {"kind": kind, "options": options, "weightDecays": decays,
            "lrs": lrs, "start": start, "grads": grads, "after": after}


def optimizer_cases():
    lrs = [0.1, 0.05, 0.02, 0.01]
    return [
        optimizer_case("rmsprop", {"alpha": 0.9, "eps": 0.0316,
                                   "momentum": 0.9, "weightDecay": 1e-2,
                                   "otherWeightDecay": 0.0}, lrs),
        optimizer_case("rmsprop", {"alpha": 0.9, "eps": 0.0316,
                                   "momentum": 0.0, "weightDecay": 1e-2,
                                   "otherWeightDecay": 0.1}, lrs),
        optimizer_case("adamw", {"betas": [0.9, 0.999], "eps": 1e-8,
                                 "weightDecay": 0.05,
                                 "otherWeightDecay": 0.0}, lrs),
        optimizer_case("adam", {"betas": [0.8, 0.99], "eps": 1e-6,
                                "weightDecay": 1e-2,
                                "otherWeightDecay": 0.0}, lrs),
    ]


# ------------------------------------------------------------ param groups

NORM_CLASSES = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.LayerNorm,
                torch.nn.GroupNorm,
                torch.nn.modules.instancenorm._InstanceNorm,
                torch.nn.LocalResponseNorm)


def set_weight_decay(model, weight_decay, norm_weight_decay, bias_decay):
    """Restates references/classification/utils.py set_weight_decay as
    train.py calls it for a ResNet: groups "other", "norm", then the custom
    key "bias" (matched against a parameter's own name, so it takes the
    biases of normalization layers too); a norm group only when
    norm_weight_decay is given; empty groups dropped."""
    groups = collections.OrderedDict(other=[], norm=[])
    decays = {"other": weight_decay, "norm": norm_weight_decay}
    if bias_decay is not None:
        groups["bias"] = []
        decays["bias"] = bias_decay
    for module_name, module in model.named_modules():
        for name, _ in module.named_parameters(recurse=False):
            full = f"{module_name}.{name}" if module_name else name
            if bias_decay is not None and name == "bias":
                groups["bias"].append(full)
            elif norm_weight_decay is not None and isinstance(
                    module, NORM_CLASSES):
                groups["norm"].append(full)
            else:
                groups["other"].append(full)
    return [{"weightDecay": decays[k], "names": v}
            for k, v in groups.items() if v]


def param_group_cases():
    options = [(1e-4, None, None), (1e-4, 0.0, None), (2e-5, 0.0, 1e-3),
               (1e-4, None, 0.0)]
    cases = []
    for arch in ("resnet18", "resnet50"):
        model = getattr(torchvision.models, arch)(num_classes=10)
        # torchvision's own split must agree with the norm rule above.
        norm, _ = torchvision.ops._utils.split_normalization_params(model)
        restated = set_weight_decay(model, 1e-4, 0.0, None)[1]["names"]
        by_id = {id(p): n for n, p in model.named_parameters()}
        assert [by_id[id(p)] for p in norm] == restated
        for wd, norm_wd, bias_wd in options:
            cases.append({"model": arch, "weightDecay": wd,
                          "normWeightDecay": norm_wd,
                          "biasWeightDecay": bias_wd,
                          "groups": set_weight_decay(model, wd, norm_wd,
                                                     bias_wd)})
    return cases


# ------------------------------------------------------------------ losses


def loss_case(eps, soft):
    logits = torch.randn(6, 5) * 2
    labels = torch.tensor([0, 3, 4, 3, 1, 2])
    if soft:
        onehot = F.one_hot(labels, 5).float()
        target = 0.7 * onehot + 0.3 * onehot.roll(1, 0)
    else:
        target = labels
    x = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(x, target, label_smoothing=eps)
    loss.backward()
    return {"labelSmoothing": eps, "logits": flat(logits),
            "labels": labels.tolist(), "soft": flat(target) if soft else None,
            "loss": float(loss), "grad": flat(x.grad)}


def loss_cases():
    return [loss_case(0.0, False), loss_case(0.1, False),
            loss_case(0.3, False), loss_case(0.0, True),
            loss_case(0.1, True)]


# --------------------------------------------------------------------- EMA


def ema_decay(decay, batch_size, ema_steps, epochs, world_size=1):
    """train.py: adjust = world_size * batch_size * ema_steps / epochs;
    alpha = min(1, (1 - decay) * adjust); the average uses 1 - alpha."""
    adjust = world_size * batch_size * ema_steps / epochs
    return 1.0 - min(1.0, (1.0 - decay) * adjust)


def ema_case():
    """utils.ExponentialMovingAverage is AveragedModel(use_buffers=True)
    with avg = decay * avg + (1 - decay) * param."""
    decay = ema_decay(0.99, batch_size=8, ema_steps=4, epochs=4)
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3),
                                torch.nn.BatchNorm2d(3))

    def avg(a, p, _n):
        return decay * a + (1 - decay) * p

    ema = torch.optim.swa_utils.AveragedModel(model, avg_fn=avg,
                                              use_buffers=True)
    states, averages, counts = [], [], []
    for update in range(6):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.5)
        model.train()
        model(torch.randn(4, 2, 5, 5))  # moves the BN running statistics
        ema.update_parameters(model)
        if update in (0, 1):  # the warmup reset of train.py
            ema.n_averaged.fill_(0)
        sd = {k: flat(v) for k, v in model.state_dict().items()
              if not k.endswith("num_batches_tracked")}
        av = {k: flat(v) for k, v in ema.module.state_dict().items()
              if not k.endswith("num_batches_tracked")}
        states.append(sd)
        averages.append(av)
        counts.append(int(ema.n_averaged))
    return {"decay": decay, "resetAfter": [0, 1], "states": states,
            "averages": averages, "nAveraged": counts}


def ema_decay_cases():
    cases = []
    for d, b, s, e, ws in ((0.99998, 32, 32, 600, 1), (0.99998, 128, 32, 600,
                                                       8), (0.9, 64, 32, 10,
                                                            1), (0.999, 4, 1,
                                                                 3, 1)):
        cases.append({"modelEmaDecay": d, "batchSize": b, "modelEmaSteps": s,
                      "epochs": e, "worldSize": ws,
                      "effectiveDecay": ema_decay(d, b, s, e, ws)})
    return cases


# ---------------------------------------------------------- MixUp, CutMix


def mix_input():
    x = torch.randn(4, 3, 6, 8)  # NCHW, H=6 W=8
    labels = torch.tensor([1, 4, 0, 4])
    return x, labels


def mixup(x, labels, lam, num_classes):
    """transforms.py RandomMixUp with its Beta draw fixed: the partner of
    sample i is sample i-1 (a roll by one)."""
    target = F.one_hot(labels, num_classes).float()
    return (x * lam + x.roll(1, 0) * (1.0 - lam),
            target * lam + target.roll(1, 0) * (1.0 - lam))


def cutmix(x, labels, lam, r_x, r_y, num_classes):
    """transforms.py RandomCutMix with its draws (lambda, box centre) fixed:
    half-sides int(0.5 * sqrt(1 - lam) * side), box clamped to the image,
    lambda recomputed from the clamped area."""
    _, _, H, W = x.shape
    r = 0.5 * math.sqrt(1.0 - lam)
    rw, rh = int(r * W), int(r * H)
    x1, y1 = max(r_x - rw, 0), max(r_y - rh, 0)
    x2, y2 = min(r_x + rw, W), min(r_y + rh, H)
    out = x.clone()
    out[:, :, y1:y2, x1:x2] = x.roll(1, 0)[:, :, y1:y2, x1:x2]
    lam = 1.0 - (x2 - x1) * (y2 - y1) / (W * H)
    target = F.one_hot(labels, num_classes).float()
    target = target * lam + target.roll(1, 0) * (1.0 - lam)
    return out, target, [x1, y1, x2, y2], lam


def mix_cases():
    x, labels = mix_input()
    cases = []
    out, target = mixup(x, labels, 0.3, 5)
    cases.append({"kind": "mixup", "lambda": 0.3, "x": flat(out.permute(
        0, 2, 3, 1)), "target": flat(target), "lambdaUsed": 0.3})
    for lam, rx, ry in ((0.6, 1, 5), (0.2, 4, 3), (0.97, 7, 0)):
        out, target, box, used = cutmix(x, labels, lam, rx, ry, 5)
        cases.append({"kind": "cutmix", "lambda": lam, "centerX": rx,
                      "centerY": ry, "box": box, "lambdaUsed": used,
                      "x": flat(out.permute(0, 2, 3, 1)),
                      "target": flat(target)})
    return {"x": flat(x.permute(0, 2, 3, 1)), "shape": [4, 6, 8, 3],
            "labels": labels.tolist(), "numClasses": 5, "cases": cases}


# ---------------------------------------------------------- random erasing


def erase_cases():
    x = torch.randn(3, 2, 5, 6)  # NCHW
    rects = [[1, 2, 3, 2], None, [2, 3, 3, 3]]
    out = []
    for img, rect in zip(x, rects):
        if rect is None:
            out.append(img)
        else:
            i, j, h, w = rect
            out.append(TF.erase(img, i, j, h, w, torch.tensor(0.0)))
    y = torch.stack(out)
    return {"x": flat(x.permute(0, 2, 3, 1)), "shape": [3, 5, 6, 2],
            "rects": rects, "y": flat(y.permute(0, 2, 3, 1))}


def erase_draws(height, width, n):
    """Histograms of RandomErasing.get_params(scale=(0.02, 0.33),
    ratio=(0.3, 3.3), value=[0]) over n draws: how the reference's draw
    procedure distributes the rectangle's height, width, top and left."""
    img = torch.zeros(1, height, width)
    hist = {k: [0] * (max(height, width) + 1) for k in ("h", "w", "i", "j")}
    fallbacks = 0
    for _ in range(n):
        i, j, h, w, _v = RandomErasing.get_params(
            img, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=[0.0])
        if h == height and w == width:
            fallbacks += 1
            continue
        for k, v in (("h", h), ("w", w), ("i", i), ("j", j)):
            hist[k][v] += 1
    return {"height": height, "width": width, "draws": n,
            "fallbacks": fallbacks, "histograms": hist}


def main():
    schedules, per_step = schedule_cases()
    expected = {
        "versions": {"torch": torch.__version__,
                     "torchvision": torchvision.__version__},
        "schedules": schedules,
        "perStepSchedules": per_step,
        "optimizers": optimizer_cases(),
        "paramGroups": param_group_cases(),
        "losses": loss_cases(),
        "ema": ema_case(),
        "emaDecay": ema_decay_cases(),
        "mix": mix_cases(),
        "erase": erase_cases(),
        "eraseDraws": [erase_draws(32, 32, 40000), erase_draws(7, 10, 40000)],
    }
    with open(OUT, "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
