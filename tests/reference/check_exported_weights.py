#!/usr/bin/python3
"""Loads a safetensors file that the lab exported into torchvision's own
ResNet, strictly and unchanged, and prints its eval-mode logits as JSON.

  /usr/bin/python3 tests/reference/check_exported_weights.py \
      FILE MODEL NUM_CLASSES INPUTS_JSON

MODEL is a torchvision.models name (resnet18, resnet34, resnet50);
INPUTS_JSON holds "input" (flat, NHWC) and "inputShape" [n, h, w, c], as
make_weights_expected.py writes them. Prints {"logits": [...]}.
"""
import json
import sys

import torch
import torchvision

from safetensors_io import load


def main(path, name, num_classes, inputs_path):
    tensors, _ = load(path)
    model = getattr(torchvision.models, name)(num_classes=int(num_classes))
    model.load_state_dict(tensors, strict=True)
    model.eval()
    with open(inputs_path) as f:
        inputs = json.load(f)
    n, h, w, c = inputs["inputShape"]
    x = torch.tensor(inputs["input"]).reshape(n, h, w, c).permute(0, 3, 1, 2)
    with torch.no_grad():
        logits = model(x.contiguous())
    print(json.dumps({"logits": [float(v) for v in logits.reshape(-1)]}))


if __name__ == "__main__":
    main(*sys.argv[1:])
