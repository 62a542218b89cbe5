"""Matrix products: matmul (@), mm, bmm, mv, dot, outer, einsum.

For C = A @ B the chain rule gives dL/dA = dL/dC @ B^T and dL/dB = A^T @ dL/dC:
each entry of A meets a row of B in the product, so its gradient sums those
meetings. Batch dimensions that were broadcast are summed back by the engine.
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase

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
    da, db = input._data.ndim, other._data.ndim
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
    if da == 2 and db == 2:
        name = "MmBackward0"
    elif da == 2 and db == 1:
        name = "MvBackward0"
    elif da == 1:
        name = "SqueezeBackward4"
    elif da == 3 and db == 3:
        name = "BmmBackward0"
    else:
        name = "UnsafeViewBackward0"
    try:
        return MatMul.apply(input, other, name=name)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({input._data.shape[0]}) must match the size of tensor b "
            f"({other._data.shape[0]}) at non-singleton dimension 0") from None


def mm(input, mat2):
    """The product of two matrices."""
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
    """Einstein summation; the gradient of each operand is another einsum."""
    torch_name = "EinsumBackward0"

    def forward(self, *operands, inputs, output):
        self.inputs, self.output = inputs, output
        self.save_for_backward(*operands)
        return np.asarray(np.einsum(",".join(inputs) + "->" + output,
                                    *[o._data for o in operands]))

    def backward(self, grad):
        operands = self.saved_tensors
        grads = []
        for i, sub in enumerate(self.inputs):
            if not self.needs_input_grad(i):
                grads.append(None)
                continue
            others = [o for j, o in enumerate(operands) if j != i]
            other_subs = [s for j, s in enumerate(self.inputs) if j != i]
            present = set(self.output).union(*other_subs) if other_subs else set(self.output)
            reduced = "".join(c for c in sub if c in present)
            g = einsum(self.output + "".join("," + s for s in other_subs) + "->" + reduced,
                       grad, *others)
            if reduced != sub:                    # letters summed only within this operand
                shape = []
                for c in sub:
                    shape.append(operands[i].shape[sub.index(c)])
                for k, c in enumerate(sub):
                    if c not in reduced:
                        g = g.unsqueeze(k)
                g = g.expand(shape)
            grads.append(g)
        return tuple(grads)


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)`` is ``a @ b``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    if "->" in equation:
        lhs, output = equation.split("->")
    else:
        lhs = equation
        letters = lhs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the "
                           f"equation" if len(operands) > len(inputs) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    return Einsum.apply(*operands, inputs=inputs, output=output)


class LinalgMethods:
    """The matrix-product methods and operators of ``Tensor``."""
    __slots__ = ()

    def matmul(self, other):
        return matmul(self, other)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

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
