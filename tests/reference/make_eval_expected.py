#!/usr/bin/python3
"""Writes a fixed prediction set and its evaluation figures, computed with
torch and numpy, for tests/unit/eval-metrics.test.ts to hold the lab's
src/eval/metrics.ts against.

Run from the repository root with Debian's interpreter:
    /usr/bin/python3 tests/reference/make_eval_expected.py
It rewrites tests/reference/eval.json; commit the result.

The set: 12 classes, 700 images with uneven class counts and one class
with none, logits drawn from a seeded generator with the true class raised
(so accuracy is neither 0 nor 1), and classes 3 and 4 made alike (so one
pair stands out). Two models: "raw", and "ema" with other noise. Each keeps
its top-5 classes and their softmax probabilities, as the lab's Worker does.
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "eval.json")
NUM_CLASSES = 12
NUM_IMAGES = 700
K = 5
EMPTY_CLASS = 11


def draw_labels(gen):
    weights = torch.linspace(1.0, 3.0, NUM_CLASSES)
    weights[EMPTY_CLASS] = 0.0
    return torch.multinomial(weights, NUM_IMAGES, replacement=True,
                             generator=gen)


def predict(labels, gen, signal):
    logits = torch.randn(NUM_IMAGES, NUM_CLASSES, generator=gen)
    logits[torch.arange(NUM_IMAGES), labels] += signal
    # Classes 3 and 4 look alike: each is raised where the other is true.
    logits[labels == 3, 4] += signal * 0.9
    logits[labels == 4, 3] += signal * 0.7
    probs = torch.softmax(logits, dim=1)
    top_probs, top_indices = torch.topk(probs, K, dim=1)
    return top_indices, top_probs.to(torch.float32)


def figures(labels, top_indices):
    y = labels.numpy()
    top = top_indices.numpy()
    top1 = float(np.mean(top[:, 0] == y))
    top5 = float(np.mean((top == y[:, None]).any(axis=1)))
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(confusion, (y, top[:, 0]), 1)
    counts = confusion.sum(axis=1)
    correct = np.diag(confusion)
    per_class = [
        {
            "classId": c,
            "count": int(counts[c]),
            "correct": int(correct[c]),
            "accuracy": float(correct[c] / counts[c]) if counts[c] else None,
        }
        for c in range(NUM_CLASSES)
    ]
    off = [
        (int(confusion[t, p]), t, p)
        for t in range(NUM_CLASSES)
        for p in range(NUM_CLASSES)
        if t != p and confusion[t, p] > 0
    ]
    off.sort(key=lambda e: (-e[0], e[1], e[2]))
    pairs = [
        {"trueClass": t, "predicted": p, "count": n,
         "reverse": int(confusion[p, t])}
        for n, t, p in off[:10]
    ]
    return {
        "top1": top1,
        "top5": top5,
        "confusion": confusion.flatten().tolist(),
        "perClass": per_class,
        "pairs": pairs,
    }


def main():
    gen = torch.Generator().manual_seed(20261204)
    labels = draw_labels(gen)
    raw_i, raw_p = predict(labels, gen, 2.0)
    ema_i, ema_p = predict(labels, gen, 2.4)
    raw, ema = figures(labels, raw_i), figures(labels, ema_i)
    change = [
        None if r["accuracy"] is None else e["accuracy"] - r["accuracy"]
        for r, e in zip(raw["perClass"], ema["perClass"])
    ]
    out = {
        "numClasses": NUM_CLASSES,
        "k": K,
        "labels": labels.tolist(),
        "raw": {"topIndices": raw_i.flatten().tolist(),
                "topProbs": raw_p.flatten().tolist()},
        "ema": {"topIndices": ema_i.flatten().tolist(),
                "topProbs": ema_p.flatten().tolist()},
        "expected": {"raw": raw, "ema": ema, "emaChange": change},
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
    }
    with open(OUT, "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
