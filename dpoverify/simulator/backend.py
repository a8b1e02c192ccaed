"""Array backends for the two products the dynamics need, over the per-cluster view X3 (2K, Q, d):

    project(X3, U)   -> (2K, Q):  row j of cluster k dotted with U[k]      (margins from weights)
    aggregate(P, X3) -> (2K, d):  sum_j P[k, j] x_j over the rows of cluster k  (weights from phi)
    matvec(C, u)     -> C @ u                                               (dense-kernel form)

"numpy" runs on the CPU (BLAS); "torch" runs on CUDA when available, else on the CPU. Inputs and
outputs of these calls are numpy float64 arrays; the big operands stay in the backend's memory and
dtype (float32 if the dataset was sampled in float32).
"""
from __future__ import annotations

import numpy as np

BACKENDS = ("numpy", "torch")


class NumpyBackend:
    name = "numpy"
    device = "cpu"

    def put(self, a: np.ndarray):
        return a

    # einsum streams X3 once per call; on 2 shared cores it beat batched BLAS gemv (np.matmul)
    # by ~3x in CPU time at N = 17,600, d = 4,400 (bench/bench_simulator.py)
    def project(self, X3, U: np.ndarray) -> np.ndarray:
        return np.einsum("kqd,kd->kq", X3, U.astype(X3.dtype, copy=False)).astype(np.float64)

    def aggregate(self, P: np.ndarray, X3) -> np.ndarray:
        return np.einsum("kq,kqd->kd", P.astype(X3.dtype, copy=False), X3).astype(np.float64)

    def matvec(self, C, u: np.ndarray) -> np.ndarray:
        return (C @ u.astype(C.dtype, copy=False)).astype(np.float64)


class TorchBackend:
    name = "torch"

    def __init__(self, device: str | None = None):
        import torch

        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")

    def put(self, a: np.ndarray):
        return self.torch.from_numpy(np.ascontiguousarray(a)).to(self.device)

    def _t(self, a: np.ndarray, like):
        return self.torch.from_numpy(np.ascontiguousarray(a)).to(device=self.device, dtype=like.dtype)

    def project(self, X3, U: np.ndarray) -> np.ndarray:
        out = self.torch.bmm(X3, self._t(U, X3)[:, :, None])[:, :, 0]
        return out.double().cpu().numpy()

    def aggregate(self, P: np.ndarray, X3) -> np.ndarray:
        out = self.torch.bmm(self._t(P, X3)[:, None, :], X3)[:, 0, :]
        return out.double().cpu().numpy()

    def matvec(self, C, u: np.ndarray) -> np.ndarray:
        return (C @ self._t(u, C)).double().cpu().numpy()


def get_backend(name: str):
    if name == "numpy":
        return NumpyBackend()
    if name == "torch":
        try:
            return TorchBackend()
        except ImportError:
            raise ValueError("backend 'torch' needs torch installed (pip install dpoverify[audit])") from None
    raise ValueError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
