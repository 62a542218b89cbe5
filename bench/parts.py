"""One training step timed part by part: ``python -m bench.parts [seed-linear|mlp]``.

Where the benchmark's single step time goes, chainrule beside PyTorch, in one process
(one thread; both libraries imported): for the seed's ``w*x`` loop the forward, the
``backward()`` and the update; for the MLP at batch 64 ``model(x)``, the loss,
``backward()``, ``optimizer.step()`` and ``zero_grad()``. Each part is timed with
``perf_counter`` around its own line of the loop, and the median over the steps
(after a warm-up) is printed. ``docs/performance.md`` quotes it.

    python -m bench.parts mlp --steps 400
"""
import os

from bench import THREAD_VARS

for _var in THREAD_VARS:                   # before NumPy and PyTorch start their pools
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from bench import workloads  # noqa: E402


def seed_linear(torch, steps):
    """The s000 loop: ``l = (w*x - y)**2``, ``l.backward()``, the hand-written update."""
    w = torch.Tensor([1.0])
    w.requires_grad = True
    parts = {"forward": [], "backward": [], "update": []}
    for i in range(steps):
        x, y = workloads.SEED_X[i % 3], workloads.SEED_Y[i % 3]
        t0 = time.perf_counter()
        l = (w * x - y) ** 2
        t1 = time.perf_counter()
        l.backward()
        t2 = time.perf_counter()
        w.data -= 0.01 * w.grad.data
        w.grad.data.zero_()
        t3 = time.perf_counter()
        for name, a, b in (("forward", t0, t1), ("backward", t1, t2), ("update", t2, t3)):
            parts[name].append(b - a)
    return parts


def mlp(torch, steps, batch=64):
    """The benchmark's MLP step (784-256-256-10, cross-entropy, SGD), part by part."""
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    workloads.set_parameters(torch, model)
    rng = np.random.RandomState(1)
    x = torch.from_numpy(rng.standard_normal((batch, 784)).astype(np.float32))
    target = torch.from_numpy(rng.randint(0, 10, size=batch).astype(np.int64))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    parts = {"model(x)": [], "loss": [], "backward": [], "step": [], "zero_grad": []}
    for _ in range(steps):
        t0 = time.perf_counter()
        out = model(x)
        t1 = time.perf_counter()
        loss = loss_fn(out, target)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        optimizer.step()
        t4 = time.perf_counter()
        optimizer.zero_grad()
        t5 = time.perf_counter()
        for name, a, b in zip(parts, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5)):
            parts[name].append(b - a)
    return parts


WORKLOADS = {"seed-linear": (seed_linear, 20000), "mlp": (mlp, 400)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workload", nargs="?", default="seed-linear", choices=list(WORKLOADS))
    parser.add_argument("--steps", type=int, help="steps per library (a tenth is warm-up)")
    args = parser.parse_args(argv)
    import torch
    import chainrule
    torch.set_num_threads(1)
    run, default_steps = WORKLOADS[args.workload]
    steps = args.steps or default_steps
    medians = {}
    for name, lib in (("chainrule", chainrule), ("pytorch", torch)):
        parts = run(lib, steps)
        warm = steps // 10
        medians[name] = {p: statistics.median(v[warm:]) for p, v in parts.items()}
    print(f"{args.workload}, {steps} steps, medians in us (one thread, one process)")
    print(f"{'part':12s} {'chainrule':>10s} {'pytorch':>10s} {'ratio':>7s}")
    for part in medians["chainrule"]:
        c, t = medians["chainrule"][part] * 1e6, medians["pytorch"][part] * 1e6
        print(f"{part:12s} {c:10.1f} {t:10.1f} {c / t:7.2f}")
    c, t = (sum(m.values()) * 1e6 for m in (medians["chainrule"], medians["pytorch"]))
    print(f"{'sum':12s} {c:10.1f} {t:10.1f} {c / t:7.2f}")


if __name__ == "__main__":
    main()
