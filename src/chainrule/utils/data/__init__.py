"""``chainrule.utils.data``: datasets, samplers and ``DataLoader``, as ``torch.utils.data``.

The pieces, each in its own file:

* ``dataset.py``: where samples come from (``Dataset``, ``TensorDataset``,
  ``Subset``, ``random_split``, ...);
* ``sampler.py``: in which order they are visited (``RandomSampler``, ...);
* ``_collate.py``: how a list of samples becomes one batch (``default_collate``);
* ``dataloader.py``: the loop that ties them together (``DataLoader``);
* ``_fetch.py`` and ``_worker.py``: fetching a batch, and workers.

>>> import chainrule as torch
>>> from chainrule.utils.data import DataLoader, TensorDataset
>>> x = torch.tensor([1.0, 2.0, 3.0, 4.0])
>>> loader = DataLoader(TensorDataset(x, 2 * x), batch_size=2)
>>> [(xb.tolist(), yb.tolist()) for xb, yb in loader]
[([1.0, 2.0], [2.0, 4.0]), ([3.0, 4.0], [6.0, 8.0])]
"""
from ._collate import default_collate, default_convert
from ._worker import WorkerInfo, get_worker_info
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                      Subset, TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
           "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler",
           "WorkerInfo", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
