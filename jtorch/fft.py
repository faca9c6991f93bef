"""torch.fft: discrete Fourier transforms with torch's names, norms and dtypes."""

from __future__ import annotations
