"""Bad input gets PyTorch's exception, with PyTorch's message, never a NumPy traceback.

Each case is ``call(torch)``: it builds its inputs with the library it is given and
misuses an op. The same call is made with chainrule, and the exception type and
message must be PyTorch's.
"""
import numpy as np
import pytest
import torch

import chainrule
from _harness import Outcome, assert_same_error


def x(lib, *shape, dtype="float32"):
    """A tensor 0, 1, 2, ... of ``shape`` (values do not matter for these checks)."""
    return lib.tensor(np.arange(int(np.prod(shape))).reshape(shape), dtype=getattr(lib, dtype))


def leaf(lib, *shape):
    return x(lib, *shape).requires_grad_(True)


def idx(lib, *values):
    return lib.tensor(list(values))


SHAPE_MISMATCH = {
    "add": lambda t: x(t, 2, 3) + x(t, 4),
    "sub_scalar_first": lambda t: x(t, 2, 1, 3) - x(t, 2, 2),
    "mul": lambda t: x(t, 2, 3) * x(t, 3, 2),
    "div": lambda t: x(t, 5) / x(t, 4),
    "pow": lambda t: x(t, 3) ** x(t, 2),
    "remainder": lambda t: x(t, 3) % x(t, 2),
    "maximum": lambda t: t.maximum(x(t, 3), x(t, 2)),
    "where": lambda t: t.where(x(t, 3) > 0, x(t, 2), x(t, 3)),
    "where_cond": lambda t: t.where(x(t, 4) > 0, x(t, 3), x(t, 3)),
    "where_other": lambda t: t.where(x(t, 2, 1) > 0, x(t, 3), x(t, 2, 2)),
    "lerp": lambda t: t.lerp(x(t, 3), x(t, 2), 0.5),
    "clamp_tensor": lambda t: t.clamp(x(t, 3), x(t, 2)),
    "eq": lambda t: x(t, 2, 3) == x(t, 3, 2),
    "lt": lambda t: t.lt(x(t, 4), x(t, 3)),
    "isclose": lambda t: t.isclose(x(t, 4), x(t, 3)),
    "matmul": lambda t: x(t, 2, 3) @ x(t, 4, 5),
    "matmul_vv": lambda t: x(t, 3) @ x(t, 4),
    "matmul_mv": lambda t: x(t, 2, 3) @ x(t, 4),
    "matmul_vm": lambda t: x(t, 4) @ x(t, 2, 3),
    "matmul_batched": lambda t: x(t, 2, 2, 3) @ x(t, 2, 4, 5),
    "matmul_batch": lambda t: x(t, 2, 2, 3) @ x(t, 3, 3, 5),
    "matmul_0d": lambda t: x(t) @ x(t, 3),
    "mm": lambda t: t.mm(x(t, 2, 3), x(t, 4, 5)),
    "mm_1d": lambda t: t.mm(x(t, 3), x(t, 3, 5)),
    "mm_dtype": lambda t: t.mm(x(t, 2, 3), x(t, 3, 5, dtype="float64")),
    "bmm": lambda t: t.bmm(x(t, 2, 2, 3), x(t, 3, 3, 5)),
    "bmm_2d": lambda t: t.bmm(x(t, 2, 3), x(t, 3, 5)),
    "mv": lambda t: t.mv(x(t, 2, 3), x(t, 4)),
    "dot": lambda t: t.dot(x(t, 3), x(t, 4)),
    "dot_2d": lambda t: t.dot(x(t, 3, 1), x(t, 3)),
    "dot_dtype": lambda t: t.dot(x(t, 3), x(t, 3, dtype="float64")),
    "cat": lambda t: t.cat([x(t, 2, 3), x(t, 2, 4)]),
    "cat_ndim": lambda t: t.cat([x(t, 2, 3), x(t, 3)]),
    "cat_empty_list": lambda t: t.cat([]),
    "cat_0d": lambda t: t.cat([x(t), x(t)]),
    "cat_tensor": lambda t: t.cat(x(t, 2, 3)),
    "stack": lambda t: t.stack([x(t, 2, 3), x(t, 3, 2)]),
    "stack_empty": lambda t: t.stack([]),
    "view": lambda t: x(t, 2, 3).view(4, 2),
    "view_two_inferred": lambda t: x(t, 2, 3).view(-1, -1),
    "view_infer": lambda t: x(t, 2, 3).view(-1, 4),
    "view_non_contiguous": lambda t: x(t, 2, 3).t().view(6),
    "view_negative": lambda t: x(t, 2, 3).view(-2, 3),
    "reshape_negative": lambda t: x(t, 2, 3).reshape(3, -3),
    "reshape": lambda t: x(t, 2, 3).reshape(5),
    "expand": lambda t: x(t, 2, 3).expand(4, 3),
    "expand_fewer": lambda t: x(t, 2, 3).expand(3),
    "expand_leading_minus_one": lambda t: x(t, 3).expand(-1, 3),
    "gather_bounds": lambda t: t.gather(x(t, 2, 3), 1, idx(t, [0, 3])),
    "gather_negative": lambda t: t.gather(x(t, 2, 3), 1, idx(t, [-1, 0])),
    "gather_ndim": lambda t: t.gather(x(t, 2, 3), 1, idx(t, 0, 1)),
    "gather_dtype": lambda t: t.gather(x(t, 2, 3), 1, idx(t, [0, 1]).short()),
    "gather_float_index": lambda t: t.gather(x(t, 2, 3), 1, x(t, 1, 2)),
    "gather_size": lambda t: t.gather(x(t, 2, 3), 1, idx(t, [0], [1], [2])),
    "scatter_bounds": lambda t: x(t, 2, 3).scatter(1, idx(t, [0, 3]), x(t, 1, 2)),
    "scatter_dtype": lambda t: x(t, 2, 3).scatter(1, idx(t, [0, 1]), x(t, 1, 2, dtype="float64")),
    "scatter_negative": lambda t: x(t, 2, 3).scatter(1, idx(t, [-1]), 1.0),
    "scatter_size": lambda t: x(t, 2, 3).scatter(1, idx(t, [0], [1], [1]), x(t, 3, 1)),
    "scatter_ndim": lambda t: x(t, 2, 3).scatter(1, idx(t, 0), x(t, 1)),
    "scatter_add_bounds": lambda t: x(t, 2, 3).scatter_add(1, idx(t, [3]), x(t, 1, 1)),
    "index_select_negative": lambda t: x(t, 2, 3).index_select(0, idx(t, -1)),
    "index_select_float": lambda t: x(t, 2, 3).index_select(0, x(t, 1)),
    "index_select_bounds": lambda t: t.index_select(x(t, 2, 3), 0, idx(t, 2)),
    "index_select_2d": lambda t: t.index_select(x(t, 2, 3), 0, idx(t, [0])),
    "masked_fill_float_mask": lambda t: x(t, 2, 3).masked_fill(x(t, 2, 3), 0.0),
    "masked_fill_value_dim": lambda t: x(t, 2, 3).masked_fill(x(t, 2, 3) > 1, x(t, 2)),
    "masked_fill_shape": lambda t: x(t, 2, 3).masked_fill(x(t, 2) > 0, 1.0),
    "masked_select_float_mask": lambda t: x(t, 2, 3).masked_select(x(t, 3)),
    "masked_select_shape": lambda t: x(t, 2, 3).masked_select(x(t, 2) > 0),
    "take_bounds": lambda t: x(t, 2, 3).take(idx(t, 0, 6)),
    "take_negative": lambda t: x(t, 2, 3).take(idx(t, -7)),
}

DIMS_AND_INDICES = {
    "sum": lambda t: x(t, 2, 3).sum(2),
    "sum_repeated": lambda t: x(t, 2, 3).sum((0, 0)),
    "mean_int": lambda t: x(t, 2, 3, dtype="int64").mean(),
    "var_int": lambda t: x(t, 2, 3, dtype="int64").var(),
    "mean": lambda t: x(t, 2, 3).mean(-3),
    "softmax": lambda t: x(t, 2, 3).softmax(3),
    "log_softmax_int": lambda t: x(t, 2, 3, dtype="int64").log_softmax(0),
    "softmax_int_last": lambda t: x(t, 2, 3, dtype="int64").softmax(-1),
    "amax_dim_empty": lambda t: x(t, 0, 3).amax(0),
    "argmax_dim_empty": lambda t: x(t, 0, 3).argmax(0),
    "logsumexp": lambda t: x(t, 2, 3).logsumexp(2),
    "amax": lambda t: x(t, 2, 3).amax(5),
    "amax_empty": lambda t: x(t, 0, 3).amax(),
    "max_dim": lambda t: x(t, 2, 3).max(2),
    "max_empty": lambda t: x(t, 0).max(),
    "max_empty_dim": lambda t: x(t, 0, 3).max(0),
    "argmax_empty": lambda t: x(t, 0).argmax(),
    "argmin": lambda t: x(t, 2, 3).argmin(-3),
    "cumsum": lambda t: x(t, 2, 3).cumsum(2),
    "norm": lambda t: x(t, 2, 3).norm(dim=4),
    "prod": lambda t: x(t, 2, 3).prod(3),
    "std_int": lambda t: x(t, 3, dtype="int64").std(),
    "transpose": lambda t: x(t, 2, 3).transpose(0, 2),
    "t_3d": lambda t: x(t, 2, 3, 4).t(),
    "mT_1d": lambda t: x(t, 3).mT,
    "squeeze": lambda t: x(t, 2, 1).squeeze(2),
    "unsqueeze": lambda t: x(t, 2, 3).unsqueeze(4),
    "unsqueeze_negative": lambda t: x(t, 2, 3).unsqueeze(-4),
    "permute_count": lambda t: x(t, 2, 3).permute(1, 0, 2),
    "permute_repeated": lambda t: x(t, 2, 3).permute(1, 1),
    "permute_range": lambda t: x(t, 2, 3).permute(0, 2),
    "permute_none": lambda t: x(t, 2, 3).permute(),
    "flatten": lambda t: x(t, 2, 3).flatten(2),
    "flatten_order": lambda t: x(t, 2, 3, 4).flatten(2, 1),
    "flip": lambda t: x(t, 2, 3).flip(2),
    "narrow": lambda t: x(t, 2, 3).narrow(1, 2, 2),
    "narrow_dim": lambda t: x(t, 2, 3).narrow(2, 0, 1),
    "repeat_fewer": lambda t: x(t, 2, 3).repeat(2),
    "cat_dim": lambda t: t.cat([x(t, 2, 3), x(t, 2, 3)], 2),
    "stack_dim": lambda t: t.stack([x(t, 2, 3), x(t, 2, 3)], 4),
    "split_dim": lambda t: x(t, 2, 3).split(1, 2),
    "split_sizes": lambda t: x(t, 2, 3).split([1, 1], 1),
    "split_zero": lambda t: x(t, 2, 3).split(0),
    "chunk_zero": lambda t: x(t, 2, 3).chunk(0),
    "unbind": lambda t: x(t, 2, 3).unbind(2),
    "sort": lambda t: x(t, 2, 3).sort(2),
    "topk_k": lambda t: x(t, 2, 3).topk(4),
    "topk_dim": lambda t: x(t, 2, 3).topk(1, 2),
    "getitem_int": lambda t: x(t, 3)[3],
    "getitem_negative": lambda t: x(t, 3)[-4],
    "getitem_second_dim": lambda t: x(t, 2, 3)[0, 5],
    "getitem_too_many": lambda t: x(t, 2, 3)[0, 0, 0],
    "getitem_tensor": lambda t: x(t, 3)[idx(t, 0, 5)],
    "getitem_mask_shape": lambda t: x(t, 3)[idx(t, True, False)],
    "getitem_float": lambda t: x(t, 3)[1.5],
    "getitem_float_tensor": lambda t: x(t, 3)[x(t, 1)],
    "getitem_0d": lambda t: x(t)[0],
    "getitem_0d_slice": lambda t: x(t)[:],
    "getitem_mask_dim1": lambda t: x(t, 2, 3)[:, idx(t, True, False)],
    "getitem_mask_2d": lambda t: x(t, 2, 3)[idx(t, [True, False, True])],
    "getitem_too_many_tensor": lambda t: x(t, 2, 3)[0, 0, idx(t, 0)],
    "getitem_tensor_negative": lambda t: x(t, 2, 3)[idx(t, -3)],
    "setitem_tensor_shape": lambda t: x(t, 2, 3).__setitem__(idx(t, 0), x(t, 2)),
    "setitem_more_dims": lambda t: x(t, 2, 3).__setitem__(0, x(t, 2, 3)),
    "setitem_shape": lambda t: x(t, 2, 3).__setitem__(0, x(t, 2)),
    "setitem_bounds": lambda t: x(t, 2, 3).__setitem__((slice(None), 4), 1.0),
}

MISUSE = {
    "sub_bool": lambda t: x(t, 2, dtype="bool") - x(t, 2, dtype="bool"),
    "neg_bool": lambda t: -x(t, 2, dtype="bool"),
    "int_pow_negative": lambda t: x(t, 2, dtype="int64") ** -1,
    "floordiv_int_zero": lambda t: x(t, 2, dtype="int64") // 0,
    "remainder_int_zero": lambda t: x(t, 2, dtype="int64") % x(t, 2, dtype="int64"),
    "where_int_cond": lambda t: t.where(x(t, 2, dtype="int64"), x(t, 2), x(t, 2)),
    "clamp_no_bounds": lambda t: x(t, 2).clamp(),
    "div_rounding": lambda t: x(t, 2).div(2, rounding_mode="round"),
    "inplace_leaf": lambda t: leaf(t, 2).add_(1),
    "inplace_leaf_mul": lambda t: leaf(t, 2).mul_(2),
    "inplace_view_of_leaf": lambda t: leaf(t, 2)[0].add_(1),
    "setitem_leaf": lambda t: leaf(t, 2).__setitem__(0, 1.0),
    "setitem_leaf_tensor_index": lambda t: leaf(t, 2).__setitem__(idx(t, 0), 1.0),
    "maximum_number": lambda t: t.maximum(x(t, 2), 1.0),
    "fmod_number_first": lambda t: t.fmod(2, x(t, 2)),
    "copy_list": lambda t: x(t, 2).copy_([1.0, 2.0]),
    "chunk_0d": lambda t: x(t).chunk(1),
    "inplace_int_float": lambda t: x(t, 2, dtype="int64").add_(1.5),
    "inplace_broadcast": lambda t: x(t, 2).add_(x(t, 2, 2)),
    "requires_grad_int": lambda t: x(t, 2, dtype="int64").requires_grad_(),
    "backward_twice": lambda t: _backward_twice(t),
    "backward_non_scalar": lambda t: (leaf(t, 2) * 2).backward(),
    "grad_floordiv": lambda t: (leaf(t, 2) // 2).sum().backward(),
    "grad_rremainder": lambda t: (2.0 % (leaf(t, 2) + 1)).sum().backward(),
    "relu_bool": lambda t: t.relu(x(t, 2, dtype="bool")),
}


def _backward_twice(lib):
    y = (leaf(lib, 2).exp()).sum()
    y.backward()
    y.backward()


ALL = {**SHAPE_MISMATCH, **DIMS_AND_INDICES, **MISUSE}


@pytest.mark.parametrize("name", sorted(ALL))
def test_error_matches_torch(name):
    expected = Outcome(ALL[name], torch)
    assert expected.error is not None, "the case must make PyTorch raise"
    assert_same_error(Outcome(ALL[name], chainrule), expected)
