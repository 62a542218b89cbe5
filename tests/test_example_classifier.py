"""``examples/train_classifier.py`` trains end to end with chainrule, and prints PyTorch's numbers.

The example is a plain PyTorch script. It is run twice, in fresh processes: by
Python with the real PyTorch, and by ``python -m chainrule run``. The two outputs
must be identical, and the accuracy must rise, end high, and survive the
checkpoint (saved to disk and loaded into a fresh model).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "train_classifier.py"


def run(*command):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, *command, str(EXAMPLE)], capture_output=True,
                          text=True, env=env, timeout=240, cwd=EXAMPLE.parent)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_example_trains_and_prints_what_pytorch_prints():
    ours = run("-m", "chainrule", "run")
    accuracies = [float(a) for a in re.findall(r"test accuracy (\d\.\d+)", ours)]
    before, per_epoch, restored = accuracies[0], accuracies[1:-1], accuracies[-1]
    assert len(per_epoch) == 10
    assert before < 0.5 < per_epoch[0] < per_epoch[-1]          # it learns...
    assert per_epoch[-1] >= 0.9                                 # ...well
    assert restored == per_epoch[-1]                            # the checkpoint holds it all
    assert ours == run()                                        # and PyTorch agrees exactly
