"""Write a small MNIST-format dataset of drawn digits, for running the MNIST examples offline.

Each digit 0-9 is a few pen strokes (polylines and ellipses) in a unit box. Every
image draws its digit's strokes with a random size, slant, rotation, position
and pen width, then adds a little noise: varied enough that a model has to learn,
regular enough that a small one learns it in a minute. The files are the real
MNIST idx files, so ``datasets.MNIST(root)`` (chainrule's or torchvision's) reads
them from ``root/MNIST/raw``:

    python examples/make_fake_mnist.py data                # 2,000 train + 500 test
    python examples/make_fake_mnist.py data --train 600 --test 200 --gzip

Only NumPy is needed.
"""
import argparse
import gzip
import os

import numpy as np

SIZE = 28


def _ellipse(cx, cy, rx, ry, start=0.0, stop=360.0, points=16):
    angles = np.radians(np.linspace(start, stop, points))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


# Each digit: a list of strokes; each stroke: points (x right, y down) in [0, 1].
STROKES = {
    0: [_ellipse(0.5, 0.5, 0.3, 0.45)],
    1: [[(0.35, 0.15), (0.55, 0.0), (0.55, 1.0)]],
    2: [[(0.15, 0.25), (0.35, 0.03), (0.65, 0.03), (0.85, 0.25), (0.8, 0.45), (0.15, 1.0),
         (0.9, 1.0)]],
    3: [[(0.15, 0.05), (0.85, 0.05), (0.45, 0.45), (0.8, 0.6), (0.8, 0.9), (0.5, 1.0),
         (0.15, 0.9)]],
    4: [[(0.7, 1.0), (0.7, 0.0), (0.1, 0.7), (0.9, 0.7)]],
    5: [[(0.85, 0.0), (0.2, 0.0), (0.15, 0.45), (0.65, 0.42), (0.85, 0.7), (0.7, 0.97),
         (0.15, 0.95)]],
    6: [[(0.75, 0.0), (0.3, 0.35)] + _ellipse(0.5, 0.7, 0.3, 0.28, 200, 560)],
    7: [[(0.1, 0.0), (0.9, 0.0), (0.4, 1.0)]],
    8: [_ellipse(0.5, 0.27, 0.26, 0.23), _ellipse(0.5, 0.73, 0.32, 0.27)],
    9: [_ellipse(0.5, 0.3, 0.3, 0.28), [(0.8, 0.3), (0.65, 1.0)]],
}

# The pixel centres of a 28x28 image, as two (784,) coordinate arrays.
_PY, _PX = [a.ravel() + 0.5 for a in np.mgrid[0:SIZE, 0:SIZE]]


def _segment_distance(a, b):
    """Distance from every pixel centre to the segment a-b."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = ((_PX - ax) * dx + (_PY - ay) * dy) / max(dx * dx + dy * dy, 1e-12)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(_PX - (ax + t * dx), _PY - (ay + t * dy))


def draw_digit(digit, rng):
    """One 28x28 uint8 image of ``digit``, drawn with random variations."""
    scale = 20 * rng.uniform(0.75, 1.05)                 # MNIST digits fill about 20 px
    angle = np.radians(rng.uniform(-12, 12))
    slant = rng.uniform(-0.25, 0.25)
    cx, cy = 14 + rng.uniform(-2, 2), 14 + rng.uniform(-2, 2)
    width = rng.uniform(1.0, 2.0)
    cos, sin = np.cos(angle), np.sin(angle)
    distance = np.full(SIZE * SIZE, np.inf)
    for stroke in STROKES[digit]:
        pts = np.array(stroke) - 0.5 + rng.normal(0, 0.025, (len(stroke), 2))
        pts[:, 0] += slant * pts[:, 1]                   # lean forwards or backwards
        x = scale * (0.7 * pts[:, 0] * cos - pts[:, 1] * sin) + cx
        y = scale * (0.7 * pts[:, 0] * sin + pts[:, 1] * cos) + cy
        for i in range(len(x) - 1):
            distance = np.minimum(distance, _segment_distance((x[i], y[i]),
                                                              (x[i + 1], y[i + 1])))
    ink = np.clip(width - distance + 0.5, 0.0, 1.0)      # a soft-edged pen
    ink = np.clip(ink + rng.normal(0, 0.05, ink.shape) * (ink > 0), 0.0, 1.0)
    return (255 * ink).round().astype(np.uint8).reshape(SIZE, SIZE)


def make_split(count, rng):
    """``count`` images with labels cycling 0-9 in random order."""
    labels = rng.permutation(np.arange(count) % 10).astype(np.uint8)
    images = np.stack([draw_digit(int(d), rng) for d in labels])
    return images, labels


def write_idx(path, array, compress):
    """Write ``array`` (uint8) in the idx format: magic 0x0000 08 ndim, sizes, bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">i4").tobytes()
    opener = gzip.open if compress else open
    with opener(path + (".gz" if compress else ""), "wb") as f:
        f.write(header + np.ascontiguousarray(array, np.uint8).tobytes())


def write_fake_mnist(root, train=2000, test=500, seed=0, compress=False, name="MNIST"):
    """Write the four idx files into ``root/<name>/raw``; returns that folder."""
    rng = np.random.default_rng(seed)
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    for prefix, count in (("train", train), ("t10k", test)):
        images, labels = make_split(count, rng)
        write_idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte"), images, compress)
        write_idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte"), labels, compress)
    return raw


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="folder to write MNIST/raw into")
    parser.add_argument("--train", type=int, default=2000, help="training images")
    parser.add_argument("--test", type=int, default=500, help="test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gzip", action="store_true", help="write .gz files")
    args = parser.parse_args(argv)
    raw = write_fake_mnist(args.root, args.train, args.test, args.seed, args.gzip)
    print(f"wrote {args.train} training and {args.test} test images to {raw}")


if __name__ == "__main__":
    main()
