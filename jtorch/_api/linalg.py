"""Matrix products and linear algebra behind torch.* and torch.linalg.*.

Functions registered here are `jtorch.<name>` (and `Tensor.<name>`); the torch.linalg ones are
plain functions named `linalg_<name>`, re-exported by jtorch/linalg.py under torch's names.

Where torch raises `torch.linalg.LinAlgError` (singular or non positive-definite input) JAX
returns NaNs or infinities instead; jtorch checks the factorization's `info` eagerly and
raises the same error. Under `jax.jit` / `jtorch.compile` the values are not known when the
step is traced, so no error is raised: the results hold NaN/inf as JAX computes them (use the
`*_ex` functions and test `info` to detect failures there).
"""

from __future__ import annotations

import warnings

import jax
import numpy as np

from jtorch._api import return_types
from jtorch._api._register import register
from jtorch._api.math import _out
from jtorch._dispatch import OUTPUT, Op, dispatch
from jtorch._ops import linalg as ops
from jtorch._tensor import Tensor


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a linear algebra function failed on a singular or
    non positive-definite input (a RuntimeError subclass, as in torch)."""


svd_result = return_types.structseq("svd", ("U", "S", "V"))
linalg_svd_result = return_types.structseq("linalg_svd", ("U", "S", "Vh"))
slogdet_result = return_types.structseq("slogdet", ("sign", "logabsdet"))
linalg_slogdet_result = return_types.structseq("linalg_slogdet", ("sign", "logabsdet"))
qr_result = return_types.structseq("qr", ("Q", "R"))
linalg_qr_result = return_types.structseq("linalg_qr", ("Q", "R"))
eigh_result = return_types.structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
eig_result = return_types.structseq("linalg_eig", ("eigenvalues", "eigenvectors"))
inv_ex_result = return_types.structseq("linalg_inv_ex", ("inverse", "info"))
solve_ex_result = return_types.structseq("linalg_solve_ex", ("result", "info"))
cholesky_ex_result = return_types.structseq("linalg_cholesky_ex", ("L", "info"))
lstsq_result = return_types.structseq(
    "linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
lu_factor_result = return_types.structseq("linalg_lu_factor", ("LU", "pivots"))
lu_factor_ex_result = return_types.structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
lu_result = return_types.structseq("linalg_lu", ("P", "L", "U"))


def _check_info(info, message, name):
    """Raise LinAlgError for the first failed matrix when `info` is concrete (eager mode)."""
    array = info._array
    if isinstance(array, jax.core.Tracer):
        return
    values = np.asarray(array).reshape(-1)
    bad = np.flatnonzero(values)
    if bad.size:
        batch = f"(Batch element {bad[0]}): " if np.ndim(array) else ""
        raise LinAlgError(f"{name}: {batch}{message(int(values[bad[0]]))}")


def _singular(i):
    return (f"The diagonal element {i} is zero, the inversion could not be completed because "
            "the input matrix is singular.")


def _not_pd(i):
    return ("The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {i} is not positive-definite).")


# ---- products -------------------------------------------------------------------------------

BMM = Op(ops.bmm, "BmmBackward0", saves=(0, 1))
MV = Op(ops.mv, "MvBackward0", saves=(0, 1))
DOT = Op(ops.dot, "DotBackward0", saves=(0, 1))
VDOT = Op(ops.vdot, "VdotBackward0", saves=(0, 1))
INNER = Op(ops.inner, "ViewBackward0", saves=(0, 1))
OUTER = Op(ops.outer, "MulBackward0", saves=(0, 1))
ADDMM = Op(ops.addmm, "AddmmBackward0", saves=(1, 2))
ADDBMM = Op(ops.addbmm, "AddbmmBackward0", saves=(1, 2))
BADDBMM = Op(ops.baddbmm, "BaddbmmBackward0", saves=(1, 2))
ADDMV = Op(ops.addmv, "AddmvBackward0", saves=(1, 2))
ADDR = Op(ops.addr, "AddrBackward0", saves=(1, 2))
EINSUM = Op(ops.einsum, "ViewBackward0")
TENSORDOT = Op(ops.tensordot, "ViewBackward0")
KRON = Op(ops.kron, "UnsafeViewBackward0")
CROSS = Op(ops.cross, "LinalgCrossBackward0", saves=(0, 1))
MULTI_DOT = Op(ops.multi_dot, "ViewBackward0")
VECDOT = Op(ops.vecdot, "VdotBackward0", saves=(0, 1))


@register
def bmm(input, mat2, *, out=None):
    """torch.bmm: batched matrix product of two 3-D tensors of the same dtype."""
    return _out(dispatch(BMM, (input, mat2)), out)


@register
def mv(input, vec, *, out=None):
    return _out(dispatch(MV, (input, vec)), out)


@register
def dot(input, tensor, *, out=None):
    """torch.dot: 1-D inner product (no dtype promotion)."""
    return _out(dispatch(DOT, (input, tensor)), out)


@register
def vdot(input, other, *, out=None):
    """torch.vdot: dot product conjugating the first vector."""
    return _out(dispatch(VDOT, (input, other)), out)


@register
def inner(input, other, *, out=None):
    return _out(dispatch(INNER, (input, other)), out)


@register(aliases=("ger",))
def outer(input, vec2, *, out=None):
    """torch.outer / torch.ger: outer product of two vectors (promoting, as torch's mul)."""
    return _out(dispatch(OUTER, (input, vec2)), out)


def _beta_alpha_op(op, doc):
    def public(input, a, b, *, beta=1, alpha=1, out=None):
        return _out(dispatch(op, (input, a, b), beta=beta, alpha=alpha), out)

    public.__name__ = public.__qualname__ = op.fn.__name__
    public.__doc__ = doc
    return register(public, inplace=True)


addmm = _beta_alpha_op(ADDMM, "torch.addmm: beta * input + alpha * (mat1 @ mat2).")
addbmm = _beta_alpha_op(ADDBMM, "torch.addbmm: beta * input + alpha * sum_b(batch1 @ batch2).")
baddbmm = _beta_alpha_op(BADDBMM, "torch.baddbmm: beta * input + alpha * (batch1 @ batch2).")
addmv = _beta_alpha_op(ADDMV, "torch.addmv: beta * input + alpha * (mat @ vec).")
addr = _beta_alpha_op(ADDR, "torch.addr: beta * input + alpha * outer(vec1, vec2).")

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist(sub):
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        elif isinstance(s, int) and 0 <= s < 52:
            out.append(_LETTERS[s])
        else:
            raise ValueError(f"einsum(): expected subscript to be within the range [0, 52), but "
                             f"got {s}")
    return "".join(out)


@register(method=False)
def einsum(*args):
    """torch.einsum: `einsum("ij,jk->ik", a, b)`, `einsum(eq, [a, b])` or the sublist form
    `einsum(a, [0, 1], b, [1, 2], [0, 2])` (with `...`); operands share one dtype."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    else:
        pairs, output = (args[:-1], args[-1]) if len(args) % 2 else (args, None)
        operands = pairs[0::2]
        equation = ",".join(_sublist(s) for s in pairs[1::2])
        if output is not None:
            equation += "->" + _sublist(output)
    equation = equation.replace(" ", "")
    return dispatch(EINSUM, tuple(operands), equation=equation)


@register(method=False)
def tensordot(a, b, dims=2, out=None):
    """torch.tensordot with an int `dims` (last dims of a with first dims of b), a pair of
    dim lists, or a tensor holding either."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a = tuple(range(a.ndim - dims, a.ndim))
        dims_b = tuple(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = (dims_a,) if isinstance(dims_a, int) else tuple(dims_a)
        dims_b = (dims_b,) if isinstance(dims_b, int) else tuple(dims_b)
    return _out(dispatch(TENSORDOT, (a, b), dims_a=dims_a, dims_b=dims_b), out)


@register
def kron(input, other, *, out=None):
    return _out(dispatch(KRON, (input, other)), out)


@register
def cross(input, other, dim=None, *, out=None):
    """torch.cross: dim defaults (deprecated) to the first dim of size 3."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        dim = ops.default_cross_dim(input.shape, other.shape)
    return _out(dispatch(CROSS, (input, other), dim=dim), out)


def linalg_cross(input, other, *, dim=-1, out=None):
    """torch.linalg.cross along dim (default -1), broadcasting the other dims."""
    return _out(dispatch(CROSS, (input, other), dim=dim), out)


def linalg_multi_dot(tensors, *, out=None):
    """torch.linalg.multi_dot: the product of a chain of matrices (first/last may be 1-D)."""
    tensors = tuple(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    return _out(dispatch(MULTI_DOT, tensors), out)


def linalg_vecdot(x, y, *, dim=-1, out=None):
    """torch.linalg.vecdot: sum(conj(x) * y, dim), broadcasting."""
    return _out(dispatch(VECDOT, (x, y), dim=dim), out)


# ---- determinants, inverses, solves ---------------------------------------------------------

DET = Op(ops.det, "LinalgDetBackward0", saves=(0, OUTPUT))
SLOGDET = Op(ops.slogdet, "LinalgSlogdetBackward0", saves=(0, OUTPUT))
LOGDET = Op(ops.logdet, "WhereBackward0", saves=(0,))
INV_EX = Op(ops.inv_ex, "LinalgInvExBackward0", saves=(OUTPUT,))
SOLVE_EX = Op(ops.solve_ex, "LinalgSolveExBackward0", saves=(0, OUTPUT))
CHOLESKY_EX = Op(ops.cholesky_ex, "LinalgCholeskyExBackward0", saves=(OUTPUT,))
CHOLESKY = Op(ops.cholesky_ex, "CholeskyBackward0", saves=(OUTPUT,))
MATRIX_POWER = Op(ops.matrix_power, "MmBackward0")
MATRIX_EXP = Op(ops.matrix_exp, "LinalgMatrixExpBackward0", saves=(0,))
TENSORINV = Op(ops.tensorinv, "ReshapeAliasBackward0")
TENSORSOLVE = Op(ops.tensorsolve, "ViewBackward0")


@register
def det(input):
    """torch.det / torch.linalg.det."""
    return dispatch(DET, (input,))


def linalg_det(A, *, out=None):
    return _out(dispatch(DET, (A,)), out)


@register
def slogdet(input):
    """torch.slogdet: (sign, logabsdet) of square matrices."""
    return slogdet_result(dispatch(SLOGDET, (input,)))


def linalg_slogdet(A, *, out=None):
    return linalg_slogdet_result(dispatch(SLOGDET, (A,)))


@register
def logdet(input):
    """torch.logdet: nan for a negative determinant, -inf for a zero one."""
    return dispatch(LOGDET, (input,))


def linalg_inv_ex(A, *, check_errors=False, out=None):
    """torch.linalg.inv_ex: (inverse, info); info is LAPACK's (0: success)."""
    result = inv_ex_result(dispatch(INV_EX, (A,)))
    if check_errors:
        _check_info(result.info, _singular, "linalg.inv_ex")
    return result


def linalg_inv(A, *, out=None):
    """torch.linalg.inv: raises LinAlgError for a singular matrix (eagerly; see the module)."""
    inverse, info = dispatch(INV_EX, (A,))
    _check_info(info, _singular, "linalg.inv")
    return _out(inverse, out)


@register
def inverse(input, *, out=None):
    return linalg_inv(input, out=out)


def linalg_solve_ex(A, B, *, left=True, check_errors=False, out=None):
    result = solve_ex_result(dispatch(SOLVE_EX, (A, B), left=left))
    if check_errors:
        _check_info(result.info, lambda i: "The solver failed because the input matrix is "
                    "singular.", "torch.linalg.solve_ex")
    return result


def linalg_solve(A, B, *, left=True, out=None):
    """torch.linalg.solve: X with AX = B (XA = B when left=False); B may be a (batch of)
    vector(s)."""
    result, info = dispatch(SOLVE_EX, (A, B), left=left)
    if not isinstance(info._array, jax.core.Tracer) and np.any(np.asarray(info._array)):
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.")
    return _out(result, out)


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    result = cholesky_ex_result(dispatch(CHOLESKY_EX, (A,), upper=upper))
    if check_errors:
        _check_info(result.info, _not_pd, "linalg.cholesky_ex")
    return result


def linalg_cholesky(A, *, upper=False, out=None):
    """torch.linalg.cholesky: raises LinAlgError when A is not positive-definite."""
    L, info = dispatch(CHOLESKY_EX, (A,), upper=upper)
    _check_info(info, _not_pd, "linalg.cholesky")
    return _out(L, out)


@register
def cholesky(input, upper=False, *, out=None):
    """torch.cholesky (deprecated in torch in favour of torch.linalg.cholesky)."""
    L, info = dispatch(CHOLESKY, (input,), upper=upper, name="cholesky")
    _check_info(info, _not_pd, "cholesky")
    return _out(L, out)


@register
def matrix_power(input, n, *, out=None):
    """torch.matrix_power: repeated squaring; negative n inverts first (floats only)."""
    if n < 0:
        linalg_inv(input)  # torch's errors for integer or singular input
    return _out(dispatch(MATRIX_POWER, (input,), n=int(n)), out)


@register
def matrix_exp(input):
    return dispatch(MATRIX_EXP, (input,))


def linalg_tensorinv(A, ind=2, *, out=None):
    inverse, info = dispatch(TENSORINV, (A,), ind=ind)
    _check_info(info, _singular, "inv")
    return _out(inverse, out)


def linalg_tensorsolve(A, B, dims=None, *, out=None):
    dims = None if dims is None else tuple(dims)
    x, info = dispatch(TENSORSOLVE, (A, B), dims=dims)
    if not isinstance(info._array, jax.core.Tracer) and np.any(np.asarray(info._array)):
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.")
    return _out(x, out)


# ---- decompositions -------------------------------------------------------------------------

SVD = Op(ops.svd, "LinalgSvdBackward0", saves=(0, OUTPUT))
SVD_LEGACY = Op(ops.svd_legacy, "LinalgSvdBackward0", saves=(0, OUTPUT))
SVDVALS = Op(ops.svdvals, "LinalgSvdBackward0", saves=(0, OUTPUT))
QR = Op(ops.qr, "LinalgQrBackward0", saves=(OUTPUT,))
EIGH = Op(ops.eigh, "LinalgEighBackward0", saves=(OUTPUT,))
EIG = Op(ops.eig, "LinalgEigBackward0", saves=(OUTPUT,))
EIGVALS = Op(ops.eigvals, "LinalgEigBackward0", saves=(OUTPUT,))
PINV = Op(ops.pinv, "LinalgPinvBackward0", saves=(0, OUTPUT))
MATRIX_RANK = Op(ops.matrix_rank, "", differentiable=False)
LSTSQ = Op(ops.lstsq, "LinalgLstsqBackward0", saves=(0, 1))
LSTSQ_RANK = Op(ops.lstsq_rank, "", differentiable=False)
LU_FACTOR = Op(ops.lu_factor_ex, "LinalgLuFactorExBackward0", saves=(OUTPUT,))
LU = Op(ops.lu, "LinalgLuBackward0", saves=(OUTPUT,))
LU_PERMUTATION = Op(ops.lu_permutation, "", differentiable=False)
SOLVE_TRIANGULAR = Op(ops.solve_triangular, "LinalgSolveTriangularBackward0", saves=(0, OUTPUT))
HOUSEHOLDER = Op(ops.householder_product, "LinalgHouseholderProductBackward0", saves=(0, 1))


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """torch.linalg.svd: (U, S, Vh). Singular vectors are unique up to sign (phase): compare
    them through reconstructions; gradients are those of gauge-invariant losses."""
    return linalg_svd_result(dispatch(SVD, (A,), full_matrices=full_matrices))


@register
def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with V, not Vh; compute_uv=False gives zero-filled U and V."""
    if not compute_uv:
        from jtorch import zeros
        S = dispatch(SVDVALS, (input,))
        batch, (m, n) = tuple(input.shape[:-2]), input.shape[-2:]
        return svd_result(zeros(*batch, m, m, dtype=input.dtype),  S,
                          zeros(*batch, n, n, dtype=input.dtype))
    return svd_result(dispatch(SVD_LEGACY, (input,), some=some))


def linalg_svdvals(A, *, driver=None, out=None):
    return _out(dispatch(SVDVALS, (A,)), out)


def linalg_qr(A, mode="reduced", *, out=None):
    """torch.linalg.qr: mode "reduced", "complete" or "r" (Q is then empty)."""
    return linalg_qr_result(dispatch(QR, (A,), mode=mode))


@register
def qr(input, some=True, *, out=None):
    return qr_result(dispatch(QR, (input,), mode="reduced" if some else "complete"))


def linalg_eigh(A, UPLO="L", *, out=None):
    """torch.linalg.eigh: ascending eigenvalues and orthonormal eigenvectors of the Hermitian
    matrix held in A's UPLO triangle."""
    return eigh_result(dispatch(EIGH, (A,), UPLO=UPLO))


def linalg_eigvalsh(A, UPLO="L", *, out=None):
    return _out(dispatch(EIGH, (A,), UPLO=UPLO)[0], out)


def linalg_eig(A, *, out=None):
    """torch.linalg.eig: complex eigenvalues and unit-norm eigenvectors (each up to a phase).
    Eigenvector gradients follow JAX's convention and agree with torch's only for losses
    invariant to that phase."""
    return eig_result(dispatch(EIG, (A,)))


def linalg_eigvals(A, *, out=None):
    return _out(dispatch(EIGVALS, (A,)), out)


def _tol(x):
    if isinstance(x, Tensor):
        return float(x.item())
    return None if x is None else float(x)


def linalg_pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """torch.linalg.pinv: singular values at most max(atol, rtol * largest) are dropped;
    `rcond` is the older name of rtol."""
    if rcond is not None:
        rtol = rcond
    return _out(dispatch(PINV, (A,), atol=_tol(atol), rtol=_tol(rtol), hermitian=hermitian), out)


@register
def pinverse(input, rcond=1e-15):
    return dispatch(PINV, (input,), atol=None, rtol=float(rcond), hermitian=False)


def linalg_matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """torch.linalg.matrix_rank: the number of singular values above max(atol, rtol * largest);
    `tol` is the older name of atol (rtol is then 0)."""
    if tol is not None:
        atol, rtol = tol, 0.0
    return _out(dispatch(MATRIX_RANK, (A,), atol=_tol(atol), rtol=_tol(rtol),
                         hermitian=hermitian), out)


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values), filled as torch's CPU
    driver (default "gelsy") fills them. The solution is pinv(A) @ B."""
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           f"gelsy, gelsd, gelss), but got {driver}")
    static = {"rcond": _tol(rcond), "driver": driver}
    solution, residuals = dispatch(LSTSQ, (A, B), **static)
    rank, singular_values = dispatch(LSTSQ_RANK, (A, B), **static)
    return lstsq_result(solution, residuals, rank, singular_values)


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    result = lu_factor_ex_result(dispatch(LU_FACTOR, (A,), pivot=pivot))
    info = result.info._array
    if check_errors and not isinstance(info, jax.core.Tracer) and np.any(np.asarray(info)):
        i = int(np.asarray(info).reshape(-1)[np.flatnonzero(np.asarray(info))[0]])
        raise RuntimeError(f"torch.linalg.lu_factor_ex: U[{i},{i}] is zero and using it on "
                           "lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")
    return result


def linalg_lu_factor(A, *, pivot=True, out=None):
    """torch.linalg.lu_factor: (LU, pivots) with LAPACK's 1-based int32 pivots."""
    lu, pivots, _ = dispatch(LU_FACTOR, (A,), pivot=pivot)
    return lu_factor_result(lu, pivots)


def linalg_lu(A, *, pivot=True, out=None):
    """torch.linalg.lu: (P, L, U) with A = P @ L @ U."""
    L, U = dispatch(LU, (A,), pivot=pivot)
    return lu_result(dispatch(LU_PERMUTATION, (A,), pivot=pivot), L, U)


LU_SOLVE = Op(ops.lu_solve, "LinalgLuSolveBackward0", saves=(0, 1, OUTPUT))


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """torch.linalg.lu_solve: solve with lu_factor's (LU, pivots)."""
    return _out(dispatch(LU_SOLVE, (LU, pivots, B), left=left, adjoint=adjoint), out)


def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    return _out(dispatch(SOLVE_TRIANGULAR, (A, B), upper=upper, left=left,
                         unitriangular=unitriangular), out)


def linalg_householder_product(A, tau, *, out=None):
    return _out(dispatch(HOUSEHOLDER, (A, tau)), out)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: torch.diagonal with the last two dims as default (a view)."""
    return A.diagonal(offset, dim1, dim2)


def linalg_matrix_power(A, n, *, out=None):
    return matrix_power(A, n, out=out)


def linalg_matrix_exp(A):
    return dispatch(MATRIX_EXP, (A,))


# ---- norms ----------------------------------------------------------------------------------

VECTOR_NORM = Op(ops.vector_norm, "LinalgVectorNormBackward0", saves=(0, OUTPUT))
MATRIX_NORM = Op(ops.matrix_norm, "LinalgMatrixNormBackward0", saves=(0, OUTPUT))


def _dtype_arg(dtype):
    from jtorch import _dtypes
    return None if dtype is None else _dtypes.as_dtype(dtype)


def _ord(ord):
    return float(ord) if isinstance(ord, (int, float)) and not isinstance(ord, bool) else ord


def linalg_vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.vector_norm: ord in R or +-inf over dim (all dims by default)."""
    if isinstance(dim, list):
        dim = tuple(dim)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected ord to be a number, got {ord}")
    return _out(dispatch(VECTOR_NORM, (x,), ord=_ord(ord), dim=dim, keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


def linalg_matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """torch.linalg.matrix_norm: "fro", "nuc", +-1, +-2, +-inf over two dims."""
    return _out(dispatch(MATRIX_NORM, (A,), ord=_ord(ord), dim=tuple(dim), keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """torch.linalg.norm: a vector norm (dim an int, or ord None and dim None over every
    element) or a matrix norm (dim a 2-tuple, or a 2-D input with ord given)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 1:
            return linalg_vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype,
                                      out=out)
        return linalg_matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype,
                                  out=out)
    if ord is None:
        return linalg_vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if A.ndim == 1:
        return linalg_vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    return linalg_matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)


# ---- distances and assorted ops -------------------------------------------------------------

CDIST = Op(ops.cdist, "CdistBackward0", saves=(0, 1, OUTPUT))
BLOCK_DIAG = Op(ops.block_diag, "BlockDiagBackward0")
CARTESIAN_PROD = Op(ops.cartesian_prod, "StackBackward0")
VANDER = Op(ops.vander, "FlipBackward0")
TRAPEZOID = Op(ops.trapezoid, "MulBackward1")
DIFF = Op(ops.diff, "SubBackward0")
COV = Op(ops.cov, "SqueezeBackward0")
CORRCOEF = Op(ops.corrcoef, "ClampBackward1")

_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


@register(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """torch.cdist: p-norm distances between the rows of x1 and x2 (batched). Distances are
    computed from differences in every compute_mode (torch's matmul form only changes
    rounding)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    return dispatch(CDIST, (x1, x2), p=float(p))


@register(method=False)
def block_diag(*tensors):
    return dispatch(BLOCK_DIAG, tensors)


@register(method=False)
def cartesian_prod(*tensors):
    return dispatch(CARTESIAN_PROD, tensors)


@register(method=False)
def vander(x, N=None, increasing=False):
    """torch.vander: columns x^(N-1) ... x^0 (increasing=True reverses); integers give int64."""
    return dispatch(VANDER, (x,), N=N, increasing=increasing)


def linalg_vander(x, *, N=None):
    """torch.linalg.vander: increasing powers x^0 ... x^(N-1), batched over leading dims."""
    if x.ndim == 0:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    return dispatch(VANDER, (x,), N=N, increasing=True, batched=True)


@register(method=False, aliases=("trapz",))
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """torch.trapezoid(y, x=None, *, dx=None, dim=-1) (torch.trapz(y, x, *, dim) too)."""
    if x is not None and not isinstance(x, Tensor):
        x, dx = None, x  # torch.trapezoid(y, dx) with a number
    return dispatch(TRAPEZOID, (y, x), dx=1.0 if dx is None else float(dx), dim=dim)


@register
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """torch.diff: n-th forward difference along dim (bools give xor)."""
    return dispatch(DIFF, (input, prepend, append), n=n, dim=dim)


@register
def cov(input, *, correction=1, fweights=None, aweights=None):
    """torch.cov: rows are variables, columns observations."""
    return dispatch(COV, (input, fweights, aweights), correction=correction)


@register
def corrcoef(input):
    return dispatch(CORRCOEF, (input,))


def linalg_cond(A, p=None, *, out=None):
    """torch.linalg.cond: ratio of extreme singular values (p None, 2, -2) or
    norm(A, p) * norm(inv(A), p) for "fro", "nuc", +-1, +-inf."""
    if p in (None, 2, -2):
        s = linalg_svdvals(A)
        big, small = s.amax(-1), s.amin(-1)
        result = big / small if p != -2 else small / big
        return _out(result, out)
    inverse, _ = dispatch(INV_EX, (A,))
    return _out(linalg_matrix_norm(A, p) * linalg_matrix_norm(inverse, p), out)
