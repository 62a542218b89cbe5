"""Where chainrule's time goes: ``python -m bench.profile [WORKLOAD] [--variant L] [--steps N]``.

Runs a "steps" workload (default ``seed-linear``) in chainrule under cProfile and
prints the functions that take the most time of their own (tottime), each with its
share of the total and its microseconds per step; then the same for cumulative time
(a function and everything it calls). Paths are shortened to ``chainrule/...`` so the
table reads as a map of the source tree. cProfile adds its own cost to every call,
so shares are what to read, not absolute times. ``OMP_NUM_THREADS``,
``MKL_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` default to 1 here, as in the
benchmark's 1-thread lines.
"""
import argparse
import cProfile
import os
import pstats
import sys

from bench import THREAD_VARS

# One BLAS thread, as in the benchmark's 1-thread lines; set before NumPy is imported.
for _var in THREAD_VARS:
    os.environ.setdefault(_var, "1")

from bench import workloads  # noqa: E402  (imports NumPy)


def short(filename):
    marker = os.sep + "chainrule" + os.sep
    if marker in filename:
        return "chainrule/" + filename.split(marker, 1)[1]
    if filename.startswith("~") or filename.startswith("<"):
        return filename
    return os.path.basename(filename)


def rows(stats, key, steps, total, limit):
    entries = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        where = f"{short(filename)}:{line}({name})" if line else name
        entries.append((tottime if key == "tottime" else cumtime, ncalls, where))
    entries.sort(reverse=True)
    out = [f"{'share':>6} {'us/step':>8} {'calls/step':>10}  function ({key})"]
    for seconds, ncalls, where in entries[:limit]:
        out.append(f"{100 * seconds / total:5.1f}% {1e6 * seconds / steps:8.2f} "
                   f"{ncalls / steps:10.1f}  {where}")
    return "\n".join(out)


def profile(name="seed-linear", steps=20000, limit=25, label=None):
    import chainrule as torch
    variants = workloads.find(name).variants
    variant = next((v for v in variants if v.label == label), None) if label else variants[0]
    if variant is None:
        raise SystemExit(f"{name} has no variant {label!r}; choose from "
                         + ", ".join(repr(v.label) for v in variants))
    if variant.kind != "steps":
        raise SystemExit(f"{name} is not a per-step workload")
    step = workloads.MAKERS[variant.maker](torch, **variant.args)
    prepare = getattr(step, "prepare", None)
    for _ in range(min(100, steps)):  # warm up caches and lazy imports outside the profile
        if prepare:
            prepare()
        step()
    profiler = cProfile.Profile()
    if prepare:                       # graphs are built outside the profile
        for _ in range(steps):
            prepare()
            profiler.enable()
            step()
            profiler.disable()
    else:
        profiler.enable()
        for _ in range(steps):
            step()
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    lines = [f"chainrule {torch.__version__}, workload {name} ({variant.label}), "
             f"{steps} steps under cProfile: {1e6 * total / steps:.1f} us per step "
             f"(profiled; unprofiled steps are faster)", "",
             rows(stats, "tottime", steps, total, limit), "",
             rows(stats, "cumtime", steps, total, limit)]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("workload", nargs="?", default="seed-linear")
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--limit", type=int, default=25)
    parser.add_argument("--variant", help="a variant's label, e.g. 'a*b requires_grad'")
    args = parser.parse_args(argv)
    print(profile(args.workload, args.steps, args.limit, args.variant))
    return 0


if __name__ == "__main__":
    sys.exit(main())
