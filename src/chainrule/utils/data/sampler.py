"""Samplers: in which order a DataLoader visits a map-style dataset.

A sampler is any iterable of indices. :class:`BatchSampler` groups those indices
into lists, one list per mini-batch.

>>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
[[0, 1, 2], [3, 4, 5], [6]]

Random samplers draw exactly what PyTorch's draw. ``RandomSampler`` without a
generator takes one 64-bit number from the global generator *when iteration
starts*, seeds a private ``Generator`` with it, and shuffles with
``randperm(n, generator=private)``. So after ``manual_seed(s)`` the epochs come
out in PyTorch's order:

>>> import chainrule as torch
>>> _ = torch.manual_seed(0)
>>> list(RandomSampler(range(5)))
[1, 3, 4, 2, 0]
"""
import itertools
from typing import Generic, TypeVar

from ... import _generator
from ..._dtype import float64, int64
from ..._factories import as_tensor, empty
from ..._random_ops import multinomial, randint, randperm

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]


T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):          # Generic: ``Sampler[int]`` works in type hints
    """Base class: a sampler defines ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source=None):
        """``data_source`` is accepted and ignored, as in PyTorch."""

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, every epoch the same.

    >>> list(SequentialSampler("abc"))
    [0, 1, 2]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random order every epoch (what ``DataLoader(shuffle=True)`` uses).

    Without replacement, each epoch is a permutation (several back to back when
    ``num_samples`` exceeds the dataset). With ``replacement=True``, indices are
    drawn independently, 32 at a time, with ``randint`` (repeats allowed).

    >>> import chainrule as torch
    >>> g = torch.Generator().manual_seed(1)
    >>> list(RandomSampler(range(10), replacement=True, num_samples=4, generator=g))
    [5, 9, 4, 8]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self):
        # A generator function: nothing below runs (and nothing is drawn) until
        # the first index is asked for -- the same moment PyTorch draws.
        n = len(self.data_source)
        if self.generator is None:
            seed = int(empty((), dtype=int64).random_().item())
            generator = _generator.Generator()
            generator.manual_seed(seed)
        else:
            generator = self.generator
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from randint(high=n, size=(32,), dtype=int64,
                                   generator=generator).tolist()
            yield from randint(high=n, size=(self.num_samples % 32,), dtype=int64,
                               generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            # PyTorch draws this last permutation even when it keeps none of it
            # (num_samples % n == 0); with a shared generator= that draw matters.
            yield from randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order (a new one each epoch).

    >>> import chainrule as torch
    >>> g = torch.Generator().manual_seed(0)
    >>> list(SubsetRandomSampler([10, 20, 30], generator=g))
    [30, 10, 20]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices, index ``i`` drawn with probability ``weights[i] / sum``.

    The weights need not sum to one; the draw is ``torch.multinomial``.

    >>> import chainrule as torch
    >>> g = torch.Generator().manual_seed(0)
    >>> list(WeightedRandomSampler([0.5, 0.5, 0.0], 6, generator=g))   # never 2
    [1, 1, 0, 1, 1, 1]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if (not isinstance(num_samples, int) or isinstance(num_samples, bool)
                or num_samples <= 0):
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights_tensor = as_tensor(weights, dtype=float64)
        if len(weights_tensor.shape) != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        yield from iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    The last list is shorter when the sizes do not divide, unless ``drop_last``.

    >>> list(BatchSampler(range(5), batch_size=2, drop_last=True))
    [[0, 1], [2, 3]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        if self.drop_last:
            # zip over batch_size references to ONE iterator takes batch_size
            # consecutive indices per tuple and stops before a partial batch.
            for batch in zip(*[indices] * self.batch_size):
                yield list(batch)
        else:
            batch = list(itertools.islice(indices, self.batch_size))
            while batch:
                yield batch
                batch = list(itertools.islice(indices, self.batch_size))

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
