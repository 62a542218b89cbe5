"""The runner behind ``python -m bench``: alternate the libraries, round by round.

For each workload the runner starts a fresh child process per round and per side,
alternating A B A B ... (chainrule, PyTorch, chainrule, PyTorch, ...), so a machine
that slows down part-way through slows both sides alike. Each child measures many
repetitions inside and reports one number for its round (the median per-step time,
or the peak RSS); the runner pairs round i of chainrule with round i of PyTorch and
prints every pair's ratio and their median.

Whole-process variants are timed here, by wall clock around ``subprocess.run``.

Every workload also returns the losses it computed from the same starting values;
the runner compares chainrule's with PyTorch's and reports a mismatch loudly (and
exits 1), so a fast wrong answer cannot pass.
"""
import argparse
import compileall
import importlib.metadata
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import THREAD_VARS, workloads

REPO = Path(__file__).resolve().parent.parent
SIDES = ("chainrule", "pytorch")


@dataclass
class Settings:
    rounds: int = 5            # rounds per side
    budget: float = 0.5        # seconds of timing per variant per round
    min_reps: int = 15
    rep_ms: float = 10.0       # target length of one repetition
    process_reps: int = 3      # launches per round for whole-process variants


FULL = Settings()
QUICK = Settings(rounds=2, budget=0.1, min_reps=5, rep_ms=5.0, process_reps=1)

# Loss agreement: float32 losses after a few steps differ by summation order only.
TOLERANCE = {"float32": (1e-4, 1e-6), "float64": (1e-10, 1e-12)}


# --- machine and environment ------------------------------------------------------------

def child_env(threads):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    for var in THREAD_VARS:
        env[var] = str(threads)
    paths = [str(REPO / "src"), str(REPO)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def compile_bytecode():
    """Compile chainrule's bytecode, as ``pip install`` does for NumPy and PyTorch.

    A source checkout run with PYTHONDONTWRITEBYTECODE=1 (as on CI machines) would
    otherwise recompile every module in every launch, and the whole-process lines
    would time Python's compiler, not chainrule. Returns whether it succeeded.
    """
    return bool(compileall.compile_dir(REPO / "src" / "chainrule", quiet=1))


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info():
    import numpy
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"python": platform.python_version(), "numpy": numpy.__version__,
            "torch": version("torch"), "chainrule": version("chainrule"),
            "platform": platform.platform(), "cpu": cpu_model(),
            "cpu_count": os.cpu_count(), "nproc": usable,
            "loadavg_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}


# --- statistics and checks --------------------------------------------------------------

def summarize(values):
    return {"rounds": values, "median": statistics.median(values),
            "min": min(values), "max": max(values)}


def pair_ratios(a, b):
    return [x / y for x, y in zip(a, b) if y]


def compare_losses(ours, theirs, dtype="float32"):
    """``(ok, detail)``: do chainrule's losses equal PyTorch's to the dtype's tolerance?"""
    rtol, atol = TOLERANCE[dtype]
    if len(ours) != len(theirs):
        return False, f"{len(ours)} values against {len(theirs)}"
    for i, (x, y) in enumerate(zip(ours, theirs)):
        same = (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=rtol,
                                                                 abs_tol=atol)
        if not same:
            return False, f"step {i}: chainrule {x!r}, PyTorch {y!r}"
    return True, f"{len(ours)} values agree, {dtype} rtol {rtol:g}"


@dataclass
class Result:
    workload: str
    variant: str
    kind: str
    threads: int
    status: str = "ok"              # ok | not available | error
    message: str = ""
    unit: str = "s"
    sides: dict = None              # side -> summarize(...)
    ratio: tuple = SIDES
    ratios: list = None
    ratio_median: float = None
    check: str = "n/a"              # ok | MISMATCH | n/a
    check_detail: str = ""
    best: dict = None               # side -> fastest repetition of all rounds (steps only)


def finish(result, per_side, checks):
    """Fill in the summaries, ratios and the loss check from the rounds' numbers."""
    result.sides = {side: summarize(values) for side, values in per_side.items() if values}
    a, b = result.ratio
    if a in per_side and b in per_side and per_side[a] and per_side[b]:
        result.ratios = pair_ratios(per_side[a], per_side[b])
        result.ratio_median = statistics.median(result.ratios) if result.ratios else None
    if checks:
        bad = [detail for ok, detail in checks if not ok]
        result.check = "MISMATCH" if bad else "ok"
        result.check_detail = bad[0] if bad else checks[0][1]
    return result


# --- running children ----------------------------------------------------------------

class ChildError(RuntimeError):
    pass


def launch_child(side, workload, variants, threads, settings):
    cmd = [sys.executable, "-m", "bench.child", side, workload.name,
           "--variants", ",".join(v.label for v in variants), "--threads", str(threads),
           "--budget", str(settings.budget), "--min-reps", str(settings.min_reps),
           "--rep-ms", str(settings.rep_ms)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO,
                          env=child_env(threads), timeout=900)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        raise ChildError(f"{side} child failed (exit {proc.returncode}):\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_in_children(workload, variants, threads, settings, log, infos):
    """The rounds of a workload's variants that share a thread count: A B A B ..."""
    rounds = {v.label: {"value": {}, "best": {}, "growth": {}, "checks": []} for v in variants}
    try:
        for r in range(settings.rounds):
            this_round = {}
            for side in SIDES:
                log(f"  {workload.name} [threads={threads}] round {r + 1}/{settings.rounds}"
                    f" {side}")
                out = launch_child(side, workload, variants, threads, settings)
                infos.setdefault(side, out["info"])
                if out["missing"]:
                    names = ", ".join(f"chainrule.{n}" for n in out["missing"])
                    return [Result(workload.name, v.label, v.kind, threads,
                                   status="not available",
                                   message=f"not available yet: {names} missing")
                            for v in variants]
                this_round[side] = out["results"]
            for label, tally in rounds.items():
                record_round(tally, this_round, label)
    except (ChildError, subprocess.TimeoutExpired) as e:
        return [Result(workload.name, v.label, v.kind, threads, status="error",
                       message=str(e)) for v in variants]
    return [summarize_rounds(workload, v, threads, rounds[v.label]) for v in variants]


def record_round(tally, this_round, label):
    """Add one round's numbers of both sides, and whether their losses agreed."""
    for side, results in this_round.items():
        got = results[label]
        for key in ("value", "best", "growth"):
            if got.get(key) is not None:
                tally[key].setdefault(side, []).append(got[key])
    tally["checks"].append(compare_losses(this_round["chainrule"][label]["check"],
                                          this_round["pytorch"][label]["check"]))


def summarize_rounds(workload, variant, threads, tally):
    unit = "MiB" if variant.kind == "memory" else "s"
    result = finish(Result(workload.name, variant.label, variant.kind, threads, unit=unit),
                    tally["value"], tally["checks"])
    result.best = {side: min(values) for side, values in tally["best"].items()}
    for side, values in tally["growth"].items():
        result.sides[side]["growth"] = statistics.median(values)
    return result


def run_process(workload, variant, settings, log):
    """Wall time of whole commands; a first, untimed launch per side captures the output
    that chainrule's and PyTorch's runs must share (skipped when there is nothing to
    compare, as for ``import``)."""
    result = Result(workload.name, variant.label, variant.kind, variant.threads)
    env = child_env(variant.threads)
    sides = list(variant.commands)
    outputs = {}
    for side in (sides if "pytorch" in sides else []):
        proc = subprocess.run([sys.executable] + variant.commands[side], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            result.status = "error"
            result.message = f"{side}: exit {proc.returncode}: {proc.stderr.strip()[-400:]}"
            return result
        outputs[side] = proc.stdout
    checks = []
    if outputs:
        same = outputs["chainrule"] == outputs["pytorch"]
        lines = len(outputs["pytorch"].splitlines())
        detail = (f"stdout identical ({lines} lines)" if same else
                  first_difference(outputs["chainrule"], outputs["pytorch"]))
        checks.append((same, detail))
    per_side = {side: [] for side in sides}
    for r in range(settings.rounds):
        for side in sides:
            log(f"  {workload.name} {variant.label} round {r + 1}/{settings.rounds} {side}")
            walls = []
            for _ in range(settings.process_reps):
                start = time.perf_counter()
                proc = subprocess.run([sys.executable] + variant.commands[side], cwd=REPO,
                                      env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, timeout=600)
                walls.append(time.perf_counter() - start)
                if proc.returncode != 0:
                    result.status = "error"
                    result.message = f"{side}: exit {proc.returncode}"
                    return result
            per_side[side].append(statistics.median(walls))
    result.ratio = variant.ratio
    return finish(result, per_side, checks)


def first_difference(ours, theirs):
    for i, (x, y) in enumerate(zip(ours.splitlines(), theirs.splitlines())):
        if x != y:
            return f"stdout line {i + 1}: chainrule {x!r}, PyTorch {y!r}"
    return "stdout lengths differ"


def run_workload(workload, settings, quick, log, infos, threads=None):
    variants = [v for v in workload.variants if (v.quick or not quick)
                and (threads is None or v.kind == "process" or v.threads in threads)]
    results = []
    for v in variants:
        if v.kind == "process":
            results.append(run_process(workload, v, settings, log))
    by_threads = {}
    for v in variants:
        if v.kind != "process":
            by_threads.setdefault(v.threads, []).append(v)
    for threads, group in by_threads.items():
        results.extend(run_in_children(workload, group, threads, settings, log, infos))
    return results


# --- printing --------------------------------------------------------------------------

def fmt(value, unit):
    if unit == "MiB":
        return f"{value:.1f} MiB"
    for scale, name in ((1, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if value >= scale:
            return f"{value / scale:.3g} {name}"
    return f"{value / 1e-9:.3g} ns"


def print_report(meta, results, infos, settings, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"chainrule {meta['chainrule']} vs PyTorch {meta['torch']}  "
      f"(NumPy {meta['numpy']}, Python {meta['python']})")
    p(f"machine: {meta['nproc']} usable CPUs of {meta['cpu_count']}, {meta['cpu']}; "
      f"{meta['platform']}; load average at start {fmt_load(meta['loadavg_start'])}")
    p(f"threads: {', '.join(THREAD_VARS)}=n and torch.set_num_threads(n) in every child, "
      f"n as listed per line ([threads=n])")
    p(f"method: {settings.rounds} round(s) per side, alternating chainrule, PyTorch, ... "
      f"each a fresh process; per round the median of >= {settings.min_reps} "
      f"repetitions; ratio = chainrule / PyTorch per round pair")
    p("bytecode: chainrule's compiled first, as pip install does for NumPy and PyTorch"
      if meta.get("bytecode_compiled") else
      "bytecode: chainrule's could NOT be compiled; whole-process lines include compiling")
    for name in dict.fromkeys(r.workload for r in results):
        group = [r for r in results if r.workload == name]
        p(f"\n{name}: {workloads.find(name).doc}")
        if all(r.status == "not available" for r in group):
            p(f"  NOT AVAILABLE: {group[0].message}")
            continue
        for res in group:
            print_result(p, res)
    mismatches = [r for r in results if r.check == "MISMATCH"]
    for r in mismatches:
        p(f"\n!!! MISMATCH in {r.workload} {r.variant}: {r.check_detail}")
    if meta.get("loadavg_end"):
        p(f"\nload average at end {fmt_load(meta['loadavg_end'])}")


def print_result(p, res):
    head = f"  {res.variant}  [threads={res.threads}]"
    if res.status != "ok":
        p(f"{head}  {res.status.upper()}: {res.message}")
        return
    check = res.check if res.check != "MISMATCH" else "!!! MISMATCH !!!"
    p(f"{head}  check: {check}" + (f" ({res.check_detail})" if res.check_detail else ""))
    for side, s in res.sides.items():
        per = " per step" if res.kind == "steps" else ""
        growth = (f"; growth after import, median {fmt(s['growth'], res.unit)}"
                  if s.get("growth") is not None else "")
        p(f"    {side:<10} median {fmt(s['median'], res.unit):>10}{per}"
          f"   (min {fmt(s['min'], res.unit)}, max {fmt(s['max'], res.unit)}{growth})")
    if res.ratios:
        pairs = " ".join(f"{r:.2f}" for r in res.ratios)
        a, b = res.ratio
        p(f"    ratio {a}/{b} per pair: {pairs}  -> median {res.ratio_median:.2f}x")
    if res.best and len(res.best) == 2:
        a, b = res.ratio
        p(f"    fastest repetition: {a} {fmt(res.best[a], res.unit)}, "
          f"{b} {fmt(res.best[b], res.unit)}  -> {res.best[a] / res.best[b]:.2f}x")


def markdown_table(results):
    """The results as a Markdown table, for ``docs/performance.md``."""
    lines = ["| workload | variant | threads | chainrule (median, min-max) | "
             "reference (median, min-max) | ratio: median of pairs (range) | "
             "fastest rep. ratio | check |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        if r.status != "ok":
            message = r.message.splitlines()[0] if r.message else r.status
            lines.append(f"| {r.workload} | {r.variant} | {r.threads} | {message} | | | | |")
            continue
        a, b = r.ratio
        cells = []
        for side in (a, b):
            s = r.sides[side]
            cells.append(f"{fmt(s['median'], r.unit)} ({fmt(s['min'], r.unit)} - "
                         f"{fmt(s['max'], r.unit)})")
        name_b = "PyTorch" if b == "pytorch" else b
        ratio = (f"{r.ratio_median:.2f}x ({min(r.ratios):.2f} - {max(r.ratios):.2f})"
                 if r.ratios else "")
        fastest = (f"{r.best[a] / r.best[b]:.2f}x" if r.best and len(r.best) == 2 else "")
        lines.append(f"| {r.workload} | {r.variant} | {r.threads} | {cells[0]} | "
                     f"{name_b}: {cells[1]} | {ratio} | {fastest} | {r.check} |")
    return "\n".join(lines)


def fmt_load(load):
    return " ".join(f"{x:.2f}" for x in load) if load else "?"


def main(argv=None):
    names = [w.name for w in workloads.WORKLOADS]
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="chainrule against PyTorch, alternating rounds in fresh processes.")
    parser.add_argument("--quick", action="store_true", help="a short smoke run (~1 minute)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--only", help="comma-separated workloads: " + ", ".join(names))
    parser.add_argument("--rounds", type=int, help="rounds per side (default 5, quick 2)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the results as a Markdown table")
    parser.add_argument("--threads", help="comma-separated thread counts to run (e.g. 1); "
                        "default: every line")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    if args.list:
        for w in workloads.WORKLOADS:
            print(f"{w.name:<16} {w.doc}")
        return 0
    selected = args.only.split(",") if args.only else names
    unknown = [n for n in selected if n not in names]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(names)}")
    settings = QUICK if args.quick else FULL
    if args.rounds:
        settings = Settings(**{**asdict(settings), "rounds": args.rounds})

    def log(message):
        print(message, file=sys.stderr, flush=True)

    meta = machine_info()
    meta["bytecode_compiled"] = compile_bytecode()
    infos = {}
    threads = {int(n) for n in args.threads.split(",")} if args.threads else None
    results = []
    for name in selected:
        results.extend(run_workload(workloads.find(name), settings, args.quick, log, infos,
                                    threads))
    meta["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    for side, dist in (("chainrule", "chainrule"), ("pytorch", "torch")):
        if side in infos:                      # what the children actually imported
            meta[dist] = infos[side]["library"]
    if args.json:
        print(json.dumps({"meta": meta, "settings": asdict(settings), "children": infos,
                          "results": [asdict(r) for r in results]}, indent=1))
    else:
        print_report(meta, results, infos, settings)
        if args.markdown:
            print("\n" + markdown_table(results))
    failed = [r for r in results if r.check == "MISMATCH" or r.status == "error"]
    return 1 if failed else 0
