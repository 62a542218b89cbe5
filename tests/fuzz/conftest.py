"""The fuzzer's budget: a fixed, seeded 2,000 programs in CI, any number in long mode.

    pytest tests/fuzz                           # CI: 2,000 programs, derandomized
    pytest tests/fuzz --fuzz-examples 100000    # long mode: fresh random programs
    CHAINRULE_FUZZ_EXAMPLES=100000 pytest tests/fuzz

(``--fuzz-examples`` is known to pytest when ``tests/fuzz`` is on the command line;
the environment variable works however pytest is started.)
"""
import os


def pytest_addoption(parser):
    parser.addoption("--fuzz-examples", type=int, default=None,
                     help="run this many random programs in the differential fuzzer, "
                          "with a fresh random seed (default: 2,000, seeded)")


def pytest_configure(config):
    examples = config.getoption("--fuzz-examples", default=None)
    if examples:
        os.environ["CHAINRULE_FUZZ_EXAMPLES"] = str(examples)
