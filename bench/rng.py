"""``python -m bench.rng``: chainrule's random numbers against PyTorch and NumPy.

The issue's two speed goals for random numbers, measured side by side in one process:

* a million normal numbers (``randn(1_000_000)``, float32 and float64) within 3x
  PyTorch's time;
* the per-call cost of a small draw (``randn(3)``, ``rand(3)``) within 2x NumPy's
  (``np.random.randn(3)`` and ``np.random.default_rng().standard_normal(3)``).

Each round times every contender in turn (chainrule, PyTorch, NumPy, ...), so a
machine that gets busier part-way slows all of them alike; the ratio of each round
is taken and the median over rounds reported. Times are CPU time of this process
(``time.process_time``), which a busy machine disturbs less than wall time; torch is
kept to one thread so that its CPU time is its wall time too. Before timing, each
chainrule result is checked bit for bit against PyTorch's after the same seed.

    python -m bench.rng              # 15 rounds (about a minute)
    python -m bench.rng --rounds 5   # quicker
"""
import argparse
import statistics
import time

import numpy as np
import torch

import chainrule


def per_call(fn, seconds):
    """CPU seconds per call of ``fn``: repeat until ``seconds`` have passed."""
    fn()
    calls, start = 0, time.process_time()
    while True:
        for _ in range(max(1, calls)):      # double the batch until the time is up
            fn()
        calls += max(1, calls)
        spent = time.process_time() - start
        if spent >= seconds:
            return spent / calls


def check_bits():
    """chainrule's draws equal PyTorch's after the same seed (else the timing is moot)."""
    for make in (lambda m: m.randn(1_000_000), lambda m: m.randn(1_000_000, dtype=m.float64),
                 lambda m: [m.randn(3) for _ in range(500)][-1],
                 lambda m: [m.rand(3) for _ in range(500)][-1]):
        chainrule.manual_seed(7)
        torch.manual_seed(7)
        mine, theirs = make(chainrule), make(torch)
        assert mine.numpy().tobytes() == theirs.numpy().tobytes(), "not bit for bit"
    assert chainrule.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()


def comparisons():
    rng = np.random.default_rng()
    big = 1_000_000
    return [
        # (title, chainrule, [(reference name, reference)], seconds per measurement)
        ("randn(1_000_000) float32", lambda: chainrule.randn(big),
         [("torch", lambda: torch.randn(big)),
          ("np.random.default_rng().standard_normal(float32)",
           lambda: rng.standard_normal(big, dtype=np.float32))], 0.3),
        ("randn(1_000_000) float64", lambda: chainrule.randn(big, dtype=chainrule.float64),
         [("torch", lambda: torch.randn(big, dtype=torch.float64))], 0.3),
        ("randn(3)", lambda: chainrule.randn(3),
         [("torch", lambda: torch.randn(3)), ("np.random.randn(3)", lambda: np.random.randn(3)),
          ("default_rng().standard_normal(3)", lambda: rng.standard_normal(3))], 0.05),
        ("rand(3)", lambda: chainrule.rand(3),
         [("torch", lambda: torch.rand(3)), ("np.random.rand(3)", lambda: np.random.rand(3)),
          ("default_rng().random(3)", lambda: rng.random(3))], 0.05),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    check_bits()
    print(f"chainrule vs torch {torch.__version__} vs numpy {np.__version__}: "
          f"median of {args.rounds} rounds, CPU time per call")
    for title, mine, references, seconds in comparisons():
        times = {"chainrule": []}
        times.update({name: [] for name, _ in references})
        for _ in range(args.rounds):
            times["chainrule"].append(per_call(mine, seconds))
            for name, reference in references:
                times[name].append(per_call(reference, seconds))
        unit, scale = ("ms", 1e3) if "1_000_000" in title else ("us", 1e6)
        print(f"\n{title}")
        print(f"  {'chainrule':50s} {statistics.median(times['chainrule']) * scale:9.2f} {unit}")
        for name, _ in references:
            ratio = statistics.median(a / b for a, b in zip(times["chainrule"], times[name]))
            print(f"  {name:50s} {statistics.median(times[name]) * scale:9.2f} {unit}"
                  f"   chainrule / this = {ratio:.2f}")


if __name__ == "__main__":
    main()
