"""One round of one workload, in a fresh process: ``python -m bench.child SIDE WORKLOAD ...``.

The runner (``bench.run``) starts this once per round and per side. It imports only
the library it measures (``chainrule`` or ``torch``), sets its thread count, and for
each variant of the workload given on the command line:

1. runs ``check_steps`` steps from fresh state and records the losses, untimed;
2. builds fresh state again, warms up, picks how many steps make one repetition
   (about ``--rep-ms`` milliseconds), and times repetitions until ``--budget`` seconds
   have passed (at least ``--min-reps``);
3. or, for a "memory" variant, runs its steps and reads the peak RSS.

It prints one JSON object on its last line of stdout; the runner parses that.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

from bench import THREAD_VARS, workloads


def import_library(side, threads):
    """The library under test, with its thread count set, and a note of its versions."""
    import numpy
    if side == "chainrule":
        import chainrule as torch
    else:
        import torch
    torch.set_num_threads(threads)
    info = {"numpy": numpy.__version__, "library": torch.__version__,
            "get_num_threads": torch.get_num_threads(),
            "python": sys.version.split()[0]}
    return torch, info


def as_float(value):
    """A loss as a Python float (the step returns a tensor)."""
    return float(value.item()) if hasattr(value, "item") else float(value)


def check_values(torch, variant, maker):
    """The first ``check_steps`` losses from fresh state: what the libraries must agree on."""
    step = maker(torch, **variant.args)
    values = []
    for _ in range(variant.check_steps):
        if hasattr(step, "prepare"):
            step.prepare()
        values.append(as_float(step()))
    return values


def time_once(step, inner):
    """Seconds per step over ``inner`` steps (graphs for backward are built untimed)."""
    if hasattr(step, "prepare"):
        for _ in range(inner):
            step.prepare()
    start = time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - start) / inner


def time_steps(step, budget, min_reps, rep_seconds):
    """Per-step times of repeated measurements, after a warm-up; see the module docstring."""
    warm_until = time.perf_counter() + min(0.05, budget / 4)
    warm = 0
    while warm < 3 or time.perf_counter() < warm_until:
        time_once(step, 1)
        warm += 1
    one = min(time_once(step, 1) for _ in range(3))
    inner = max(1, min(10_000, int(rep_seconds / max(one, 1e-9))))
    times = []
    stop = time.perf_counter() + budget
    while len(times) < min_reps or (time.perf_counter() < stop and len(times) < 1000):
        times.append(time_once(step, inner))
    return times, inner


def peak_rss_mib():
    """The process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        kib /= 1024
    return kib / 1024


def current_rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_variant(torch, variant, args):
    maker = workloads.MAKERS[variant.maker]
    if variant.kind == "memory":
        after_import = current_rss_mib()
        step = maker(torch, **variant.args)
        values = [as_float(step()) for _ in range(variant.steps)]
        peak = peak_rss_mib()
        return {"value": peak, "unit": "MiB", "check": values[:variant.check_steps],
                "rss_after_import": after_import,
                "growth": None if after_import is None else peak - after_import}
    check = check_values(torch, variant, maker)
    step = maker(torch, **variant.args)
    times, inner = time_steps(step, args.budget, args.min_reps, args.rep_ms / 1000)
    return {"value": statistics.median(times), "unit": "s", "best": min(times),
            "reps": len(times), "inner": inner, "check": check}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.child")
    parser.add_argument("side", choices=["chainrule", "pytorch"])
    parser.add_argument("workload")
    parser.add_argument("--variants", required=True, help="comma-separated labels")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per variant")
    parser.add_argument("--min-reps", type=int, default=15)
    parser.add_argument("--rep-ms", type=float, default=10.0)
    args = parser.parse_args(argv)

    torch, info = import_library(args.side, args.threads)
    workload = workloads.find(args.workload)
    wanted = args.variants.split(",")
    results = {}
    missing = workloads.missing_names(torch, workload.needs)
    if missing:
        out = {"info": info, "missing": missing, "results": {}}
    else:
        for variant in workload.variants:
            if variant.label in wanted and variant.threads == args.threads:
                results[variant.label] = run_variant(torch, variant, args)
        out = {"info": info, "missing": [], "results": results}
    out["info"]["threads_env"] = {k: os.environ.get(k) for k in THREAD_VARS}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
