"""``torch.random``: seeding, saving and restoring the default generator.

Every random function draws from ``chainrule.default_generator`` unless it is given
``generator=``. Seeding it makes a program repeat its numbers, and PyTorch's:

>>> import chainrule as torch
>>> _ = torch.manual_seed(42)
>>> torch.rand(2)
tensor([0.8823, 0.9150])
>>> state = torch.get_rng_state()        # 5056 bytes, PyTorch's layout
>>> a = torch.rand(2)
>>> torch.set_rng_state(state)
>>> torch.equal(torch.rand(2), a)
True
"""
import contextlib

from ._generator import Generator, default_generator

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]


def manual_seed(seed):
    """Seed the default generator and return it.

    ``int(seed)`` must lie in ``[-2**63, 2**64)``; negative seeds wrap as 64-bit
    two's complement. Only the low 32 bits choose the stream.
    """
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator from the OS (``os.urandom``); returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: a ``uint8`` tensor of 5056 bytes.

    The bytes are PyTorch's: ``torch.set_rng_state`` accepts them, and chainrule's
    ``set_rng_state`` accepts PyTorch's.
    """
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator from a state given by ``get_rng_state``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """A ``with`` block whose random draws leave the default generator untouched.

    On leaving the block the generator's state is put back as it was on entering.
    ``devices`` and ``device_type`` are accepted for PyTorch's signature (chainrule
    has no CUDA generators). With ``enabled=False`` nothing is saved or restored.

    >>> import chainrule as torch
    >>> _ = torch.manual_seed(0)
    >>> with torch.random.fork_rng():
    ...     _ = torch.rand(100)
    >>> torch.rand(1)                     # as if the block never drew
    tensor([0.4963])
    """
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)
