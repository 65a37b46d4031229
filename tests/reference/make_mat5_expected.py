#!/usr/bin/python3
"""Writes what scipy.io.loadmat reads from the real Stanford Cars devkit
files, for tests/unit/formats/mat5-devkit.test.ts to hold the lab's own
MAT-file reader against.

Run from the repository root, with the devkit files in ../shared/fixtures:
    /usr/bin/python3 tests/reference/make_mat5_expected.py
It rewrites tests/reference/mat5-devkit.json; commit the result.

The annotation tables are too long to commit whole, so each is written as
its row count, its first and last rows, the images per class and a SHA-256
over one text line per row, "fname,x1,y1,x2,y2,class\\n" (class left empty
in the unlabelled test file). The test hashes its rows the same way.
"""
import hashlib
import json
import os

import scipy
import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))
DEVKIT = os.path.join(HERE, "..", "..", "..", "shared", "fixtures",
                      "stanford-cars-devkit")
OUT = os.path.join(HERE, "mat5-devkit.json")
BOX = ["bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2"]


def scalar(cell):
    """A 1x1 numeric array as loadmat gives it -> a Python int."""
    assert cell.shape == (1, 1), cell.shape
    return int(cell[0, 0])


def rows_of(path):
    annotations = scipy.io.loadmat(path)["annotations"][0]
    fields = annotations.dtype.names
    rows = []
    for entry in annotations:
        row = {"fname": str(entry["fname"][0])}
        for i, name in enumerate(BOX):
            row["xyxy"[i] + str(1 + i // 2)] = scalar(entry[name])
        if "class" in fields:
            row["classId"] = scalar(entry["class"])
        rows.append(row)
    return rows


def line(row):
    class_id = row.get("classId", "")
    return f"{row['fname']},{row['x1']},{row['y1']},{row['x2']},{row['y2']},{class_id}\n"


def table(path):
    rows = rows_of(path)
    digest = hashlib.sha256("".join(map(line, rows)).encode("utf-8"))
    per_class = {}
    for row in rows:
        if "classId" in row:
            per_class[row["classId"]] = per_class.get(row["classId"], 0) + 1
    return {
        "numRows": len(rows),
        "first": rows[:3],
        "last": rows[-3:],
        "imagesPerClass": [per_class.get(c, 0) for c in range(1, 197)]
        if per_class else None,
        "sha256": digest.hexdigest(),
    }


def main():
    meta = scipy.io.loadmat(os.path.join(DEVKIT, "cars_meta.mat"))
    class_names = [str(cell[0]) for cell in meta["class_names"][0]]
    expected = {
        "source": "scipy.io.loadmat, scipy " + scipy.__version__,
        "classNames": class_names,
        "train": table(os.path.join(DEVKIT, "cars_train_annos.mat")),
        "test": table(os.path.join(DEVKIT, "cars_test_annos.mat")),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
