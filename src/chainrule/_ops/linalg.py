"""Matrix products: matmul (@), mm, bmm, mv, dot, outer, einsum.

For C = A @ B the chain rule gives dL/dA = dL/dC @ B^T and dL/dB = A^T @ dL/dC:
each entry of A meets a row of B in the product, so its gradient sums those
meetings. Batch dimensions that were broadcast are summed back by the engine.
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from ._args import expect, not_an_operand

_make = TensorBase._make
_SCALAR = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_C_NAMES = {"float64": "double", "float32": "float", "int64": "long int", "int32": "int",
            "bool": "bool", "uint8": "unsigned char", "int16": "short int",
            "int8": "signed char", "float16": "c10::Half"}


def _same_dtype(a, b, what):
    if a._data.dtype != b._data.dtype:
        if what == "dot":
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_SCALAR[a._data.dtype.name]} and {_SCALAR[b._data.dtype.name]}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_NAMES[a._data.dtype.name]} != {_C_NAMES[b._data.dtype.name]}")


def _product(x, y):
    if x.dtype == np.bool_:
        raise RuntimeError('"addmm_impl_cpu_" not implemented for \'Bool\'')
    return np.matmul(x, y)


class MatMul(Node):
    """C = A @ B;   dL/dA = G @ B^T,  dL/dB = A^T @ G."""
    torch_name = "MmBackward0"

    def forward(self, a, b, name="MmBackward0"):
        self.save_for_backward(a, b)
        self.torch_name = name
        return _product(a._data, b._data)

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_a = grad_b = None
        if a.dim() == 1 and b.dim() == 1:                     # dot product
            return (grad * b if self.needs_input_grad(0) else None,
                    grad * a if self.needs_input_grad(1) else None)
        # treat vectors as matrices: a row vector on the left, a column on the right
        a2 = a.unsqueeze(0) if a.dim() == 1 else a
        b2 = b.unsqueeze(-1) if b.dim() == 1 else b
        g = grad
        if a.dim() == 1:
            g = g.unsqueeze(-2)
        if b.dim() == 1:
            g = g.unsqueeze(-1)
        if self.needs_input_grad(0):
            grad_a = g.matmul(b2.mT)
            if a.dim() == 1:
                grad_a = grad_a.squeeze(-2)
        if self.needs_input_grad(1):
            grad_b = a2.mT.matmul(g)
            if b.dim() == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


def matmul(input, other):
    """The matrix product, with PyTorch's rules for vectors and batches."""
    try:
        da, db = input._data.ndim, other._data.ndim
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("matmul", ("input", "Tensor", input), ("other", "Tensor", other))
        raise
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    _same_dtype(input, other, "mm")
    ka = input._data.shape[-1]
    kb = other._data.shape[-2] if db >= 2 else other._data.shape[0]
    if ka != kb:
        if da <= 2 and db <= 2:
            if db == 1:
                raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat "
                                   f"({input._data.shape[0]}x{ka}), vec ({kb})")
            rows = input._data.shape[0] if da == 2 else 1
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{ka} and "
                               f"{kb}x{other._data.shape[-1]})")
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input._data.shape[0] if da > 2 else 1}, {ka}] but got: "
            f"[{other._data.shape[0] if db > 2 else 1}, {kb}].")
    try:
        return MatMul.apply(input, other, name=_matmul_name(input, other))
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({input._data.shape[0]}) must match the size of tensor b "
            f"({other._data.shape[0]}) at non-singleton dimension 0") from None


def _matmul_name(a, b):
    """The grad_fn name PyTorch's matmul ends with. PyTorch turns each case into other
    ops (mv, mm on a folded batch, bmm on an expanded one); chainrule computes it in one
    step but keeps the name of PyTorch's last step, so printed graphs match."""
    da, db = a._data.ndim, b._data.ndim
    if da <= 2 and db <= 2:
        return {(2, 1): "MvBackward0", (1, 2): "SqueezeBackward4"}.get((da, db), "MmBackward0")
    if _should_fold(a, b):
        if db > da and da == 2:                 # computed as (b^T a^T)^T, then made contiguous
            n, q = a._data.shape[0], b._data.shape[-1]
            return "TransposeBackward0" if n == 1 or q == 1 else "CloneBackward0"
        return "UnsafeViewBackward0"
    if da == 3 and db == 3 and a._data.shape[0] != b._data.shape[0]:
        if a._data.shape[0] == 1 and a._requires_grad:
            return _matmul_name(a[0], b)
        if b._data.shape[0] == 1 and b._requires_grad:
            return _matmul_name(a, b[0])
    return "UnsafeViewBackward0"


def _should_fold(a, b):
    """PyTorch's test for computing a batched product as one matrix product."""
    larger, smaller = (a, b) if a._data.ndim >= b._data.ndim else (b, a)
    if not (larger._data.ndim >= 3 and smaller._data.ndim <= 2):
        return False
    if smaller._requires_grad:
        return True
    if a._data.ndim == 2:
        return False
    x = larger._data
    if x.size == 0:
        return True
    return all(x.strides[i] == x.strides[i + 1] * x.shape[i + 1] for i in range(x.ndim - 2))


def mm(input, mat2):
    """The product of two matrices."""
    try:
        input._data, mat2._data
    except AttributeError:
        expect("mm", ("input", "Tensor", input), ("mat2", "Tensor", mat2))
        raise
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    _same_dtype(input, mat2, "mm")
    (n, k), (k2, m) = input._data.shape, mat2._data.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    return MatMul.apply(input, mat2, name="MmBackward0")


def bmm(input, mat2):
    """Batched matrix product of (b, n, k) and (b, k, m)."""
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _same_dtype(input, mat2, "mm")
    b, n, k = input._data.shape
    if mat2._data.shape[:2] != (b, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {k}] but got: [{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    return MatMul.apply(input, mat2, name="BmmBackward0")


def mv(input, vec):
    """Matrix times vector."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    n, k = input._data.shape
    if vec._data.shape[0] != k:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{k}), vec "
                           f"({vec._data.shape[0]})")
    _same_dtype(input, vec, "mm")
    return MatMul.apply(input, vec, name="MvBackward0")


def dot(input, other):
    """The dot product of two vectors."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    _same_dtype(input, other, "dot")
    n, m = input._data.shape[0], other._data.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    return MatMul.apply(input, other, name="DotBackward0")


inner = dot


def outer(input, vec2):
    """The outer product: ``out[i][j] = input[i] * vec2[j]``."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


class Einsum(Node):
    """Einstein summation; the gradient of each operand is another einsum.

    For z = einsum("ij,jk->ik", a, b), dL/da = einsum("ik,jk->ij", g, b): the
    operand's letters become the output, the gradient takes the output's place.
    A letter repeated within an operand (``"ii->i"``, a diagonal) sends its
    gradient back to the diagonal only, through an identity matrix.
    """
    torch_name = "EinsumBackward0"

    def forward(self, *operands, inputs, output, name="EinsumBackward0"):
        self.inputs, self.output, self.torch_name = inputs, output, name
        self.save_for_backward(*operands)
        return np.asarray(np.einsum(",".join(inputs) + "->" + output,
                                    *[o._data for o in operands]))

    def backward(self, grad):
        operands = self.saved_tensors
        return tuple(self._operand_grad(grad, operands, i) if self.needs_input_grad(i)
                     else None for i in range(len(operands)))

    def _operand_grad(self, grad, operands, i):
        sub = self.inputs[i]
        others = [o for j, o in enumerate(operands) if j != i]
        other_subs = [s for j, s in enumerate(self.inputs) if j != i]
        letters = "".join(dict.fromkeys(sub))               # unique, in order
        present = set(self.output).union(*other_subs)
        kept = "".join(c for c in letters if c in present)
        g = einsum(",".join([self.output] + other_subs) + "->" + kept, grad, *others)
        sizes = {c: n for c, n in zip(sub, operands[i].shape)}
        for k, c in enumerate(letters):
            if c not in kept:               # a letter summed within this operand only
                g = g.unsqueeze(k)
            elif sizes[c] == 1 and g.shape[k] != 1:     # a size 1 that was broadcast
                g = g.sum(k, keepdim=True)
        if tuple(g.shape) != tuple(sizes[c] for c in letters):
            g = g.expand([sizes[c] for c in letters])
        if letters == sub:
            return g
        # a repeated letter: put the gradient on the diagonal, through identity matrices
        unused = iter(c for c in _LETTERS if c not in "".join(self.inputs) + self.output)
        renamed, eyes, seen = "", [], set()
        for c in sub:
            if c in seen:
                fresh = next(unused)
                renamed += fresh
                eyes.append((c + fresh, TensorBase._make(np.eye(sizes[c], dtype=g._data.dtype))))
            else:
                renamed += c
                seen.add(c)
        return einsum(",".join([letters] + [e[0] for e in eyes]) + "->" + renamed,
                      g, *[e[1] for e in eyes])


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)`` is ``a @ b``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    lhs, arrow, output = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the "
                           f"equation" if len(operands) > len(inputs) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    inputs, ellipsis = _expand_ellipsis(inputs, operands, equation)
    _check_sizes(inputs, operands, ellipsis)
    if not arrow:                 # implicit output: ellipsis dims, then letters seen once
        letters = "".join(inputs)
        output = ellipsis + "".join(sorted(c for c in set(letters)
                                           if letters.count(c) == 1 and c not in ellipsis))
    else:
        output = output.replace("...", ellipsis)
    # PyTorch computes einsum with permutes, a product and a sum or view: its grad_fn is
    # the last of them
    contracted = bool(set("".join(inputs)) - set(output))
    if len(operands) == 1:
        name = "SumBackward1" if contracted else "PermuteBackward0"
    else:
        name = "ViewBackward0" if contracted else "MulBackward0"
    return Einsum.apply(*operands, inputs=inputs, output=output, name=name)


def _check_sizes(inputs, operands, ellipsis):
    """PyTorch's checks (and messages) of the operands' sizes: a letter has one size
    across the operands, where a size of 1 broadcasts; a letter repeated within an
    operand (a diagonal, ``"ii"``) has equal sizes there. ``ellipsis``: the letters
    that stand for ``...``."""
    seen = {}                                   # letter -> its size, where not 1
    for i, (sub, operand) in enumerate(zip(inputs, operands)):
        shape, first, dim = operand._data.shape, {}, 0
        for k, (c, n) in enumerate(zip(sub, shape)):
            if c in first:
                if n != shape[first[c]]:
                    raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} "
                                       f"but the sizes don't match, {n} != {shape[first[c]]}")
                continue
            first[c] = k
            if n != 1 and seen.setdefault(c, n) != n:
                if c in ellipsis:               # (PyTorch's text lacks a space: "0has")
                    raise RuntimeError(
                        f"einsum(): dimension {dim} covered by ellipsis in operand {i}has "
                        f"size {n} which does not broadcast with previously seen ellipsis "
                        f"with size {seen[c]} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{seen[c]}")
            dim += 1


def _expand_ellipsis(inputs, operands, equation):
    """Replace each operand's ``...`` by letters unused in the equation (the same letters
    for the same trailing dims, as broadcasting aligns them)."""
    if "..." not in equation:
        return inputs, ""
    free = [c for c in _LETTERS[::-1] if c not in equation]
    spans = [o._data.ndim - (len(s) - 3) if "..." in s else 0 for s, o in zip(inputs, operands)]
    width = max(spans)
    ellipsis = "".join(free[:width][::-1])
    expanded = [s.replace("...", ellipsis[width - n:]) for s, n in zip(inputs, spans)]
    return expanded, ellipsis


class LinalgMethods:
    """The matrix-product methods and operators of ``Tensor``."""
    __slots__ = ()

    def matmul(self, other):
        return matmul(self, other)

    def __matmul__(self, other):
        try:
            return matmul(self, other)
        except TypeError:                   # other is a list, None, ...?
            return not_an_operand(other)

    def __rmatmul__(self, other):
        try:
            return matmul(other, self)
        except TypeError:
            return not_an_operand(other)

    def mm(self, mat2):
        return mm(self, mat2)

    def bmm(self, mat2):
        return bmm(self, mat2)

    def mv(self, vec):
        return mv(self, vec)

    def dot(self, other):
        return dot(self, other)

    inner = dot

    def outer(self, vec2):
        return outer(self, vec2)
