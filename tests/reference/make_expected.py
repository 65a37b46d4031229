#!/usr/bin/python3
"""Writes the reference outputs that the foundation's unit tests compare the
lab against, computed with Debian's python3-torch and python3-torchvision.

Run from the repository root:  /usr/bin/python3 tests/reference/make_expected.py
It rewrites tests/reference/foundation.json; commit the result.

Layouts: tensors are written in the lab's layout (NHWC activations, conv
kernels [kh, kw, in, out], fc weight [in, out]) so the tests need no
transposes of their own; each entry says what it was computed from.
"""
import json
import os

import torch
import torch.nn.functional as F
import torchvision

torch.manual_seed(0)
torch.set_default_dtype(torch.float32)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "foundation.json")


def flat(t):
    return [round(float(v), 7) for v in t.detach().reshape(-1).tolist()]


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def state_dict_shapes(name):
    model = getattr(torchvision.models, name)(num_classes=10)
    return {k: list(v.shape) for k, v in model.state_dict().items()}


def batch_norm_case():
    """Training-mode BatchNorm2d followed by ReLU, one step of running stats."""
    x = torch.randn(3, 4, 5, 6)  # NCHW
    gamma = torch.rand(4) + 0.5
    beta = torch.randn(4) * 0.1
    upstream = torch.randn(3, 4, 5, 6)
    bn = torch.nn.BatchNorm2d(4, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
    xr = x.clone().requires_grad_(True)
    y = F.relu(bn(xr))
    (y * upstream).sum().backward()
    return {
        "x": flat(nhwc(x)),
        "shape": [3, 5, 6, 4],
        "gamma": flat(gamma),
        "beta": flat(beta),
        "upstream": flat(nhwc(upstream)),
        "y": flat(nhwc(y)),
        "dx": flat(nhwc(xr.grad)),
        "dgamma": flat(bn.weight.grad),
        "dbeta": flat(bn.bias.grad),
        "runningMean": flat(bn.running_mean),
        "runningVar": flat(bn.running_var),
    }


def sgd_case(nesterov, weight_decay):
    """Three steps of torch.optim.SGD on w with fixed gradients."""
    w = torch.randn(7, requires_grad=True)
    w0 = w.detach().clone()
    grads = [torch.randn(7) for _ in range(3)]
    opt = torch.optim.SGD(
        [w], lr=0.1, momentum=0.9, nesterov=nesterov, weight_decay=weight_decay
    )
    after = []
    for g in grads:
        opt.zero_grad()
        w.grad = g.clone()
        opt.step()
        after.append(flat(w))
    return {
        "nesterov": nesterov,
        "weightDecay": weight_decay,
        "lr": 0.1,
        "momentum": 0.9,
        "w0": flat(w0),
        "grads": [flat(g) for g in grads],
        "after": after,
    }


def conv_case(k, stride, pad, size, cin, cout):
    """nn.Conv2d without bias: output and weight gradient."""
    x = torch.randn(2, cin, size, size)
    w = torch.randn(cout, cin, k, k) * 0.2
    wr = w.clone().requires_grad_(True)
    y = F.conv2d(x, wr, stride=stride, padding=pad)
    upstream = torch.randn_like(y)
    (y * upstream).sum().backward()
    return {
        "stride": stride,
        "pad": pad,
        "x": flat(nhwc(x)),
        "xShape": [2, size, size, cin],
        "w": flat(w.permute(2, 3, 1, 0)),
        "wShape": [k, k, cin, cout],
        "y": flat(nhwc(y)),
        "yShape": list(nhwc(y).shape),
        "upstream": flat(nhwc(upstream)),
        "dw": flat(wr.grad.permute(2, 3, 1, 0)),
    }


def max_pool_case():
    x = torch.randn(2, 3, 7, 7)
    y = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
    return {"x": flat(nhwc(x)), "xShape": [2, 7, 7, 3], "y": flat(nhwc(y)),
            "yShape": list(nhwc(y).shape)}


def cross_entropy_case():
    logits = torch.randn(5, 10)
    labels = torch.tensor([0, 3, 9, 3, 7])
    return {
        "logits": flat(logits),
        "labels": labels.tolist(),
        "loss": float(F.cross_entropy(logits, labels)),
    }


def main():
    expected = {
        "versions": {"torch": torch.__version__,
                     "torchvision": torchvision.__version__},
        "stateDicts": {n: state_dict_shapes(n)
                       for n in ("resnet18", "resnet34", "resnet50")},
        "batchNorm": batch_norm_case(),
        "sgd": [sgd_case(False, 0.0), sgd_case(True, 0.0),
                sgd_case(True, 1e-4)],
        "conv": [conv_case(7, 2, 3, 12, 3, 8), conv_case(3, 1, 1, 5, 4, 6),
                 conv_case(3, 2, 1, 6, 4, 5), conv_case(1, 2, 0, 6, 4, 8),
                 conv_case(3, 1, 1, 1, 8, 8)],
        "maxPool": max_pool_case(),
        "crossEntropy": cross_entropy_case(),
    }
    with open(OUT, "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
