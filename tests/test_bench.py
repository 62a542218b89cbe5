"""The benchmark suite runs, checks its answers and prints ratios (``bench/``).

These tests assert nothing about speed: timings depend on the machine. They check
that ``python -m bench --quick`` completes on a small subset, that it compares the
libraries' losses, and that a disagreement would be reported.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))            # ``bench`` lives at the repository root

from bench import workloads                                   # noqa: E402
from bench.run import compare_losses, pair_ratios             # noqa: E402
SUBSET = "seed-linear,op-overhead"


def run_bench(*args):
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", SUBSET, *args],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def report():
    return run_bench("--rounds", "1")


@pytest.fixture(scope="module")
def report_json():
    return json.loads(run_bench("--json", "--rounds", "1"))


def test_quick_run_prints_ratios_and_versions(report):
    assert "seed-linear" in report and "op-overhead" in report
    assert "ratio chainrule/pytorch per pair" in report
    assert "chainrule" in report and "PyTorch 2.13" in report
    assert "OMP_NUM_THREADS" in report


def test_quick_run_checks_the_answers(report):
    assert "MISMATCH" not in report
    assert report.count("check: ok") == 5          # seed-linear + four op-overhead lines


def test_json_has_a_ratio_for_every_variant(report_json):
    results = report_json["results"]
    assert {r["workload"] for r in results} == set(SUBSET.split(","))
    for r in results:
        assert r["status"] == "ok", r
        assert r["check"] == "ok", r
        assert set(r["sides"]) == {"chainrule", "pytorch"}
        assert r["ratio_median"] > 0
    assert report_json["meta"]["torch"].startswith("2.13")


def test_a_wrong_loss_is_a_mismatch():
    ok, detail = compare_losses([1.0, 2.0], [1.0, 2.0 + 1e-7])
    assert ok, detail
    ok, detail = compare_losses([1.0, 2.5], [1.0, 2.0])
    assert not ok and "step 1" in detail
    ok, _ = compare_losses([1.0], [1.0, 2.0])
    assert not ok


def test_ratios_pair_rounds_in_order():
    assert pair_ratios([2.0, 3.0], [1.0, 2.0]) == [2.0, 1.5]


def test_networks_report_what_is_missing():
    class Empty:
        pass

    lib = Empty()
    lib.nn = Empty()
    lib.optim = Empty()
    assert workloads.missing_names(lib, workloads.MLP_NEEDS) == workloads.MLP_NEEDS


def test_unknown_workload_is_an_error():
    proc = subprocess.run([sys.executable, "-m", "bench", "--only", "nope"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 2 and "unknown workload" in proc.stderr


def test_before_and_after_compares_two_checkouts():
    # HEAD against the working tree: a number per variant, and the worktree cleaned up
    def worktrees():
        return subprocess.run(["git", "worktree", "list"], capture_output=True, text=True,
                              cwd=REPO).stdout
    before = worktrees()
    proc = subprocess.run([sys.executable, "-m", "bench.ab", "HEAD", "seed-linear",
                           "--rounds", "1"], capture_output=True, text=True, cwd=REPO,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "seed-linear step: before" in proc.stdout and "after/before" in proc.stdout
    assert worktrees() == before


def test_parts_times_each_part_beside_pytorch(capsys):
    from bench import parts
    parts.main(["mlp", "--steps", "20"])
    out = capsys.readouterr().out
    for part in ("model(x)", "loss", "backward", "step", "zero_grad", "sum"):
        row = next(line for line in out.splitlines() if line.startswith(part + " "))
        chainrule_us, torch_us, ratio = (float(v) for v in row.split()[1:])
        assert chainrule_us > 0 and torch_us > 0
        assert abs(ratio - chainrule_us / torch_us) < 0.01 * ratio + 0.01
