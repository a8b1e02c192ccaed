"""The dense kernel of eq. 3: C(x_i, x_j) = (y_w,j - y_l,j)^T (y_w,i - y_l,i) g(x_i)^T g(x_j).

Built block by block over cluster pairs (k, k'): C[k, k'] = H[k, k'] X_k X_k'^T, where H is the
(2K, 2K) preference-sharing matrix. Blocks with H[k, k'] = 0 are exactly zero and are not
multiplied unless asked to. (A single numpy ``G @ G.T`` at N = 17,600 has crashed with two OpenBLAS threads.)
"""
from __future__ import annotations

import numpy as np

from .data import Dataset


def kernel(dataset: Dataset, dtype=None, skip_zero_blocks: bool = True) -> np.ndarray:
    """(N, N) matrix C, rows and columns in the dataset's row order. ``skip_zero_blocks=False``
    multiplies every block (the plain dense build, for benchmarks)."""
    dtype = dtype or dataset.X.dtype
    X3 = dataset.blocks()
    H = dataset.H
    n_cl, Q, _ = X3.shape
    C = np.zeros((dataset.N, dataset.N), dtype=dtype)
    C3 = C.reshape(n_cl, Q, n_cl, Q)
    for k in range(n_cl):
        cols = np.flatnonzero(H[k]) if skip_zero_blocks else np.arange(n_cl)
        if len(cols) == 0:
            continue
        other = dataset.X if len(cols) == n_cl else X3[cols].reshape(-1, X3.shape[2])
        block = np.matmul(X3[k], other.T)  # one gemm per row block
        block = block.reshape(Q, len(cols), Q) * H[k, cols].astype(block.dtype)[None, :, None]
        C3[k][:, cols, :] = block
    return C
