"""Matrix products with torch's shape and dtype checks."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp

from jtorch import _dtypes
from jtorch._ops import reduction
from jtorch._ops.promote import broadcast_shapes, cast, promote, to_float
from jtorch._ops.reduction import canonical_dim


def _same_dtype(a, b, first="m1", second="m2"):
    if a.dtype != b.dtype:
        da, db = _dtypes.from_jax(a.dtype), _dtypes.from_jax(b.dtype)
        raise RuntimeError(f"expected {first} and {second} to have the same dtype, but got: "
                           f"{_c_name(da)} != {_c_name(db)}")


def _c_name(d):
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool", "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}[d.name]


def mm(a, b):
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                           f"and {b.shape[0]}x{b.shape[1]})")
    _same_dtype(a, b)
    return jnp.matmul(a, b)


def matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.ndim == 2 and b.ndim == 2:
        return mm(a, b)
    _same_dtype(a, b)
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                               f"[{b.shape[0]}] to have the same number of elements, but got "
                               f"{a.shape[0]} and {b.shape[0]} elements respectively")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_mat(a)} and "
                           f"{_mat(b, right=True)})")
    return jnp.matmul(a, b)


def _mat(x, right=False):
    if x.ndim == 1:
        return f"{x.shape[0]}x1" if right else f"1x{x.shape[0]}"
    return f"{x.shape[-2]}x{x.shape[-1]}"


# ---- checks shared by the ops below ----------------------------------------------------------

def _dtype_of(x):
    return _dtypes.from_jax(x.dtype)


def _is_inexact(x):
    d = _dtype_of(x)
    return d.is_floating_point or d.is_complex


def check_float(x, name, what="input"):
    """torch.linalg's refusal of integer and bool inputs."""
    if not _is_inexact(x):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as {what}. "
                           f"Got {_dtypes.title_name(_dtype_of(x))}")


def check_kernel_dtype(x, kernel):
    """torch's dispatch error for a LAPACK kernel given an integer or bool tensor."""
    if not _is_inexact(x):
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtypes.title_name(_dtype_of(x))}'")


def check_square(x, name, arg="A"):
    check_matrix(x, name, arg)
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")


def check_matrix(x, name, arg="A"):
    if x.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _check_scalar_type(a, b):
    """torch's TensorIterator message for a second operand of another dtype."""
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.title_name(_dtype_of(a))} but found "
                           f"{_dtypes.title_name(_dtype_of(b))}")


def _mT(x):
    return jnp.swapaxes(x, -1, -2)


def _mH(x):
    return jnp.conj(_mT(x)) if jnp.iscomplexobj(x) else _mT(x)


def _real_dtype(x):
    return _dtype_of(x).to_real().np


def _eye_like(x):
    n = x.shape[-1]
    return jnp.broadcast_to(jnp.eye(n, dtype=x.dtype), x.shape)


def _batch_broadcast(a, b, a_core, b_core):
    """a and b with their batch dims (all but the last a_core/b_core) broadcast together."""
    batch = jnp.broadcast_shapes(a.shape[:a.ndim - a_core], b.shape[:b.ndim - b_core])
    return (jnp.broadcast_to(a, batch + a.shape[a.ndim - a_core:]),
            jnp.broadcast_to(b, batch + b.shape[b.ndim - b_core:]))


def _scale(x, factor):
    """x * factor keeping x's dtype (torch casts alpha/beta to the tensor's type)."""
    if isinstance(factor, bool) or factor == 1:
        return x if factor is not False else jnp.zeros_like(x)
    return (x * jnp.asarray(factor).astype(x.dtype)).astype(x.dtype)


def _axpby(input, product, beta, alpha):
    """torch's beta * input + alpha * product: beta == 0 ignores input (NaNs included)."""
    shape = jnp.broadcast_shapes(input.shape, product.shape)
    if shape != product.shape:
        raise RuntimeError(f"The expanded size of the tensor ({product.shape[-1]}) must match the "
                           f"existing size ({input.shape[-1]}) of the input")
    input = jnp.broadcast_to(input.astype(product.dtype), shape)
    if product.dtype == jnp.bool_:
        out = product if alpha else jnp.zeros_like(product)
        return out | input if beta else out
    out = _scale(product, alpha)
    if beta == 0:
        return out
    return _scale(input, beta) + out


# ---- products -------------------------------------------------------------------------------

def bmm(a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _check_scalar_type(a, b)
    return jnp.matmul(a, b)


def mv(a, v):
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x"
                           f"{a.shape[1]}), vec ({v.shape[0]})")
    _check_scalar_type(a, v)
    return jnp.matmul(a, v)


def _check_vectors(a, b, name):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{_dtypes.title_name(_dtype_of(a))} and "
                           f"{_dtypes.title_name(_dtype_of(b))}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype == jnp.bool_:
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def dot(a, b):
    _check_vectors(a, b, "dot")
    return jnp.dot(a, b)


def vdot(a, b):
    _check_vectors(a, b, "vdot")
    return jnp.vdot(a, b)


def inner(a, b):
    if a.ndim == 0 or b.ndim == 0:
        (a, b), _ = promote(a, b)
        return a * b
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    return jnp.tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))


def outer(a, b):
    for x, arg in ((a, "self"), (b, "vec2")):
        if x.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {arg}, but got {x.ndim}-D")
    (a, b), _ = promote(a, b)
    return a[:, None] * b[None, :]


def _same_dtype3(input, a, b, first="self", second="mat2"):
    for x in (a, b):
        if x.dtype != input.dtype:
            raise RuntimeError(f"{first} and {second} must have the same dtype, but got "
                               f"{_dtypes.title_name(_dtype_of(input))} and "
                               f"{_dtypes.title_name(_dtype_of(x))}")


def addmm(input, a, b, *, beta=1, alpha=1):
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    _same_dtype3(input, a, b)
    return _axpby(input, mm(a, b), beta, alpha)


def addbmm(input, a, b, *, beta=1, alpha=1):
    _same_dtype3(input, a, b)
    return _axpby(input, bmm(a, b).sum(0).astype(a.dtype), beta, alpha)


def baddbmm(input, a, b, *, beta=1, alpha=1):
    _same_dtype3(input, a, b)
    return _axpby(input, bmm(a, b), beta, alpha)


def addmv(input, a, v, *, beta=1, alpha=1):
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {a.ndim}, "
                           f"{v.ndim}")
    if not (input.dtype == a.dtype == v.dtype):
        names = ", ".join(_dtypes.title_name(_dtype_of(x)) for x in (input, a, v))
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {names}")
    return _axpby(input, mv(a, v), beta, alpha)


def addr(input, a, b, *, beta=1, alpha=1):
    for x, arg in ((a, "vec1"), (b, "vec2")):
        if x.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {arg}, but got {x.ndim}-D")
    (input, a, b), d = promote(input, a, b)
    if d is _dtypes.bool_:
        return _axpby(input, a[:, None] & b[None, :], beta, alpha)
    return _axpby(input, a[:, None] * b[None, :], beta, alpha)


def einsum(*operands, equation):
    for x in operands[1:]:
        _check_scalar_type(operands[0], x)
    try:
        return jnp.einsum(equation, *operands)
    except ValueError as e:  # JAX's shape errors; torch raises RuntimeError
        raise RuntimeError(f"einsum(): {e}") from None


def tensordot(a, b, *, dims_a, dims_b):
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = tuple(canonical_dim(d, a.ndim) for d in dims_a)
    dims_b = tuple(canonical_dim(d, b.ndim) for d in dims_b)
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[da]} in dim {da} and second has size {b.shape[db]} in "
                               f"dim {db}")
    return jnp.tensordot(a, b, axes=(dims_a, dims_b))


def kron(a, b):
    (a, b), _ = promote(a, b)
    return jnp.kron(a, b)


def cross(a, b, *, dim=-1, name="linalg.cross"):
    if a.ndim != b.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    _check_scalar_type(a, b)
    d = canonical_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    shape = broadcast_shapes(a.shape, b.shape)
    a, b = jnp.broadcast_to(a, shape), jnp.broadcast_to(b, shape)
    return jnp.cross(a, b, axis=d)


def default_cross_dim(shape_a, shape_b):
    """torch.cross's deprecated default dim: the first of size 3."""
    for d, (m, n) in enumerate(zip(shape_a, shape_b)):
        if m == 3 and n == 3:
            return d
    raise RuntimeError("no dimension of size 3 in input")


def multi_dot(*tensors):
    n = len(tensors)
    for i, t in enumerate(tensors):
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {_c_name(_dtype_of(tensors[0]))} and tensor {i} "
                               f"{_c_name(_dtype_of(t))}")
        ok = (1, 2) if i in (0, n - 1) else (2,)
        if t.ndim not in ok:
            which = "first" if i == 0 else "last" if i == n - 1 else None
            if which:
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got "
                                   f"{t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t) if out.ndim and t.ndim else out * t
    return out


def vecdot(x, y, *, dim=-1):
    check_float(x, "linalg.vecdot")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {_dtypes.title_name(_dtype_of(x))} and y of type "
                           f"{_dtypes.title_name(_dtype_of(y))} instead")
    shape = broadcast_shapes(x.shape, y.shape)
    d = canonical_dim(dim, len(shape))
    return jnp.sum(jnp.conj(x) * y, axis=d)


# ---- determinants and inverses ----------------------------------------------------------------

def det(a, *, name="linalg.det"):
    check_float(a, name)
    check_square(a, name)
    return jnp.linalg.det(a)


def slogdet(a, *, name="linalg.slogdet"):
    check_float(a, name)
    check_square(a, name)
    sign, logabsdet = jnp.linalg.slogdet(a)
    return sign, logabsdet


def logdet(a):
    sign, logabsdet = slogdet(a, name="logdet")
    if jnp.iscomplexobj(a):
        return jnp.log(sign) + logabsdet
    return jnp.where(sign < 0, jnp.nan, logabsdet)


def _lu_info(a):
    """LAPACK getrf's info per matrix: 1 + the index of the first exactly-zero pivot, or 0."""
    if a.shape[-1] == 0:
        return jnp.zeros(a.shape[:-2], jnp.int32)
    lu, _, _ = jax.lax.linalg.lu(jax.lax.stop_gradient(a))
    zero = jnp.diagonal(lu, axis1=-2, axis2=-1) == 0
    first = jnp.argmax(zero, axis=-1).astype(jnp.int32) + 1
    return jnp.where(jnp.any(zero, axis=-1), first, 0).astype(jnp.int32)


def inv_ex(a, *, name="linalg.inv"):
    check_float(a, name)
    check_square(a, name)
    if a.shape[-1] == 0:
        return a, jnp.zeros(a.shape[:-2], jnp.int32)
    return jnp.linalg.inv(a), _lu_info(a)


def _vector_rhs(a, b):
    """torch.linalg.solve treats B as a batch of vectors when B is 1-D or B's shape is A's
    without its last dim."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


def solve_ex(a, b, *, left=True, name="linalg.solve"):
    check_float(a, name)
    check_square(a, name)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type "
                           f"{_dtypes.title_name(_dtype_of(a))} and B of type "
                           f"{_dtypes.title_name(_dtype_of(b))} instead")
    vector = _vector_rhs(a, b)
    rhs = b[..., None] if vector else b
    if not left:
        a, rhs = _mT(a), _mT(rhs)
    if rhs.shape[-2] != a.shape[-1]:
        shown = f"{rhs.shape[-2]}x{rhs.shape[-1]}"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{shown})")
    a_b, rhs_b = _batch_broadcast(a, rhs, 2, 2)
    x = jnp.linalg.solve(a_b, rhs_b) if a.shape[-1] else jnp.zeros_like(rhs_b)
    if not left:
        x = _mT(x)
    if vector:
        x = x[..., 0]
    return x, _lu_info(a)


def cholesky_ex(a, *, upper=False, name="linalg.cholesky"):
    if name == "cholesky":
        check_kernel_dtype(a, "cholesky_cpu")
    check_float(a, name)
    check_square(a, name)
    if a.shape[-1] == 0:
        return a, jnp.zeros(a.shape[:-2], jnp.int32)
    lower = jnp.linalg.cholesky(a, upper=False)
    bad = jnp.isnan(lower).any(axis=(-1, -2))
    info = jax.lax.cond(bad.any(), _cholesky_info, lambda x: jnp.zeros(x.shape[:-2], jnp.int32),
                        jax.lax.stop_gradient(a))
    return (_mH(lower) if upper else lower), info


def _cholesky_info(a):
    """The order of the first leading minor that is not positive-definite (potrf's info), by
    an unblocked Cholesky over the lower triangle."""
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    rows = jnp.arange(n)

    def one(m):
        def body(j, state):
            low, info = state
            row = low[j]
            d = jnp.real(m[j, j] - jnp.sum(row * jnp.conj(row)))
            bad = ~(d > 0)
            info = jnp.where((info == 0) & bad, j + 1, info)
            ljj = jnp.sqrt(jnp.where(bad, 1, d))
            col = (m[:, j] - low @ jnp.conj(row)) / ljj
            col = jnp.where(rows > j, col, jnp.where(rows == j, ljj, 0))
            return low.at[:, j].set(col.astype(low.dtype)), info

        return jax.lax.fori_loop(0, n, body, (jnp.zeros_like(m), jnp.int32(0)))[1]

    return jax.vmap(one)(flat).reshape(a.shape[:-2]).astype(jnp.int32)


def matrix_power(a, *, n):
    check_square(a, "linalg.matrix_power")
    if n < 0:
        a, _ = inv_ex(a)
        n = -n
    if n == 0:
        return _eye_like(a)
    result = None
    while n:
        if n & 1:
            result = a if result is None else jnp.matmul(result, a)
        n >>= 1
        if n:
            a = jnp.matmul(a, a)
    return result


def matrix_exp(a):
    check_float(a, "linalg.matrix_exp")
    check_square(a, "linalg.matrix_exp")
    if a.size == 0:
        return a
    flat = a.reshape((-1,) + a.shape[-2:])
    return jax.vmap(jax.scipy.linalg.expm)(flat).reshape(a.shape)


# ---- decompositions -------------------------------------------------------------------------

def svd(a, *, full_matrices=True, name="linalg.svd"):
    """U, S, Vh. With full_matrices the extra columns of U (rows of Vh) carry no gradient, as
    in torch (JAX has no JVP for full matrices)."""
    check_float(a, name)
    check_matrix(a, name)
    m, n = a.shape[-2:]
    k = min(m, n)
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    if full_matrices and m != n:
        uf, _, vhf = jnp.linalg.svd(jax.lax.stop_gradient(a), full_matrices=True)
        u = jnp.concatenate([u, uf[..., :, k:]], axis=-1)
        vh = jnp.concatenate([vh, vhf[..., k:, :]], axis=-2)
    return u, s, vh


def svd_legacy(a, *, some=True):
    """torch.svd: U, S, V (not Vh)."""
    u, s, vh = svd(a, full_matrices=not some)
    return u, s, _mH(vh)


def svdvals(a):
    check_float(a, "linalg.svd")
    check_matrix(a, "linalg.svd")
    return jnp.linalg.svd(a, compute_uv=False)


def qr(a, *, mode="reduced", name="linalg.qr"):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    check_float(a, name)
    check_matrix(a, name)
    if mode == "r":
        return jnp.zeros((0,), a.dtype), jnp.linalg.qr(a, mode="r")
    return tuple(jnp.linalg.qr(a, mode=mode))


def eigh(a, *, UPLO="L", name="linalg.eigh"):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_kernel_dtype(a, "linalg_eigh_cpu")
    check_square(a, name)
    w, v = jnp.linalg.eigh(a, UPLO=UPLO, symmetrize_input=False)
    return w, v


def _check_eig_dtype(a):
    if not _is_inexact(a):
        raise RuntimeError(f"Unknown Complex ScalarType for {_dtypes.title_name(_dtype_of(a))}")


def eig(a, *, name="linalg.eig"):
    _check_eig_dtype(a)
    check_square(a, name)
    w, v = jax.lax.linalg.eig(a, compute_left_eigenvectors=False, enable_eigvec_derivs=True)
    return w, v


def eigvals(a):
    _check_eig_dtype(a)
    check_square(a, "linalg.eigvals")
    return jax.lax.linalg.eig(a, compute_left_eigenvectors=False,
                              compute_right_eigenvectors=False)[0]


def _pinv_cutoff(s, m, n, atol, rtol):
    """torch's threshold: max(atol, rtol * largest singular value), rtol defaulting to
    eps * max(m, n) when neither is given (and to 0 when only atol is)."""
    eps = jnp.finfo(s.dtype).eps
    if rtol is None:
        rtol = eps * max(m, n) if (atol is None or _zero(atol)) else 0.0
    atol = 0.0 if atol is None else atol
    smax = jnp.max(s, axis=-1, initial=0.0)
    return jnp.maximum(jnp.asarray(atol, s.dtype), jnp.asarray(rtol, s.dtype) * smax)


def _zero(x):
    return isinstance(x, (int, float)) and x == 0


def pinv(a, atol=None, rtol=None, *, hermitian=False):
    if not _is_inexact(a) or a.ndim < 2:
        d = _dtypes.title_name(_dtype_of(a))
        raise RuntimeError(f"linalg.pinv({d}{{{list(a.shape)}}}): expected a tensor with 2 or "
                           "more dimensions of float, double, cfloat or cdouble types")
    return _pinv(a, atol, rtol, hermitian)


def _pinv_values(a, atol, rtol, hermitian):
    m, n = a.shape[-2:]
    if hermitian:
        w, v = jnp.linalg.eigh(a, UPLO="L", symmetrize_input=False)
        cut = _pinv_cutoff(jnp.abs(w), m, n, atol, rtol)
        winv = jnp.where(jnp.abs(w) > cut[..., None], 1 / jnp.where(w == 0, 1, w), 0)
        return jnp.matmul(v * winv[..., None, :].astype(v.dtype), _mH(v))
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    cut = _pinv_cutoff(s, m, n, atol, rtol)
    sinv = jnp.where(s > cut[..., None], 1 / jnp.where(s == 0, 1, s), 0)
    return jnp.matmul(_mH(vh) * sinv[..., None, :].astype(a.dtype), _mH(u))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3))
def _pinv(a, atol, rtol, hermitian):
    return _pinv_values(a, atol, rtol, hermitian)


@_pinv.defjvp
def _pinv_jvp(atol, rtol, hermitian, primals, tangents):
    # the derivative of the pseudo-inverse at constant rank (torch's pinv_backward)
    (a,), (da,) = primals, tangents
    p = _pinv(a, atol, rtol, hermitian)
    m, n = a.shape[-2:]
    eye_m = jnp.eye(m, dtype=a.dtype)
    eye_n = jnp.eye(n, dtype=a.dtype)
    dp = (-p @ da @ p
          + p @ _mH(p) @ _mH(da) @ (eye_m - a @ p)
          + (eye_n - p @ a) @ _mH(da) @ _mH(p) @ p)
    return p, dp


def matrix_rank(a, atol=None, rtol=None, *, hermitian=False):
    if _dtype_of(a) not in (_dtypes.float32, _dtypes.float64, _dtypes.complex64,
                            _dtypes.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_matrix(a, "linalg.matrix_rank")
    m, n = a.shape[-2:]
    if hermitian:
        s = jnp.abs(jnp.linalg.eigvalsh(a))
    else:
        s = jnp.linalg.svd(a, compute_uv=False)
    cut = _pinv_cutoff(s, m, n, atol, rtol)
    return jnp.sum(s > cut[..., None], axis=-1).astype(jnp.int64)


def _lstsq_checks(a, b):
    if _dtype_of(a) not in (_dtypes.float32, _dtypes.float64, _dtypes.complex64,
                            _dtypes.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {_dtypes.title_name(_dtype_of(a))} and "
                           f"other's dtype {_dtypes.title_name(_dtype_of(b))}")
    check_matrix(a, "torch.linalg.lstsq", "input")
    vector = b.ndim == a.ndim - 1
    rhs = b[..., None] if vector else b
    if rhs.shape[-2] != a.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2). Got "
                           f"{a.shape[-2]} and {rhs.shape[-2]}")
    return vector, rhs


def _lstsq_rtol(rcond):
    return rcond if rcond is not None and rcond > 0 else None


def lstsq(a, b, *, rcond=None, driver="gelsy"):
    """(solution, residuals) as torch's CPU drivers fill them (gelsy leaves residuals empty);
    the solution is pinv(A) @ B."""
    vector, rhs = _lstsq_checks(a, b)
    m, n = a.shape[-2:]
    a_b, rhs_b = _batch_broadcast(a, rhs, 2, 2)
    x = jnp.matmul(_pinv(a_b, None, _lstsq_rtol(rcond), False), rhs_b)
    residuals = jnp.zeros((0,), _real_dtype(a))
    if driver in ("gelsd", "gelss", "gels") and m > n:
        residuals = jnp.sum(jnp.abs(rhs_b - jnp.matmul(a_b, x)) ** 2, axis=-2)
        if vector:
            residuals = residuals[..., 0]
    return (x[..., 0] if vector else x), residuals


def lstsq_rank(a, b, *, rcond=None, driver="gelsy"):
    """lstsq's rank (gelsy, gelsd, gelss) and singular values (gelsd, gelss)."""
    _lstsq_checks(a, b)
    m, n = a.shape[-2:]
    s = jnp.linalg.svd(a, compute_uv=False)
    cut = _pinv_cutoff(s, m, n, None, _lstsq_rtol(rcond))
    rank = jnp.sum(s > cut[..., None], axis=-1).astype(jnp.int64)
    if driver == "gels":
        rank = jnp.zeros((0,), jnp.int64)
    svals = s if driver in ("gelsd", "gelss") else jnp.zeros((0,), _real_dtype(a))
    return rank, svals


def lu_factor_ex(a, *, pivot=True):
    check_kernel_dtype(a, "lu_cpu")
    check_matrix(a, "torch.lu_factor")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, pivots, _ = jax.lax.linalg.lu(a)
    k = min(a.shape[-2:])
    zero = jnp.diagonal(jax.lax.stop_gradient(lu), axis1=-2, axis2=-1)[..., :k] == 0
    first = jnp.argmax(zero, axis=-1).astype(jnp.int32) + 1
    info = jnp.where(jnp.any(zero, axis=-1), first, 0).astype(jnp.int32)
    return lu, (pivots[..., :k] + 1).astype(jnp.int32), info


def lu(a, *, pivot=True):
    """L and U of A = P L U (P from lu_permutation, which carries no gradient)."""
    lu_, _, _ = lu_factor_ex(a, pivot=pivot)
    m, n = a.shape[-2:]
    k = min(m, n)
    lower = jnp.tril(lu_[..., :, :k], -1) + jnp.eye(m, k, dtype=a.dtype)
    upper = jnp.triu(lu_[..., :k, :])
    return lower, upper


def lu_permutation(a, *, pivot=True):
    """The P of A = P L U: A[perm] = L U, so P[perm[i], i] = 1."""
    check_kernel_dtype(a, "lu_cpu")
    check_matrix(a, "torch.lu_factor")
    _, _, perm = jax.lax.linalg.lu(a)
    return jnp.swapaxes(jax.nn.one_hot(perm, a.shape[-2], dtype=a.dtype), -1, -2)


def lu_solve(lu_, pivots, b, *, left=True, adjoint=False):
    """X with A X = B (A^H X = B with adjoint; X A = B with left=False) from lu_factor's
    output, A = P L U."""
    check_kernel_dtype(lu_, "lu_solve_cpu")
    check_square(lu_, "linalg.lu_solve", "LU")
    if lu_.dtype != b.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found "
                           f"LU of type {_dtypes.title_name(_dtype_of(lu_))} and B of type "
                           f"{_dtypes.title_name(_dtype_of(b))} instead")
    check_matrix(b, "linalg.lu_solve", "B")
    n = lu_.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {b.shape[-2]}x"
                           f"{b.shape[-1]})")
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return _mH(lu_solve(lu_, pivots, _mH(b), left=True, adjoint=not adjoint))
    perm = jax.lax.linalg.lu_pivots_to_permutation(pivots.astype(jnp.int32) - 1, n)
    lu_, b = _batch_broadcast(lu_, b, 2, 2)
    perm = jnp.broadcast_to(perm, lu_.shape[:-1])
    solve = functools.partial(jax.lax.linalg.triangular_solve, left_side=True)
    if not adjoint:  # L U X = B[perm]
        y = jnp.take_along_axis(b, perm[..., None], axis=-2)
        y = solve(lu_, y, lower=True, unit_diagonal=True)
        return solve(lu_, y, lower=False)
    # U^H L^H (P^T X) = B
    y = solve(lu_, b, lower=False, transpose_a=True, conjugate_a=True)
    z = solve(lu_, y, lower=True, unit_diagonal=True, transpose_a=True, conjugate_a=True)
    inverse = jnp.argsort(perm, axis=-1)
    return jnp.take_along_axis(z, inverse[..., None], axis=-2)


def solve_triangular(a, b, *, upper, left=True, unitriangular=False):
    (a, b), _ = promote(a, b)
    check_kernel_dtype(a, "triangular_solve_cpu")
    check_square(a, "linalg.solve_triangular")
    check_matrix(b, "linalg.solve_triangular", "B")
    k = b.shape[-2] if left else b.shape[-1]
    if k != a.shape[-1]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({a.shape[-2]}x"
                           f"{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    a, b = _batch_broadcast(a, b, 2, 2)
    if a.shape[-1] == 0 or b.size == 0:
        return jnp.zeros_like(b)
    return jax.lax.linalg.triangular_solve(a, b, left_side=left, lower=not upper,
                                           unit_diagonal=unitriangular)


def householder_product(a, tau):
    check_kernel_dtype(a, "orgqr_cpu")
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.householder_product: input must have at least 2 "
                           "dimensions.")
    if a.shape[-2] < a.shape[-1]:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater "
                           "than or equal to input.shape[-1]")
    if tau.shape[-1] > a.shape[-1]:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater "
                           "than or equal to tau.shape[-1]")
    if a.dtype != tau.dtype:
        raise RuntimeError(f"torch.linalg.householder_product: tau dtype "
                           f"{_dtypes.title_name(_dtype_of(tau))} does not match input dtype "
                           f"{_dtypes.title_name(_dtype_of(a))}")
    return _householder_product(a, tau)


def _householder_product(a, tau):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H, by a static loop (JAX's
    householder_product has no derivative)."""
    m, n = a.shape[-2:]
    q = jnp.broadcast_to(jnp.eye(m, n, dtype=a.dtype), a.shape)
    rows = jnp.arange(m)
    for i in reversed(range(tau.shape[-1])):
        v = jnp.where(rows > i, a[..., :, i], jnp.where(rows == i, 1, 0).astype(a.dtype))
        vq = jnp.einsum("...m,...mn->...n", jnp.conj(v), q)
        q = q - tau[..., i, None, None] * v[..., :, None] * vq[..., None, :]
    return q


def tensorinv_shape_check(shape, ind):
    if ind <= 0:
        raise RuntimeError("Expected a strictly positive integer for 'ind', but got "
                           f"{ind}")
    rows = math.prod(shape[:ind])
    cols = math.prod(shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return rows


def tensorinv(a, *, ind=2):
    n = tensorinv_shape_check(a.shape, ind)
    inv, info = inv_ex(a.reshape(n, n))
    return inv.reshape(a.shape[ind:] + a.shape[:ind]), info


def tensorsolve(a, b, *, dims=None):
    if dims is not None:
        dims = tuple(canonical_dim(d, a.ndim) for d in dims)
        rest = tuple(d for d in range(a.ndim) if d not in dims)
        a = jnp.transpose(a, rest + dims)
    x_shape = a.shape[b.ndim:]
    n = math.prod(x_shape)
    if math.prod(a.shape[:b.ndim]) != n or a.shape[:b.ndim] != b.shape:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:])"
                           " == prod(self.shape[:other.ndim]), but got "
                           f"{n} != {math.prod(a.shape[:b.ndim])}")
    x, info = solve_ex(a.reshape(n, n), b.reshape(n))
    return x.reshape(x_shape), info


# ---- norms ----------------------------------------------------------------------------------

def _norm_dtype(x, dtype, name):
    check_float(x, name)
    if dtype is not None:
        if not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError(f"{name}: dtype should be floating point or complex. Got "
                               f"{_dtypes.title_name(dtype)}")
        x = cast(x, dtype)
    return x


def _vector_norm(x, ord, axes, keepdim):
    return reduction.norm_kernel(x, ord, tuple(axes), keepdim)


def vector_norm(x, *, ord=2, dim=None, keepdim=False, dtype=None, name="linalg.vector_norm"):
    x = _norm_dtype(x, dtype, "linalg.vector_norm")
    if isinstance(dim, int):
        dim = (dim,)
    axes = tuple(range(x.ndim)) if dim is None or dim == () else \
        tuple(canonical_dim(d, x.ndim) for d in dim)
    if ord in (float("inf"), float("-inf")) or ord < 0:
        if x.size == 0 and (dim is None or any(x.shape[d] == 0 for d in axes)):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on "
                               "an empty tensor because the operation does not have an identity")
    if x.ndim == 0:
        out = jnp.abs(x) if ord != 0 else (x != 0).astype(_real_dtype(x))
        return out.astype(_real_dtype(x))
    return _vector_norm(x, ord, axes, keepdim).astype(_real_dtype(x))


def _ord_name(ord):
    return {float("inf"): "inf", float("-inf"): "-inf"}.get(ord, str(ord))


_MATRIX_ORDS = ("fro", "nuc", float("inf"), float("-inf"), 1, -1, 2, -2)


def matrix_norm(a, *, ord="fro", dim=(-2, -1), keepdim=False, dtype=None):
    name = "linalg.matrix_norm"
    a = _norm_dtype(a, dtype, name)
    check_matrix(a, name)
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"{name}: Order {ord} not supported.")
    if len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = (canonical_dim(d, a.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{name}: dims must be different. Got ({d0}, {d1})")
    real = _real_dtype(a)
    if ord == "fro":
        return _vector_norm(a, 2, (d0, d1), keepdim).astype(real)
    if ord in ("nuc", 2, -2):
        moved = jnp.moveaxis(a, (d0, d1), (-2, -1))
        s = jnp.linalg.svd(moved, compute_uv=False)
        out = {"nuc": jnp.sum, 2: jnp.max, -2: jnp.min}[ord](s, axis=-1)
        if keepdim:
            out = jnp.expand_dims(out, tuple(sorted((d0, d1))))
        return out.astype(real)
    if ord in (float("inf"), float("-inf")):
        d0, d1 = d1, d0
    sums = jnp.sum(jnp.abs(a), axis=d0, keepdims=True)
    pick = jnp.max if ord > 0 else jnp.min
    out = pick(sums, axis=d1, keepdims=True)
    if not keepdim:
        out = jnp.squeeze(out, (d0, d1))
    return out.astype(real)


# ---- distances and assorted ops -------------------------------------------------------------

def cdist(x1, x2, *, p=2.0):
    for x, arg in ((x1, "X1"), (x2, "X2")):
        if not _dtype_of(x).is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {arg} got: "
                               f"{_dtypes.title_name(_dtype_of(x))}")
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    _check_scalar_type(x1, x2)
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    a, b = _batch_broadcast(x1, x2, 2, 2)
    diff = a[..., :, None, :] - b[..., None, :, :]
    if diff.shape[-1] == 0:
        return jnp.zeros(diff.shape[:-1], x1.dtype)
    return _vector_norm(diff, p, (diff.ndim - 1,), False)


def block_diag(*tensors):
    shaped = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
        shaped.append(t.reshape((1, -1) if t.ndim < 2 else t.shape) if t.ndim < 2 else t)
    if not shaped:
        return jnp.zeros((0, 0), _dtypes.get_default_dtype().np)
    shaped, _ = promote(*shaped) if len(shaped) > 1 else ((shaped[0],), None)
    rows = sum(t.shape[0] for t in shaped)
    cols = sum(t.shape[1] for t in shaped)
    out = jnp.zeros((rows, cols), shaped[0].dtype)
    r = c = 0
    for t in shaped:
        out = out.at[r:r + t.shape[0], c:c + t.shape[1]].set(t)
        r, c = r + t.shape[0], c + t.shape[1]
    return out


def cartesian_prod(*tensors):
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if len(tensors) == 1:
        return tensors[0]
    grids = jnp.meshgrid(*tensors, indexing="ij")
    return jnp.stack([g.reshape(-1) for g in grids], axis=1)


def vander(x, *, N=None, increasing=False, batched=False):
    """Powers of x along a new last dim (x^0 first when increasing), by a cumulative product
    as torch computes them; batched=True (torch.linalg.vander) takes the last dim as x."""
    if x.ndim != 1 and not batched:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[-1]
    if N is None:
        N = n
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if not _is_inexact(x):
        x = x.astype(jnp.int64)
    shape = x.shape + (N,)
    if N == 0:
        return jnp.zeros(shape, x.dtype)
    cols = jnp.concatenate([jnp.ones(x.shape + (1,), x.dtype),
                            jnp.broadcast_to(x[..., None], x.shape + (N - 1,))], axis=-1)
    out = jnp.cumprod(cols, axis=-1)
    return out if increasing else out[..., ::-1]


def trapezoid(y, x=None, *, dx=1.0, dim=-1):
    y = to_float(y)
    d = canonical_dim(dim, y.ndim)
    if x is not None:
        x = to_float(x)
        (y, x), _ = promote(y, x)
        if x.ndim == 1:
            if x.shape[0] != y.shape[d]:
                raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
            shape = [1] * y.ndim
            shape[d] = x.shape[0]
            x = x.reshape(shape)
        dxs = jnp.diff(x, axis=d)
    else:
        dxs = dx
    if y.shape[d] == 0:
        return jnp.sum(y, axis=d)
    left = jax.lax.slice_in_dim(y, 0, y.shape[d] - 1, axis=d)
    right = jax.lax.slice_in_dim(y, 1, y.shape[d], axis=d)
    return jnp.sum(dxs * (left + right), axis=d) / 2


def diff(x, prepend=None, append=None, *, n=1, dim=-1):
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = canonical_dim(dim, x.ndim)
    parts = []
    for extra in (prepend, x, append):
        if extra is None:
            continue
        if extra is not x and extra.ndim == 0:
            shape = list(x.shape)
            shape[d] = 1
            extra = jnp.broadcast_to(extra, shape)
        parts.append(extra)
    if len(parts) > 1:
        parts, _ = promote(*parts)
        x = jnp.concatenate(parts, axis=d)
    for _ in range(n):
        if x.shape[d] == 0:
            break
        hi = jax.lax.slice_in_dim(x, 1, x.shape[d], axis=d)
        lo = jax.lax.slice_in_dim(x, 0, x.shape[d] - 1, axis=d)
        x = (hi ^ lo) if x.dtype == jnp.bool_ else hi - lo
    return x


def cov(x, fweights=None, aweights=None, *, correction=1):
    if x.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {x.ndim} dimensions")
    x = to_float(x)
    obs = x.reshape(1, -1) if x.ndim < 2 else x
    num_obs = obs.shape[1]
    w = None
    for weights, name in ((fweights, "fweights"), (aweights, "aweights")):
        if weights is None:
            continue
        if weights.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                               f"{name} with {weights.ndim} dimensions")
        if weights.shape[0] != num_obs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                               f"observations in the input but got {weights.shape[0]} != "
                               f"{num_obs}")
        if name == "fweights" and _is_inexact(weights):
            raise RuntimeError("cov(): expected fweights to have integral dtype")
        if name == "aweights" and not _is_inexact(weights):
            raise RuntimeError("cov(): expected aweights to have floating point dtype")
        w = weights if w is None else w * weights
    if w is None:
        w_sum = jnp.asarray(num_obs, _real_dtype(obs))
        avg = jnp.mean(obs, axis=1)
    else:
        w = w.astype(_real_dtype(obs)) if not _is_inexact(w) else w
        w_sum = jnp.sum(w)
        avg = jnp.sum(obs * w, axis=1) / w_sum
    if w is None:
        norm = w_sum - correction
    elif correction == 0:
        norm = w_sum
    elif aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * jnp.sum(w * aweights) / w_sum
    norm = jnp.maximum(norm, 0)
    xm = obs - avg[:, None]
    xw = xm if w is None else xm * w
    c = jnp.matmul(xw, jnp.conj(xm).T) / norm.astype(obs.dtype)
    return c.reshape(()) if x.ndim < 2 or c.shape == (1, 1) else c


def corrcoef(x):
    c = cov(x)
    if c.ndim == 0:
        return c / c
    d = jnp.diagonal(c)
    std = jnp.sqrt(jnp.real(d)) if jnp.iscomplexobj(c) else jnp.sqrt(d)
    c = c / std[:, None].astype(c.dtype)
    c = c / std[None, :].astype(c.dtype)
    if jnp.iscomplexobj(c):
        return jax.lax.complex(jnp.clip(jnp.real(c), -1, 1), jnp.clip(jnp.imag(c), -1, 1))
    return jnp.clip(c, -1, 1)
