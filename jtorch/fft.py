"""torch.fft: discrete Fourier transforms with torch's names, norms and dtypes.

Real inputs (and integers, as the default float dtype) are transformed as complex64
(float64 as complex128); `norm` is "backward" (default), "ortho" or "forward".
"""

from __future__ import annotations

from jtorch._api.math import _out
from jtorch._dispatch import Op, dispatch
from jtorch._ops import fft as ops

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fftshift",
           "ifftshift", "fftfreq", "rfftfreq"]

C2C = Op(ops.fft_c2c, "FftC2CBackward0")
R2C = Op(ops.fft_r2c, "FftR2CBackward0")
C2R = Op(ops.fft_c2r, "FftC2RBackward0")
HFFT = Op(ops.hfft, "FftC2RBackward0")
IHFFT = Op(ops.ihfft, "ConjBackward0")
C2C_N = Op(ops.fftn_c2c, "FftC2CBackward0")
R2C_N = Op(ops.fftn_r2c, "FftR2CBackward0")
C2R_N = Op(ops.fftn_c2r, "FftC2RBackward0")
HFFT_N = Op(ops.hfftn, "FftC2RBackward0")
IHFFT_N = Op(ops.ihfftn, "ConjBackward0")
FFTSHIFT = Op(ops.fftshift, "RollBackward0")
IFFTSHIFT = Op(ops.ifftshift, "RollBackward0")


def _seq(x):
    return None if x is None else (x,) if isinstance(x, int) else tuple(x)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """torch.fft.fft: one-dimensional discrete Fourier transform."""
    return _out(dispatch(C2C, (input,), n=n, dim=dim, norm=norm), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(dispatch(C2C, (input,), n=n, dim=dim, norm=norm, inverse=True, name="ifft"), out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """torch.fft.rfft: the n // 2 + 1 non-negative frequencies of a real signal."""
    return _out(dispatch(R2C, (input,), n=n, dim=dim, norm=norm), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """torch.fft.irfft: the real signal of length n (default 2 * (m - 1)) of a one-sided
    spectrum."""
    return _out(dispatch(C2R, (input,), n=n, dim=dim, norm=norm), out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(dispatch(HFFT, (input,), n=n, dim=dim, norm=norm), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _out(dispatch(IHFFT, (input,), n=n, dim=dim, norm=norm), out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """torch.fft.fftn over dim (default: the last len(s) dims, or all)."""
    return _out(dispatch(C2C_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm), out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(dispatch(C2C_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm, inverse=True,
                         name="ifftn"), out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(dispatch(R2C_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm), out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(dispatch(C2R_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(dispatch(HFFT_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm), out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _out(dispatch(IHFFT_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm), out)


def _two_dim(op, name):
    def public(input, s=None, dim=(-2, -1), norm=None, *, out=None):
        return _out(dispatch(op, (input,), s=_seq(s), dim=_seq(dim), norm=norm, name=name), out)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"torch.fft.{name}: over the last two dims by default."
    return public


fft2 = _two_dim(C2C_N, "fft2")
rfft2 = _two_dim(R2C_N, "rfft2")
irfft2 = _two_dim(C2R_N, "irfft2")
hfft2 = _two_dim(HFFT_N, "hfft2")
ihfft2 = _two_dim(IHFFT_N, "ihfft2")


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _out(dispatch(C2C_N, (input,), s=_seq(s), dim=_seq(dim), norm=norm, inverse=True,
                         name="ifft2"), out)


def fftshift(input, dim=None):
    """torch.fft.fftshift: the zero frequency moved to the centre of dim (all dims)."""
    return dispatch(FFTSHIFT, (input,), dim=_seq(dim))


def ifftshift(input, dim=None):
    return dispatch(IFFTSHIFT, (input,), dim=_seq(dim))


def _frequencies(values, dtype, device, requires_grad):
    from jtorch._api import creation
    t = creation.tensor(values, dtype=creation._dtype_or_default(dtype), device=device)
    return t.requires_grad_() if requires_grad else t


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.fft.fftfreq: the sample frequencies of a length-n transform (default dtype)."""
    import numpy as np
    return _out(_frequencies(np.fft.fftfreq(n, d), dtype, device, requires_grad), out)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    import numpy as np
    return _out(_frequencies(np.fft.rfftfreq(n, d), dtype, device, requires_grad), out)
