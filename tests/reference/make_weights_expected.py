#!/usr/bin/python3
"""Weight files and logits that the lab's safetensors import is checked
against, made with Debian's python3-torch and python3-torchvision.

  /usr/bin/python3 tests/reference/make_weights_expected.py [DIR]
      writes torchvision's resnet18, resnet34, resnet50 and
      mobilenet_v3_large (10 classes) with seeded random weights and random
      BatchNorm running statistics (the MobileNet's measured on noise:
      settle_batch_norms says why), as their state_dict() has them
      (num_batches_tracked included), to DIR/<name>.safetensors, and their
      eval-mode logits for fixed inputs at 64 px to DIR/expected.json.
      DIR defaults to tests/reference/weights-cache (git-ignored: the files
      are 45, 87, 94 and 17 MB); the browser test runs this when it is
      missing or lacks a model.

  /usr/bin/python3 tests/reference/make_weights_expected.py --dtypes
      rewrites the committed tests/reference/safetensors-dtypes.safetensors
      and safetensors-dtypes.json: the same values stored as F32, F16, BF16
      and F64, with the float32 values torch reads back from each.

Inputs are already normalised and written NHWC, the lab's layout.
"""
import json
import os
import sys

import torch
import torchvision

from safetensors_io import save

HERE = os.path.dirname(os.path.abspath(__file__))
NUM_CLASSES = 10
IMAGE_SIZE = 64
BATCH = 2


def flat(t):
    return [round(float(v), 7) for v in t.detach().reshape(-1).tolist()]


def randomize_batch_norms(model, generator):
    """Eval-mode BN then uses statistics unlike the identity of a new net."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=generator) + 0.5)
                m.num_batches_tracked.fill_(7)


def settle_batch_norms(model, generator):
    """Running statistics measured on seeded noise, for a MobileNet.

    With torchvision's initialisation and made-up statistics a MobileNet
    passes almost nothing of its input through to the logits (two images
    agree to four decimals), so a layout slip in any layer before the
    head would go unseen. Statistics of a training-mode pass over noise
    keep every layer's output alive.
    """
    with torch.no_grad():
        # torchvision draws Linear weights with std 0.01, which leaves the
        # head's bias to decide the logits; 1/sqrt(fan-in) lets features in.
        for m in model.classifier:
            if isinstance(m, torch.nn.Linear):
                std = m.in_features**-0.5
                m.weight.copy_(torch.randn(m.weight.shape, generator=generator) * std)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a plain average over the pass
    model.train()
    noise = torch.randn(8, 3, IMAGE_SIZE, IMAGE_SIZE, generator=generator)
    with torch.no_grad():
        model(noise)
        for m in norms:
            m.momentum = 0.01
            m.num_batches_tracked.fill_(7)


def head_of(model):
    """The last Linear layer: a ResNet's fc, a MobileNet's classifier.3."""
    return model.fc if hasattr(model, "fc") else model.classifier[-1]


def model_case(name, seed, x, out_dir):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(num_classes=NUM_CLASSES)
    generator = torch.Generator().manual_seed(seed + 1)
    randomize_batch_norms(model, generator)
    if name.startswith("mobilenet"):
        settle_batch_norms(model, generator)
    with torch.no_grad():
        head_of(model).bias.copy_(torch.randn(NUM_CLASSES, generator=generator))
    model.eval()
    file = f"{name}.safetensors"
    state = model.state_dict()
    save(state, os.path.join(out_dir, file), {"format": "pt"})
    with torch.no_grad():
        logits = model(x)
        gray = x.mean(dim=1, keepdim=True)
        gray_logits = model(gray.expand(-1, 3, -1, -1))
    # The logits must depend on the image, or the check sees the head only.
    spread = (logits[0] - logits[1]).abs().max() / logits.abs().max()
    assert spread > 0.01, f"{name}: two images' logits differ by {spread:.1e}"
    return {
        "file": file,
        "numClasses": NUM_CLASSES,
        "numBatchCounters": sum(
            k.endswith("num_batches_tracked") for k in state
        ),
        "logits": flat(logits),
        "grayLogits": flat(gray_logits),
    }


def write_models(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    x = torch.randn(BATCH, 3, IMAGE_SIZE, IMAGE_SIZE)
    # Noise images alike in their statistics look alike once pooled: the
    # second is brighter and flatter, so the logits tell them apart.
    x[1] = x[1] * 0.5 + 0.8
    gray = x.mean(dim=1, keepdim=True)
    expected = {
        "note": "torchvision models with seeded random weights, eval mode; "
        "grayLogits: the gray image (the mean of x's channels) repeated "
        "on 3 channels",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "inputShape": [BATCH, IMAGE_SIZE, IMAGE_SIZE, 3],
        "input": flat(x.permute(0, 2, 3, 1)),
        "grayInput": flat(gray.permute(0, 2, 3, 1)),
        "models": {
            "resnet18": model_case("resnet18", 1, x, out_dir),
            "resnet50": model_case("resnet50", 2, x, out_dir),
            "resnet34": model_case("resnet34", 3, x, out_dir),
            "mobilenet_v3_large": model_case("mobilenet_v3_large", 4, x, out_dir),
        },
    }
    # Written last: its presence says the weight files are complete.
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f)


def write_dtypes():
    values = torch.tensor(
        [0.0, -0.0, 1.0, -2.5, 0.1, 3.14159, 65504.0, 6e-8, 1e-30, 1e4, -7e-5]
    )
    stored = {
        "f32": values.to(torch.float32),
        "f16": values.to(torch.float16),
        "bf16": values.to(torch.bfloat16),
        "f64": values.to(torch.float64).reshape(1, 11),
        "steps": torch.tensor(3, dtype=torch.int64),
    }
    path = os.path.join(HERE, "safetensors-dtypes.safetensors")
    save(stored, path, {"format": "pt", "note": "dtype fixture"})
    read_back = {
        k: [float(v) for v in t.to(torch.float32).reshape(-1).tolist()]
        for k, t in stored.items()
        if t.is_floating_point()
    }
    with open(os.path.join(HERE, "safetensors-dtypes.json"), "w") as f:
        json.dump({"asFloat32": read_back}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--dtypes"]:
        write_dtypes()
    else:
        default = os.path.join(HERE, "weights-cache")
        write_models(sys.argv[1] if len(sys.argv) > 1 else default)
