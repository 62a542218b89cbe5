"""Named pairs returned by ops such as ``max(dim)`` and ``sort``, printed as PyTorch's.

>>> import chainrule as torch
>>> torch.tensor([[1, 5], [7, 2]]).max(dim=1)
torch.return_types.max(
values=tensor([5, 7]),
indices=tensor([1, 0]))
"""
from collections import namedtuple


def _named_pair(name):
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self):
        return (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")

    return type(name, (base,), {"__repr__": __repr__, "__slots__": (),
                                "__module__": "torch.return_types"})


max = _named_pair("max")
min = _named_pair("min")
sort = _named_pair("sort")
topk = _named_pair("topk")
kthvalue = _named_pair("kthvalue")
median = _named_pair("median")
mode = _named_pair("mode")
cummax = _named_pair("cummax")
cummin = _named_pair("cummin")
