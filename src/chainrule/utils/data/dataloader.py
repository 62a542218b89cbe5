"""The DataLoader: mini-batches from a dataset, one epoch per ``for`` loop.

Each batch is made in three steps, all visible below:

1. the *index sampler* gives the indices of the next batch
   (a :class:`BatchSampler` around a Sequential or Random sampler);
2. the *fetcher* looks them up: ``[dataset[i] for i in indices]``;
3. ``collate_fn`` (``default_collate``) stacks the samples into tensors.

>>> import chainrule as torch
>>> from chainrule.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(torch.arange(5.0), torch.tensor([0, 1, 0, 1, 0]))
>>> for x, y in DataLoader(ds, batch_size=2):
...     print(x, y)
tensor([0., 1.]) tensor([0, 1])
tensor([2., 3.]) tensor([0, 1])
tensor([4.]) tensor([0])

Randomness matches PyTorch draw for draw: every ``iter(loader)`` takes one
64-bit ``base_seed`` from the global generator (or from ``generator=``), then
``shuffle=True`` lets :class:`RandomSampler` take one more at the first batch.
So ``manual_seed(s)`` gives PyTorch's shuffled order, epoch after epoch.

Workers. ``num_workers > 0`` does not start processes: the workers are acted
out one after another in this process (see ``_worker.py``), each with the
random state its process would have had, so the batches are PyTorch's.
"""
import itertools
import math
import os
import warnings
from typing import Generic, TypeVar

from ..._dtype import int64
from ..._factories import empty
from ._collate import default_collate, default_convert
from ._fetch import _DatasetKind
from ._worker import (ExceptionWrapper, IterableDatasetStopIteration, SerialWorker,
                      get_worker_info)
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

_START_METHODS = ("fork", "spawn", "forkserver")


class _InfiniteConstantSampler(Sampler):
    """The 'sampler' of an iterable dataset: ``None`` forever (the data has no index)."""

    def __iter__(self):
        while True:
            yield None


T_co = TypeVar("T_co", covariant=True)


class DataLoader(Generic[T_co]):       # Generic: ``DataLoader[Tensor]`` works in type hints
    """Iterate over ``dataset`` in mini-batches (``torch.utils.data.DataLoader``).

    Args: ``batch_size`` (default 1; ``None`` turns batching off), ``shuffle``,
    ``sampler``, ``batch_sampler``, ``num_workers``, ``collate_fn``,
    ``pin_memory`` (no effect on the CPU), ``drop_last``, ``timeout``,
    ``worker_init_fn``, ``multiprocessing_context``, ``generator``, and the
    keywords ``prefetch_factor``, ``persistent_workers``, ``pin_memory_device``,
    ``in_order``. ``len(loader)`` is the number of batches.

    >>> import chainrule as torch
    >>> loader = DataLoader(list(range(10)), batch_size=4, shuffle=True)
    >>> len(loader)
    3
    >>> _ = torch.manual_seed(0)
    >>> [b.tolist() for b in loader]
    [[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = _check_context(multiprocessing_context, num_workers)
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:             # the default samplers
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                          "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self):
        """A new epoch (persistent workers keep one iterator and rewind it)."""
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        return _MultiProcessingDataLoaderIter(self)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        """What yields one *batch* of indices (or one index when batching is off)."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            # A stream has no sampler to ask: estimate from the dataset's own length.
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = (length // self.batch_size if self.drop_last
                          else math.ceil(length / self.batch_size))
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """PyTorch's warning when asking for more workers than this machine has CPUs."""
        if not self.num_workers:
            return
        has_affinity = hasattr(os, "sched_getaffinity")
        cpus = len(os.sched_getaffinity(0)) if has_affinity else os.cpu_count()
        if cpus is not None and self.num_workers <= cpus:
            return
        if cpus is None:
            suggestion = ("DataLoader is not able to compute a suggested max number of worker "
                          "in current system.")
        else:
            cpuset = "" if has_affinity else " (`cpuset` is not taken into account)"
            suggestion = (f"Our suggested max number of worker in current system is {cpus}"
                          f"{cpuset}, which is smaller than what this DataLoader is going to "
                          "create.")
        warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                      f"total. {suggestion} Please be aware that excessive worker creation "
                      "might get DataLoader running slow or even freeze, lower the worker "
                      "number to avoid potential slowness/freeze if necessary.", stacklevel=3)


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers):
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _check_context(context, num_workers):
    """``multiprocessing_context`` is validated as in PyTorch, then unused."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError("multiprocessing_context can only be used with multi-process loading "
                         f"(num_workers > 0), but got num_workers={num_workers}")
    if isinstance(context, str) and context not in _START_METHODS:
        raise ValueError("multiprocessing_context option should specify a valid start method "
                         f"in {list(_START_METHODS)!r}, but got "
                         f"multiprocessing_context={context!r}")
    return context


# ------------------------------------------------------------------------ iterators

class BaseDataLoaderIter:
    """One epoch: the sampler's iterator plus the ``base_seed`` drawn for the workers."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # PyTorch draws this seed for worker processes even when there are none,
        # and the draw moves the global generator: so must we.
        self._base_seed = int(empty((), dtype=int64).random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)        # StopIteration ends the epoch

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable
                and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            message = (f"Length of IterableDataset {self._dataset} was reported to be "
                       f"{self._IterableDataset_len_called}(when accessing len(dataloader)), "
                       f"but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                message += ("For multiprocessing data-loading, this could be caused by not "
                            "properly configuring the IterableDataset replica at each worker. "
                            "Please see https://pytorch.org/docs/stable/data.html#torch.utils."
                            "data.IterableDataset for examples.")
            warnings.warn(message, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter(BaseDataLoaderIter):
    """``num_workers=0``: fetch each batch right here when it is asked for."""

    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()
        return self._dataset_fetcher.fetch(index)


class _MultiProcessingDataLoaderIter(BaseDataLoaderIter):
    """``num_workers > 0``: PyTorch's bookkeeping, with the workers acted out in turn.

    The main side is PyTorch's: it keeps ``prefetch_factor * num_workers`` batches
    of indices handed out ahead (so the sampler runs ahead, as it does there),
    gives them to the workers round robin, and returns the results in the order
    they were handed out (``in_order=False`` changes nothing: serial workers
    always finish in order). A :class:`SerialWorker` fetches a batch when its
    result is needed.
    """

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        is_iterable = self._dataset_kind == _DatasetKind.Iterable

        def make_fetcher(dataset):
            return _DatasetKind.create_fetcher(self._dataset_kind, dataset,
                                               self._auto_collation, self._collate_fn,
                                               self._drop_last)

        self._workers = [SerialWorker(i, self._num_workers, self._base_seed, self._dataset,
                                      is_iterable, loader.worker_init_fn, make_fetcher)
                         for i in range(self._num_workers)]
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0                  # the next batch to hand out
        self._rcvd_idx = 0                  # the next batch to return
        self._task_info = {}                # batch number -> the worker doing it
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for worker in self._workers:
                worker.resume()
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self):
        """Hand the sampler's next batch of indices to the next worker still going."""
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return                          # every worker has finished
        self._workers[worker_id].queue.append((self._send_idx, index))
        self._task_info[self._send_idx] = worker_id
        self._send_idx += 1

    def _next_data(self):
        while True:
            # Skip batches handed to workers that have since run out of data.
            while self._rcvd_idx < self._send_idx:
                if self._workers_status[self._task_info[self._rcvd_idx]]:
                    break
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                raise StopIteration
            worker_id = self._task_info.pop(self._rcvd_idx)
            data = self._workers[worker_id].result(self._rcvd_idx)
            self._rcvd_idx += 1
            if isinstance(data, IterableDatasetStopIteration):
                self._workers_status[worker_id] = False
                self._try_put_index()
                continue
            self._try_put_index()
            if isinstance(data, ExceptionWrapper):
                data.reraise()
            return data
