"""Before and after: ``python -m bench.ab REV [WORKLOAD ...] [--rounds N]``.

Times chainrule at git revision ``REV`` (say ``HEAD~1``) against the working tree,
both in fresh processes, alternating (before, after, before, after ...), one thread.
Each process is ``bench.child`` for one workload, so the steps are the benchmark's
own; only the ``src/`` it imports differs. Prints, per variant, the median time of
each side and the median of the per-round ratios after/before (< 1: faster now).
This is the check to run before and after touching the hot path.

    python -m bench.ab HEAD~1 seed-linear mlp --rounds 6
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from bench import workloads
from bench.run import REPO, child_env


def child(src, workload, threads=1):
    """One ``bench.child`` run of chainrule from ``src``: {variant: seconds}."""
    env = child_env(threads)
    env["PYTHONPATH"] = os.pathsep.join([str(src), str(REPO)])
    labels = ",".join(v.label for v in workload.variants
                      if v.kind == "steps" and v.threads == threads)
    proc = subprocess.run([sys.executable, "-m", "bench.child", "chainrule", workload.name,
                           "--variants", labels, "--threads", str(threads)],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=900)
    if proc.returncode != 0:
        sys.exit(f"bench.child failed for {src}:\n{proc.stderr[-2000:]}")
    results = json.loads(proc.stdout.strip().splitlines()[-1])["results"]
    return {label: r["value"] for label, r in results.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rev", help="the revision to compare with, e.g. HEAD~1")
    parser.add_argument("workloads", nargs="*", default=["seed-linear", "seed-quadratic"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as before:
        subprocess.run(["git", "worktree", "add", "--detach", "-q", before, args.rev],
                       cwd=REPO, check=True)
        try:
            for name in args.workloads:
                workload = workloads.find(name)
                times = {"before": [], "after": []}
                for _ in range(args.rounds):
                    times["before"].append(child(os.path.join(before, "src"), workload))
                    times["after"].append(child(REPO / "src", workload))
                for label in times["before"][0]:
                    b = [t[label] for t in times["before"]]
                    a = [t[label] for t in times["after"]]
                    ratio = statistics.median(y / x for x, y in zip(b, a))
                    print(f"{name} {label}: before {statistics.median(b) * 1e6:.1f} us, "
                          f"after {statistics.median(a) * 1e6:.1f} us, "
                          f"after/before {ratio:.3f} ({args.rounds} rounds)")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", before], cwd=REPO)


if __name__ == "__main__":
    main()
