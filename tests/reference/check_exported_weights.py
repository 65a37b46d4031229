#!/usr/bin/python3
"""Loads a safetensors file that the lab exported into torchvision's own
network, strictly and unchanged, and prints its eval-mode logits as JSON.

  /usr/bin/python3 tests/reference/check_exported_weights.py \
      FILE MODEL NUM_CLASSES INPUTS_JSON

  /usr/bin/python3 tests/reference/check_exported_weights.py \
      FILE MODEL NUM_CLASSES --images DIR

  /usr/bin/python3 tests/reference/check_exported_weights.py \
      FILE mobilenet_v3_large NUM_CLASSES --width-mult W INPUTS_JSON

MODEL is a torchvision.models name (resnet18, resnet34, resnet50,
mobilenet_v3_large); a file whose first convolution (conv1, or a
MobileNet's features.0.0) takes other than 3 channels (the lab's gray
models) gets a first convolution of that many input channels, the rest of
the model as it is; --width-mult is passed to mobilenet_v3_large;
INPUTS_JSON holds "input" (flat, NHWC) and "inputShape" [n, h, w, c], as
make_weights_expected.py writes them. With --images, the inputs are the
.png files of DIR in name order, RGB, as they are (no resize), normalised
with the ImageNet mean and std. Prints {"logits": [...]}.
"""
import json
import os
import sys

import torch
import torchvision

from safetensors_io import load


MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)


def json_inputs(path):
    with open(path) as f:
        inputs = json.load(f)
    n, h, w, c = inputs["inputShape"]
    return torch.tensor(inputs["input"]).reshape(n, h, w, c).permute(0, 3, 1, 2)


def image_inputs(folder):
    from PIL import Image
    from torchvision.transforms.functional import pil_to_tensor

    names = sorted(n for n in os.listdir(folder) if n.endswith(".png"))
    images = [
        pil_to_tensor(Image.open(os.path.join(folder, n)).convert("RGB"))
        for n in names
    ]
    return (torch.stack(images).float() / 255 - MEAN) / STD


def gray_stem(stem, kernel, stride, padding):
    out_channels, in_channels = stem.shape[:2]
    return torch.nn.Conv2d(
        in_channels, out_channels, kernel, stride=stride, padding=padding, bias=False
    )


def main(path, name, num_classes, *inputs):
    tensors, _ = load(path)
    options = {"num_classes": int(num_classes)}
    if inputs[0] == "--width-mult":
        options["width_mult"] = float(inputs[1])
        inputs = inputs[2:]
    model = getattr(torchvision.models, name)(**options)
    stem = tensors.get("conv1.weight")
    if stem is not None and stem.shape[1] != 3:
        model.conv1 = gray_stem(stem, 7, 2, 3)
    stem = tensors.get("features.0.0.weight")
    if stem is not None and stem.shape[1] != 3:
        model.features[0][0] = gray_stem(stem, 3, 2, 1)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    x = image_inputs(inputs[1]) if inputs[0] == "--images" else json_inputs(inputs[0])
    with torch.no_grad():
        logits = model(x.contiguous())
    print(json.dumps({"logits": [float(v) for v in logits.reshape(-1)]}))


if __name__ == "__main__":
    main(*sys.argv[1:])
