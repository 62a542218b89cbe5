"""``torch.cuda`` as seen from a CPU-only library: nothing is available.

Course code often writes ``device = 'cuda' if torch.cuda.is_available() else 'cpu'``;
with chainrule that picks the CPU, as it should.
"""


def is_available():
    """Always False: chainrule computes on the CPU with NumPy."""
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored (there is no CUDA generator)."""


def manual_seed_all(seed):
    """Accepted and ignored (there is no CUDA generator)."""


def synchronize(device=None):
    """Nothing to wait for."""


def empty_cache():
    """Nothing to free."""
