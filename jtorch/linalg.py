"""torch.linalg: linear algebra functions with torch's names and conventions."""

from __future__ import annotations

from jtorch._api.linalg import LinAlgError  # noqa: F401
from jtorch._api.linalg import linalg_cholesky as cholesky
from jtorch._api.linalg import linalg_cholesky_ex as cholesky_ex
from jtorch._api.linalg import linalg_cond as cond
from jtorch._api.linalg import linalg_cross as cross
from jtorch._api.linalg import linalg_det as det
from jtorch._api.linalg import linalg_diagonal as diagonal
from jtorch._api.linalg import linalg_eig as eig
from jtorch._api.linalg import linalg_eigh as eigh
from jtorch._api.linalg import linalg_eigvals as eigvals
from jtorch._api.linalg import linalg_eigvalsh as eigvalsh
from jtorch._api.linalg import linalg_householder_product as householder_product
from jtorch._api.linalg import linalg_inv as inv
from jtorch._api.linalg import linalg_inv_ex as inv_ex
from jtorch._api.linalg import linalg_lstsq as lstsq
from jtorch._api.linalg import linalg_lu as lu
from jtorch._api.linalg import linalg_lu_factor as lu_factor
from jtorch._api.linalg import linalg_lu_factor_ex as lu_factor_ex
from jtorch._api.linalg import linalg_lu_solve as lu_solve
from jtorch._api.linalg import linalg_matrix_exp as matrix_exp
from jtorch._api.linalg import linalg_matrix_norm as matrix_norm
from jtorch._api.linalg import linalg_matrix_power as matrix_power
from jtorch._api.linalg import linalg_matrix_rank as matrix_rank
from jtorch._api.linalg import linalg_multi_dot as multi_dot
from jtorch._api.linalg import linalg_norm as norm
from jtorch._api.linalg import linalg_pinv as pinv
from jtorch._api.linalg import linalg_qr as qr
from jtorch._api.linalg import linalg_slogdet as slogdet
from jtorch._api.linalg import linalg_solve as solve
from jtorch._api.linalg import linalg_solve_ex as solve_ex
from jtorch._api.linalg import linalg_solve_triangular as solve_triangular
from jtorch._api.linalg import linalg_svd as svd
from jtorch._api.linalg import linalg_svdvals as svdvals
from jtorch._api.linalg import linalg_tensorinv as tensorinv
from jtorch._api.linalg import linalg_tensorsolve as tensorsolve
from jtorch._api.linalg import linalg_vander as vander
from jtorch._api.linalg import linalg_vecdot as vecdot
from jtorch._api.linalg import linalg_vector_norm as vector_norm
from jtorch._api.math import matmul

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex", "lstsq", "lu",
           "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm",
           "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander",
           "vecdot", "vector_norm"]
