"""The dense kernel of eq. 3: C(x_i, x_j) = (y_w,j - y_l,j)^T (y_w,i - y_l,i) g(x_i)^T g(x_j).

Built block by block over cluster pairs (k, k'): C[k, k'] = H[k, k'] X_k X_k'^T, where H is the
(2K, 2K) preference-sharing matrix. Blocks with H[k, k'] = 0 are exactly zero and are not
multiplied. (A single numpy ``G @ G.T`` at N = 17,600 has crashed with two OpenBLAS threads.)
"""
from __future__ import annotations

import numpy as np

from .data import Dataset


def kernel(dataset: Dataset, dtype=None) -> np.ndarray:
    """(N, N) matrix C, rows and columns in the dataset's row order."""
    dtype = dtype or dataset.X.dtype
    X3 = dataset.blocks()
    H = dataset.H
    n_cl, Q, _ = X3.shape
    C = np.zeros((dataset.N, dataset.N), dtype=dtype)
    for k in range(n_cl):
        rows = slice(k * Q, (k + 1) * Q)
        for k2 in range(k, n_cl):
            h = H[k, k2]
            if h == 0:
                continue
            block = (X3[k] @ X3[k2].T).astype(dtype, copy=False)
            block *= h
            C[rows, k2 * Q:(k2 + 1) * Q] = block
            if k2 != k:
                C[k2 * Q:(k2 + 1) * Q, rows] = block.T
    return C
