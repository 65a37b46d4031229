#!/usr/bin/python3
"""Writes fixed training batches (logits and targets) and their training
top-1 and top-5 accuracy as torchvision's classification reference
measures it, for tests/unit/train-accuracy.test.ts to hold the lab's
countHits (src/train/step.ts) and pass figures against.

Run from the repository root with Debian's interpreter:
    /usr/bin/python3 tests/reference/make_train_accuracy_expected.py
It rewrites tests/reference/train-accuracy.json; commit the result.

The reference (references/classification/train.py, train_one_epoch)
calls utils.accuracy(output, target, topk=(1, 5)) on each batch: a 2-D
target (after MixUp or CutMix) becomes the index of its largest weight,
then a prediction counts at k when the target is among the k classes of
largest logit (torch.topk, sorted). Each batch's percentage is averaged
over the epoch weighted by batch size (MetricLogger's global_avg). The
accuracy below is restated from that description with torch's ops.

Cases: hard labels; MixUp-style soft rows (each image mixed with the one
before it, lambda above and below one half, so the largest weight is
sometimes the partner's class); three classes (k = 3 for "top-5"). Each
case has batches of unequal sizes.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "train-accuracy.json")
TOPK = 5


def hits(logits, target):
    """Hits at 1 and at min(5, classes), as utils.accuracy counts them."""
    if target.dim() == 2:
        target = torch.max(target, dim=1)[1]
    k = min(TOPK, logits.shape[1])
    top = torch.topk(logits, k, dim=1, largest=True, sorted=True)[1]
    correct = top.eq(target.unsqueeze(1))
    return int(correct[:, :1].sum()), int(correct.sum())


def epoch_accuracy(batches):
    """MetricLogger's global average of per-batch percentages, as fractions."""
    total1 = total5 = count = 0.0
    for b in batches:
        n = len(b["logits"])
        h1, h5 = hits(torch.tensor(b["logits"]), torch.tensor(b["targets"]))
        total1 += 100.0 * h1 / n * n
        total5 += 100.0 * h5 / n * n
        count += n
    return total1 / count / 100.0, total5 / count / 100.0


def draw_logits(gen, labels, num_classes, signal):
    logits = torch.randn(len(labels), num_classes, generator=gen)
    logits[torch.arange(len(labels)), labels] += signal
    return logits


def mix(labels, num_classes, lam):
    onehot = torch.nn.functional.one_hot(labels, num_classes).float()
    return lam * onehot + (1.0 - lam) * onehot.roll(1, 0)


def make_case(gen, name, num_classes, sizes, soft):
    batches = []
    for i, n in enumerate(sizes):
        labels = torch.randint(0, num_classes, (n,), generator=gen)
        # Rounded as written, so that the test counts the same logits.
        logits = draw_logits(gen, labels, num_classes, 1.5)
        logits = torch.round(logits * 1e6) / 1e6
        if soft:
            # Lambdas as MixUp and CutMix give them, never exactly 1/2.
            lam = [0.8, 0.3, 0.62, 0.45][i % 4]
            targets = mix(labels, num_classes, lam)
        else:
            targets = labels
        h1, h5 = hits(logits, targets)
        batches.append({
            "logits": logits.tolist(),
            "targets": targets.tolist(),
            "top1": h1,
            "top5": h5,
        })
    top1, top5 = epoch_accuracy(batches)
    return {"name": name, "numClasses": num_classes, "batches": batches,
            "top1": top1, "top5": top5}


def main():
    gen = torch.Generator().manual_seed(20261204)
    cases = [
        make_case(gen, "hard labels", 10, [32, 32, 17], False),
        make_case(gen, "mixed targets", 10, [24, 24, 24, 9], True),
        make_case(gen, "three classes", 3, [16, 11], False),
    ]
    out = {"cases": cases, "versions": {"torch": torch.__version__}}
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
