"""Every example in chainrule's docstrings runs and prints what it shows.

The examples are the first code a newcomer reads; they are run with ``doctest``, in a
separate process (some change global state: the seed, the default dtype, print
options), module by module.
"""
import subprocess
import sys

SCRIPT = r"""
import doctest, importlib, pkgutil
import chainrule
flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
attempted, failures = 0, []
for info in pkgutil.walk_packages(chainrule.__path__, "chainrule."):
    if info.name.endswith("__main__"):
        continue
    module = importlib.import_module(info.name)
    result = doctest.testmod(module, optionflags=flags, report=True)
    attempted += result.attempted
    if result.failed:
        failures.append(info.name)
print("ATTEMPTED", attempted)
print("FAILED", " ".join(failures) or "-")
"""


def test_every_docstring_example_runs():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    attempted = int(next(l for l in lines if l.startswith("ATTEMPTED")).split()[1])
    failed = next(l for l in lines if l.startswith("FAILED")).split()[1:]
    assert attempted > 500, attempted               # the examples were found
    assert failed == ["-"], done.stdout[-6000:]
