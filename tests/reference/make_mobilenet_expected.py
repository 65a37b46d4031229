"""Expected outputs for the lab's MobileNetV3-Large, from torchvision.

Run with Debian's interpreter, which has python3-torch and
python3-torchvision:

    /usr/bin/python3 tests/reference/make_mobilenet_expected.py

Writes two files next to this script:

- mobilenet-weights.bin: a seeded state dict of mobilenet_v3_large at width
  0.25 with 10 classes, every tensor as int8 codes times a power of two
  (so the lab decodes exactly the float32 values torch used), in the order
  of `tensors` in the JSON;
- mobilenet.json: those tensors' names, shapes and exponents; torchvision's
  keys and shapes at width 1; fixed inputs with their eval-mode logits; and
  one training-mode forward and backward (dropout off) with its loss,
  gradient norms and updated running statistics; and the values per image
  of the largest convolution output at two sizes.
"""

import json
import os

import torch
import torch.nn.functional as F
import torchvision
from torchvision.models._utils import _make_divisible

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTH = 0.25
NUM_CLASSES = 10
IMAGE_SIZE = 32
BATCH = 4
SEED = 20261204


def draw(name, shape, gen):
    """Weights far from the identity, at scales that keep 17 layers sane."""
    if name.endswith("running_mean"):
        return torch.rand(shape, generator=gen) * 0.6 - 0.3
    if name.endswith("running_var"):
        return torch.rand(shape, generator=gen) * 1.5 + 0.5
    if len(shape) == 1 and name.endswith("weight"):
        return torch.rand(shape, generator=gen) * 0.8 + 0.6
    if len(shape) == 1:
        return torch.rand(shape, generator=gen) * 0.4 - 0.2
    fan_in = 1
    for d in shape[1:]:
        fan_in *= d
    return torch.randn(shape, generator=gen) * (1.5 / fan_in) ** 0.5


def quantize(t):
    """int8 codes and exponent e with t ~= codes * 2**e, exactly in f32."""
    peak = float(t.abs().max())
    e = -20
    while peak > 127 * 2.0**e:
        e += 1
    codes = torch.clamp(torch.round(t / 2.0**e), -127, 127).to(torch.int8)
    return codes, e


def key_shapes(model):
    return {
        k: list(v.shape)
        for k, v in model.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }


def largest_conv_output(model, size):
    """Values per image of the largest convolution output at `size` px."""
    largest = [0]

    def hook(_module, _inputs, output):
        largest[0] = max(largest[0], output[0].numel())

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, torch.nn.Conv2d)
    ]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size))
    for h in handles:
        h.remove()
    return largest[0]


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = torchvision.models.mobilenet_v3_large(
        width_mult=WIDTH, num_classes=NUM_CLASSES
    )
    state = model.state_dict()
    tensors, blobs = [], []
    for name, value in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        codes, e = quantize(draw(name, tuple(value.shape), gen))
        state[name] = codes.to(torch.float32) * 2.0**e
        tensors.append({"name": name, "shape": list(value.shape), "exp": e})
        blobs.append(codes.numpy().tobytes())
    model.load_state_dict(state)

    x = torch.randn(BATCH, 3, IMAGE_SIZE, IMAGE_SIZE, generator=gen)
    labels = torch.tensor([3, 7, 0, 9])
    model.eval()
    with torch.no_grad():
        logits = model(x)

    model.train()
    model.classifier[2].p = 0.0
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    grads = {
        k: float(p.grad.norm())
        for k, p in model.named_parameters()
        if k
        in (
            "features.0.0.weight",
            "features.1.block.0.0.weight",
            "features.4.block.2.fc1.weight",
            "features.4.block.2.fc2.bias",
            "features.13.block.1.1.weight",
            "features.16.1.bias",
            "classifier.0.weight",
            "classifier.3.bias",
        )
    }
    running = {
        k: v.tolist()
        for k, v in model.state_dict().items()
        if k.startswith(("features.0.1.running", "features.15.block.3.1.running"))
    }

    full = torchvision.models.mobilenet_v3_large(num_classes=NUM_CLASSES)
    out = {
        "config": {
            "width": WIDTH,
            "numClasses": NUM_CLASSES,
            "imageSize": IMAGE_SIZE,
        },
        "tensors": tensors,
        "fullWidthKeys": key_shapes(full),
        "makeDivisible": [
            [v, _make_divisible(v, 8)]
            for v in (4, 5.6, 10, 12, 20, 60, 91, 100, 240, 1280 * 0.35)
        ],
        "largestActivation": [
            {"width": 1, "size": 224, "values": largest_conv_output(full, 224)},
            {"width": WIDTH, "size": 40, "values": largest_conv_output(model, 40)},
        ],
        "input": x.flatten().tolist(),
        "inputShape": list(x.shape),
        "evalLogits": logits.flatten().tolist(),
        "train": {
            "labels": labels.tolist(),
            "loss": float(loss),
            "gradNorms": grads,
            "runningStats": running,
        },
    }
    with open(os.path.join(HERE, "mobilenet-weights.bin"), "wb") as f:
        f.write(b"".join(blobs))
    with open(os.path.join(HERE, "mobilenet.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"loss {float(loss):.4f}, logits {logits[0, :4].tolist()}")


if __name__ == "__main__":
    main()
