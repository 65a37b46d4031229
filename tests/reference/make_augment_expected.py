#!/usr/bin/python3
"""Writes the reference outputs for the lab's augmentation (src/train/augment)
with Debian's python3-torch and python3-torchvision, on uint8 tensors.

Run from the repository root:  /usr/bin/python3 tests/reference/make_augment_expected.py
It rewrites tests/reference/augment.json; commit the result.

Images are three 16x16 RGB pictures with structure (gradients, blocks with a
flat blue channel, noise) plus one 12x18 picture for non-square crops.
Pixel arrays are written NHWC as base64 uint8 (float32 for lighting, whose
output is not rounded), to keep the file small.
"""
import base64
import json
import math
import os

import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms import autoaugment as AA
from torchvision.transforms import functional as F
from torchvision.transforms import transforms as T

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "augment.json")
NEAREST = InterpolationMode.NEAREST
BILINEAR = InterpolationMode.BILINEAR


def images():
    """Three 3x16x16 uint8 images, CHW."""
    y, x = torch.meshgrid(torch.arange(16), torch.arange(16), indexing="ij")
    gradient = torch.stack([x * 16 + 7, y * 15 + 3, (x * y * 3) % 256])
    blocks = torch.stack(
        [
            ((x // 4 + y // 4) % 2) * 180 + 40,
            torch.where(x == y, 250, (x // 2) * 20 + 10),
            torch.full_like(x, 77),
        ]
    )
    noise = torch.randint(0, 256, (3, 16, 16), generator=torch.Generator().manual_seed(0))
    return torch.stack([gradient, blocks, noise]).to(torch.uint8)


def wide_image():
    y, x = torch.meshgrid(torch.arange(12), torch.arange(18), indexing="ij")
    return torch.stack([x * 14, y * 21, (x * 7 + y * 11) % 256]).to(torch.uint8)


def b64(t, dtype=torch.uint8):
    """NCHW (or CHW) tensor to base64 of its NHWC bytes."""
    t = t if t.ndim == 4 else t.unsqueeze(0)
    a = t.permute(0, 2, 3, 1).contiguous().to(dtype)
    return base64.b64encode(a.numpy().tobytes()).decode("ascii")


def per_image(fn, batch):
    return torch.stack([fn(img) for img in batch])


def op_cases(batch):
    """Every op at fixed signed magnitudes, through torchvision's _apply_op."""
    magnitudes = {
        "Identity": [0.0],
        "ShearX": [0.3, -0.2, 0.66],
        "ShearY": [-0.3, 0.5],
        "TranslateX": [5.0, -7.3, 3.9],
        "TranslateY": [-4.0, 6.6],
        "Rotate": [30.0, -45.0, 135.0],
        "Brightness": [-0.5, 0.3, 0.99],
        "Color": [-0.9, 0.5],
        "Contrast": [-0.6, 0.9],
        "Sharpness": [-0.8, 0.7],
        "Posterize": [2.0, 4.0, 7.0],
        "Solarize": [128.0, 246.5, 0.0],
        "AutoContrast": [0.0],
        "Equalize": [0.0],
        "Invert": [0.0],
    }
    cases = []
    for op, values in magnitudes.items():
        for m in values:
            out = per_image(lambda img: AA._apply_op(img, op, m, NEAREST, None), batch)
            cases.append({"op": op, "magnitude": m, "interpolation": "nearest", "out": b64(out)})
    for op, m in [("Rotate", 30.0), ("ShearX", 0.3), ("TranslateY", -4.0)]:
        out = per_image(lambda img: AA._apply_op(img, op, m, BILINEAR, None), batch)
        cases.append({"op": op, "magnitude": m, "interpolation": "bilinear", "out": b64(out)})
    return cases


def tables():
    """Each policy's magnitude table, by op, for 16x16 images."""
    out = {}
    ta = AA.TrivialAugmentWide()._augmentation_space(31)
    ra = AA.RandAugment()._augmentation_space(31, (16, 16))
    aa = AA.AutoAugment()._augmentation_space(10, (16, 16))
    for name, space in [("ta_wide", ta), ("ra", ra), ("imagenet", aa)]:
        out[name] = [
            {
                "op": op,
                "magnitudes": [float(v) for v in mags.reshape(-1).tolist()] if mags.ndim > 0 else [],
                "signed": signed,
            }
            for op, (mags, signed) in space.items()
        ]
    return out


def policy_cases(batch):
    """Seeded runs of each policy, recording the ops _apply_op received."""
    calls = []
    original = AA._apply_op

    def recording(img, op_name, magnitude, interpolation, fill):
        calls[-1].append([op_name, magnitude])
        return original(img, op_name, magnitude, interpolation, fill)

    policies = {
        "ta_wide": AA.TrivialAugmentWide(),
        "ra": AA.RandAugment(num_ops=2, magnitude=9),
        "imagenet": AA.AutoAugment(AA.AutoAugmentPolicy.IMAGENET),
    }
    out = {}
    AA._apply_op = recording
    try:
        for name, policy in policies.items():
            torch.manual_seed(1)
            calls.clear()
            results = []
            for _ in range(4):
                for img in batch:
                    calls.append([])
                    results.append(policy(img))
            out[name] = {"draws": [list(c) for c in calls], "out": b64(torch.stack(results))}
    finally:
        AA._apply_op = original
    return out


def resized_crop_cases(batch, wide):
    """Fixed boxes and flips; a crop upscaled and one downscaled."""
    cases = []
    for size, boxes, flips in [
        (16, [(2, 3, 9, 11), (0, 0, 16, 16), (5, 1, 7, 14)], [False, True, True]),
        (8, [(1, 2, 14, 12), (3, 0, 13, 16), (0, 4, 10, 9)], [True, False, False]),
    ]:
        out = []
        for img, (i, j, h, w), flip in zip(batch, boxes, flips):
            r = F.resized_crop(img, i, j, h, w, [size, size], BILINEAR, antialias=False)
            out.append(F.hflip(r) if flip else r)
        cases.append({"size": size, "boxes": boxes, "flips": flips, "out": b64(torch.stack(out))})
    r = F.resized_crop(wide, 1, 2, 10, 15, [12, 12], BILINEAR, antialias=False)
    cases.append({"size": 12, "boxes": [(1, 2, 10, 15)], "flips": [False], "wide": True, "out": b64(r)})
    return cases


def fallback_cases():
    """RandomResizedCrop's central-crop fallback: no area can fit at scale 10."""
    cases = []
    for h, w in [(10, 30), (30, 10), (16, 16), (20, 24)]:
        img = torch.zeros(3, h, w, dtype=torch.uint8)
        i, j, ch, cw = T.RandomResizedCrop.get_params(img, [10.0, 11.0], [3 / 4, 4 / 3])
        cases.append({"height": h, "width": w, "box": [i, j, ch, cw]})
    return cases


def jitter_cases(batch):
    """ColorJitter's adjustments with fixed factors, each image its own order."""
    adjust = {
        "brightness": F.adjust_brightness,
        "contrast": F.adjust_contrast,
        "saturation": F.adjust_saturation,
    }
    draws = [
        [["brightness", 1.31], ["contrast", 0.72], ["saturation", 1.18]],
        [["saturation", 0.61], ["brightness", 0.83], ["contrast", 1.39]],
        [["contrast", 1.05], ["saturation", 1.4], ["brightness", 0.6]],
    ]
    out = []
    for img, ops in zip(batch, draws):
        for name, factor in ops:
            img = adjust[name](img, factor)
        out.append(img)
    return {"draws": draws, "out": b64(torch.stack(out))}


def lighting_case(batch):
    """AlexNet PCA lighting on 0..1 images, written back on the 0..255 scale."""
    eigval = torch.tensor([0.2175, 0.0188, 0.0045])
    eigvec = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])
    alphas = [[0.05, -0.12, 0.2], [-0.18, 0.03, -0.07], [0.0, 0.15, 0.11]]
    out = []
    for img, alpha in zip(batch, alphas):
        rgb = (eigvec * torch.tensor(alpha).view(1, 3) * eigval.view(1, 3)).sum(1)
        out.append((img.float() / 255 + rgb.view(3, 1, 1)) * 255)
    return {"alphas": alphas, "out": b64(torch.stack(out), torch.float32)}


def eval_cases(batch, wide):
    """Resize (shorter side) then CenterCrop, up and down, and non-square."""
    cases = []
    for resize, crop in [(20, 16), (12, 10)]:
        t = T.Compose([T.Resize(resize, BILINEAR, antialias=False), T.CenterCrop(crop)])
        cases.append({"resize": resize, "crop": crop, "out": b64(torch.stack([t(img) for img in batch]))})
    t = T.Compose([T.Resize(16, BILINEAR, antialias=False), T.CenterCrop(13)])
    cases.append({"resize": 16, "crop": 13, "wide": True, "out": b64(t(wide))})
    return cases


def main():
    torch.manual_seed(0)
    batch = images()
    wide = wide_image()
    result = {
        "about": "torchvision 0.14 augmentation on uint8 tensors; see make_augment_expected.py",
        "images": b64(batch),
        "wide": b64(wide),
        "ops": op_cases(batch),
        "tables": tables(),
        "policies": policy_cases(batch),
        "resizedCrop": resized_crop_cases(batch, wide),
        "fallback": fallback_cases(),
        "jitter": jitter_cases(batch),
        "lighting": lighting_case(batch),
        "eval": eval_cases(batch, wide),
    }
    with open(OUT, "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
