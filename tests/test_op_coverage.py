"""Every `torch.*`, `Tensor.*`, `torch.linalg.*` and `torch.fft.*` name the op-surface issue
lists exists in jtorch, and each family's ops have an entry in an op-spec table."""

from __future__ import annotations

import pytest

import jtorch

FUNCTIONS = {
    "creation": """tensor as_tensor from_numpy zeros ones empty full zeros_like ones_like
        empty_like full_like arange linspace logspace eye FloatTensor LongTensor DoubleTensor
        IntTensor BoolTensor is_tensor numel get_default_dtype set_default_dtype
        set_printoptions""",
    "random": """rand randn randint randperm normal bernoulli multinomial rand_like randn_like
        randint_like manual_seed seed initial_seed Generator get_rng_state set_rng_state""",
    "pointwise": """add sub mul div floor_divide remainder fmod true_divide addcmul addcdiv lerp
        exp expm1 log log1p log2 log10 sqrt rsqrt square abs sign neg reciprocal floor ceil
        round trunc frac sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh
        arcsin arccos arctan sigmoid logit erf erfinv erfc clamp clip maximum minimum fmax fmin
        eq ne lt le gt ge isclose allclose equal isnan isinf isfinite nan_to_num logical_and
        logical_or logical_not logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not
        where pow is_floating_point""",
    "reductions": """sum mean prod std var std_mean var_mean max min amax amin argmax argmin
        logsumexp norm all any count_nonzero cumsum cumprod cummax cummin sort argsort topk
        kthvalue median mode unique bincount histc searchsorted bucketize""",
    "shape": """reshape flatten unflatten squeeze unsqueeze permute transpose swapaxes t
        cat concat stack hstack vstack dstack chunk split tensor_split narrow unbind flip
        fliplr flipud roll rot90 gather scatter scatter_add scatter_reduce index_select
        index_add index_copy index_fill masked_select masked_fill masked_scatter nonzero take
        take_along_dim tril triu diag diag_embed diagonal trace meshgrid broadcast_to
        broadcast_tensors movedim repeat_interleave tile clone""",
    "linalg": """mm bmm matmul mv dot vdot outer addmm addbmm baddbmm addmv einsum tensordot
        kron cross inverse det logdet slogdet svd cdist""",
}

METHODS = {
    "creation": """float double half bfloat16 int long bool to type numel element_size
        nelement new_zeros new_ones new_full new_empty new_tensor item tolist numpy""",
    "random": "uniform_ normal_ random_ bernoulli_ exponential_",
    "pointwise": """floor_divide remainder fmod true_divide addcmul addcdiv lerp rsqrt square
        frac round logit erfinv clamp clip clamp_ nan_to_num isclose allclose equal sign
        sigmoid logical_not bitwise_not is_floating_point""",
    "reductions": """std var max min amax amin argmax argmin logsumexp norm all any
        count_nonzero cumsum cumprod cummax sort argsort topk kthvalue median mode unique
        bincount histc""",
    "shape": """view view_as reshape flatten unflatten squeeze unsqueeze permute transpose
        swapaxes t T mT expand expand_as repeat repeat_interleave tile chunk split tensor_split
        narrow unbind flip fliplr flipud roll rot90 gather scatter scatter_ scatter_add
        scatter_add_ scatter_reduce index_select index_add index_add_ index_copy index_copy_
        index_fill index_fill_ masked_select masked_fill masked_fill_ masked_scatter nonzero
        take take_along_dim tril triu tril_ triu_ diag diag_embed diagonal trace movedim clone
        contiguous zero_ fill_ copy_ as_strided""",
    "linalg": "mm bmm matmul mv dot outer addmm inverse det cross",
}

LINALG = """cross svd norm vector_norm matrix_norm inv solve qr eigh eig cholesky pinv
    matrix_rank det slogdet"""
FFT = "fft ifft rfft irfft fft2 ifft2 fftn fftshift fftfreq"


def _missing(namespace, names):
    return [n for n in names.split() if not hasattr(namespace, n)]


@pytest.mark.parametrize("family", sorted(FUNCTIONS))
def test_functions_exist(family):
    assert _missing(jtorch, FUNCTIONS[family]) == []


@pytest.mark.parametrize("family", sorted(METHODS))
def test_methods_exist(family):
    assert _missing(jtorch.Tensor, METHODS[family]) == []


def test_linalg_and_fft_exist():
    assert _missing(jtorch.linalg, LINALG) == []
    assert _missing(jtorch.fft, FFT) == []


def _table_names():
    """Op names with an entry in some op-spec table (every tests/test_ops*.py module)."""
    import importlib
    import pathlib

    import _opspec
    for path in sorted(pathlib.Path(__file__).parent.glob("test_ops*.py")):
        importlib.import_module(path.stem)
    return {name.split("(")[0].removeprefix("Tensor.") for name in _opspec.ALL_SPECS}


@pytest.mark.parametrize("family", ["pointwise", "reductions", "shape", "linalg"])
def test_differentiable_families_have_op_spec_entries(family):
    """Each op of these families is differential-tested in an op-spec table (creation and
    random ops are tested in test_ops_creation.py and test_random.py: samplers by moments)."""
    assert [n for n in FUNCTIONS[family].split() if n not in _table_names()] == []
    assert [n for n in LINALG.split() if f"linalg.{n}" not in _table_names()] == []
    assert [n for n in FFT.split() if f"fft.{n}" not in _table_names()] == []


def test_testing_assert_close_exists():
    assert callable(jtorch.testing.assert_close)
