"""Affine maps: ``linear`` (y = x W^T + b) and ``bilinear`` (y = x1^T A x2 + b).

``linear`` is how a ``nn.Linear`` layer computes. For a batch X (N x in), weight
W (out x in) and bias b (out):

    Y = X @ W^T + b                        (N x out)
    dL/dX = G @ W,   dL/dW = G^T @ X,   dL/db = sum of G over the batch

PyTorch computes this with one fused call, ``addmm(b, X, W.t())``, which rounds
the product and then adds b; chainrule does the same so that float32 results
match. The graph is PyTorch's too: ``AddmmBackward0`` fed by ``TBackward0``.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> x = torch.tensor([[1.0, 2.0]])
>>> w = torch.tensor([[3.0, 4.0]], requires_grad=True)
>>> F.linear(x, w, torch.tensor([0.5]))
tensor([[11.5000]], grad_fn=<AddmmBackward0>)
"""
import numpy as np

from ...autograd.graph import Node
from ..._tensor import TensorBase
from ..._ops.linalg import einsum, matmul

_make = TensorBase._make
_SCALAR = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class Addmm(Node):
    """Y = b + M1 @ M2 (b broadcast over the rows).

    dL/db = G (summed to b's shape by the engine),  dL/dM1 = G @ M2^T,  dL/dM2 = M1^T @ G.
    """
    torch_name = "AddmmBackward0"

    def forward(self, bias, mat1, mat2):
        self.save_for_backward(mat1, mat2)
        a, b = mat1._data, mat2._data
        # The rounded product, then the bias, as PyTorch. The bias may not grow the
        # result: NumPy refuses to write a larger result into the product's array.
        try:
            if a.shape[0] < b.shape[1] and a.dtype == np.float32:
                # A float32 batch shorter than the layer is wide (64 x 784 @ 784 x 256):
                # NumPy's BLAS (OpenBLAS) takes ~15% less time for the same sums in the
                # same order as (B^T A^T)^T, with the same bits (its float64 kernels
                # round differently that way; tests/nn/test_linear_layout.py checks both)
                product = np.matmul(b.T, a.T).T
                out = np.add(product, bias._data, order="C")
                if out.shape == product.shape:
                    return out
            else:
                product = np.matmul(a, b)
                return np.add(product, bias._data, out=product)
        except ValueError:
            pass
        raise _expand_error(bias._data.shape, (a.shape[0], b.shape[1]), bias.type())

    def backward(self, grad):
        mat1, mat2 = self.saved_tensors
        grad_mat1 = grad_mat2 = None
        if self.needs_input_grad(1):
            grad_mat1 = grad.mm(mat2.t())
        if self.needs_input_grad(2):
            # mat2 is W.t(), a column-major view: PyTorch computes (G^T M1)^T for it
            grad_mat2 = grad.t().mm(mat1).t()
        return grad, grad_mat1, grad_mat2

    def fast_backward(self, grad):
        mat1, mat2 = self.saved_tensors          # (addmm checked that the dtypes agree)
        g = grad._data
        grad_mat1 = _make(np.matmul(g, mat2._data.T)) if self.needs_input_grad(1) else None
        grad_mat2 = _make(np.matmul(g.T, mat1._data).T) if self.needs_input_grad(2) else None
        return grad, grad_mat1, grad_mat2


def _expand_error(shape, target, type_name="torch.FloatTensor"):
    n = len(target)
    if len(shape) > n:
        return RuntimeError(
            f"expand({type_name}{{{list(shape)}}}, size={list(target)}): the number of sizes "
            f"provided ({n}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})")
    padded = (1,) * (n - len(shape)) + tuple(shape)
    dim = next(i for i in range(n - 1, -1, -1) if padded[i] not in (1, target[i]))
    return RuntimeError(
        f"The expanded size of the tensor ({target[dim]}) must match the existing size "
        f"({padded[dim]}) at non-singleton dimension {dim}.  Target sizes: {list(target)}.  "
        f"Tensor sizes: {list(shape)}")


def addmm(input, mat1, mat2):
    """``input + mat1 @ mat2``, with PyTorch's checks (the op behind ``linear``)."""
    if mat1.dim() != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.dim()}-D tensor")
    if mat2.dim() != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.dim()}-D tensor")
    for name, t in (("self", input), ("mat1", mat1)):
        if t._data.dtype != mat2._data.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                               f"{_SCALAR[t._data.dtype.name]} and "
                               f"{_SCALAR[mat2._data.dtype.name]}")
    (n, k), (k2, m) = mat1.shape, mat2.shape
    if k != k2:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
    return Addmm.apply(input, mat1, mat2)


def linear(input, weight, bias=None):
    """y = x W^T + b, over the last dimension of ``input`` (``nn.Linear``'s computation)."""
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    if bias is not None:
        if input.dim() == 2:
            return addmm(bias, input, weight.t())
        if input._data.flags.c_contiguous and (input.dim() == 3 or bias.dim() == 1):
            # other shapes go through 2-D: (..., in) -> (N, in) -> addmm -> (..., out)
            lead = tuple(input.shape[:-1])
            flat = input.reshape(int(np.prod(lead)), input.shape[-1])
            out = addmm(bias, flat, weight.t())
            return out.view(*lead, out.shape[1])
    out = matmul(input, weight.t())
    if bias is not None:
        try:
            shape = np.broadcast_shapes(bias._data.shape, out._data.shape)
        except ValueError:
            shape = None
        if shape != out._data.shape:       # PyTorch adds the bias in place: no growing
            wanted = shape if shape is not None else bias._data.shape
            raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the "
                               f"broadcast shape {list(wanted)}")
        out = out + bias
    return out


class Trilinear(Node):
    """y_bo = sum_ij x1_bi A_oij x2_bj;   each gradient is the same sum without its factor."""
    torch_name = "TrilinearBackward0"

    def forward(self, x1, weight, x2):
        self.save_for_backward(x1, weight, x2)
        return np.einsum("bi,oij,bj->bo", x1._data, weight._data, x2._data)

    def backward(self, grad):
        x1, weight, x2 = self.saved_tensors
        return (einsum("bo,oij,bj->bi", grad, weight, x2) if self.needs_input_grad(0) else None,
                einsum("bo,bi,bj->oij", grad, x1, x2) if self.needs_input_grad(1) else None,
                einsum("bo,bi,oij->bj", grad, x1, weight) if self.needs_input_grad(2) else None)


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b for each output feature: ``weight`` is (out, in1, in2)."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} "
                           f"and {input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.shape[i]} and {input2.shape[i]}")
    if input1.shape[-1] != weight.size(1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.size(1)}")
    if input2.shape[-1] != weight.size(2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.size(2)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.size(0)} but expected {weight.size(0)}")
    lead = tuple(input1.shape[:-1])
    flat1 = input1.reshape(-1, input1.shape[-1])
    flat2 = input2.reshape(-1, input2.shape[-1])
    out = Trilinear.apply(flat1, weight, flat2).view(*lead, weight.shape[0])
    return out + bias if bias is not None else out
