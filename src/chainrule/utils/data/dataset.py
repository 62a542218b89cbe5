"""Datasets: where the samples come from.

A *map-style* dataset answers two questions, ``len(ds)`` and ``ds[i]``; a
:class:`DataLoader` asks a sampler for indices and fetches ``ds[i]`` for each.
An *iterable-style* dataset (:class:`IterableDataset`) is a stream instead: the
loader simply iterates over it.

>>> import chainrule as torch
>>> from chainrule.utils.data import TensorDataset, random_split
>>> ds = TensorDataset(torch.arange(6.0), torch.tensor([0, 1, 0, 1, 0, 1]))
>>> len(ds), ds[1]
(6, (tensor(1.), tensor(1)))
>>> _ = torch.manual_seed(0)
>>> train, test = random_split(ds, [4, 2])
>>> train.indices, test.indices
([2, 5, 3, 0], [1, 4])

Everything here follows ``torch.utils.data.dataset``: the same classes, errors and
the same random draws, so ``random_split`` after ``manual_seed`` splits exactly
as PyTorch does.
"""
import bisect
import itertools
import math
import warnings
from typing import Generic, TypeVar

from ..._random_ops import randperm

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]


T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):          # Generic: ``Dataset[Tensor]`` works in type hints
    """A map-style dataset: subclasses define ``__getitem__`` (and usually ``__len__``).

    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> [Squares()[i] for i in range(4)]
    [0, 1, 4, 9]
    >>> len(Squares() + Squares())        # ``+`` concatenates
    8
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define ``__iter__``.

    Use it when samples arrive one after another (a file read line by line, a
    generator) rather than by index. A DataLoader cannot shuffle it.

    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(3))
    >>> list(Count() + Count())            # ``+`` chains the streams
    [0, 1, 2, 0, 1, 2]
    """

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows: ``ds[i] == (t[i] for t in tensors)``.

    All tensors must have the same size in dimension 0.

    >>> import chainrule as torch
    >>> ds = TensorDataset(torch.ones(3, 2), torch.zeros(3))
    >>> ds[0]
    (tensor([1., 1.]), tensor(0.))
    """

    def __init__(self, *tensors):
        if any(tensors[0].size(0) != tensor.size(0) for tensor in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Zip datasets of equal length: ``StackDataset(a, b)[i] == (a[i], b[i])``;
    with keywords, ``StackDataset(x=a, y=b)[i] == {"x": a[i], "y": b[i]}``.

    >>> StackDataset(x=[1, 2], y=["a", "b"])[1]
    {'x': 2, 'y': 'b'}
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or"
                             "``dict``- (via ``kwargs``) like input/output, but both types "
                             "are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(self._length != len(dataset) for dataset in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Datasets one after another: index ``i`` is looked up in the right part.

    ``cumulative_sizes`` holds the running totals of the parts' lengths, so
    finding the part is a binary search (``bisect``).

    >>> ds = ConcatDataset([[10, 11], [20, 21, 22]])
    >>> ds.cumulative_sizes, ds[2], ds[-1]
    ([2, 5], 20, 22)
    """

    @staticmethod
    def cumsum(sequence):
        totals, running = [], 0
        for part in sequence:
            running += len(part)
            totals.append(running)
        return totals

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        part = bisect.bisect_right(self.cumulative_sizes, idx)
        start = 0 if part == 0 else self.cumulative_sizes[part - 1]
        return self.datasets[part][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another (the stream version of ConcatDataset)."""

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``Subset(ds, idx)[i] == ds[idx[i]]``.

    >>> Subset(["a", "b", "c", "d"], [3, 0])[0]
    'd'
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        # The DataLoader fetches a batch through __getitems__; a subclass that changes
        # only __getitem__ would be silently bypassed, so PyTorch refuses it.
        if (type(self).__getitem__ is not Subset.__getitem__
                and type(self).__getitems__ is Subset.__getitems__):
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. "
                "When subclassing Subset and overriding __getitem__, you must also override "
                "__getitems__ to ensure DataLoader works correctly with your custom logic. "
                "A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        """A whole batch at once (the DataLoader's fast path)."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` at random into non-overlapping subsets of the given lengths.

    ``lengths`` are sizes (summing to ``len(dataset)``) or fractions (summing to
    1): fraction ``f`` gives ``floor(f * len(dataset))`` items, and the items left
    over are handed out one at a time, round robin, from the first split on.
    The order is one ``randperm(len(dataset))`` from ``generator`` (default: the
    global generator), exactly as in PyTorch.

    >>> import chainrule as torch
    >>> g = torch.Generator().manual_seed(42)
    >>> [s.indices for s in random_split(range(5), [0.6, 0.4], generator=g)]
    [[2, 4, 3], [0, 1]]
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(len(dataset), lengths)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]


def _lengths_from_fractions(total, fractions):
    """``[0.5, 0.5]`` of 5 items -> ``[3, 2]`` (floors, then the remainder round robin)."""
    lengths = []
    for i, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(total * fraction))
    for i in range(total - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. "
                          f"This might result in an empty dataset.", stacklevel=3)
    return lengths
