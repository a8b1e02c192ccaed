"""The GPO family of Section 7: the loss is the mean of f(r_i) over margins r_i, and the flow of
eq. 3 has sigma(-r_i) replaced by phi(r_i) = -f'(r_i).

dpo   f(r) = -log sigma(r)     phi(r) = sigma(-r)
ipo   f(r) = (r - 1)^2         phi(r) = 2 (1 - r)
slic  f(r) = max(0, 1 - r)     phi(r) = 1 if r <= 1 else 0  (at the kink r = 1 the subgradient
                                                             torch's autograd of clamp(1 - r, min=0) uses)

A pack adds a loss with :func:`register_loss` (name, phi on numpy arrays, f on torch tensors).
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit

LOSSES = ["dpo", "ipo", "slic"]
_CUSTOM: dict[str, tuple] = {}  # name -> (phi(r) for numpy arrays, f(r) for torch tensors)


def register_loss(name: str, phi_numpy, f_torch=None) -> None:
    """Add a loss of the GPO family: ``phi_numpy(r) = -f'(r)`` elementwise on numpy arrays (the
    simulator's flow), ``f_torch(r)`` the loss on torch tensors (autograd ground truth; optional,
    needed only by gradient identities)."""
    same = name in _CUSTOM and all(getattr(_CUSTOM[name][0], a, None) == getattr(phi_numpy, a, None)
                                   for a in ("__module__", "__qualname__")) and "<lambda>" not in phi_numpy.__qualname__
    if name in LOSSES and not same:
        raise ValueError(f"loss {name!r} is already registered")
    _CUSTOM[name] = (phi_numpy, f_torch)
    if name not in LOSSES:
        LOSSES.append(name)


def check_loss(loss: str) -> str:
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    return loss


def phi(loss: str, r):
    """-f'(r) elementwise for a numpy array or a torch tensor."""
    if loss in _CUSTOM:
        phi_numpy = _CUSTOM[loss][0]
        if isinstance(r, np.ndarray) or not hasattr(r, "sigmoid"):
            return phi_numpy(np.asarray(r))
        import torch

        return torch.as_tensor(phi_numpy(r.detach().cpu().numpy()), dtype=r.dtype, device=r.device)
    if not isinstance(r, np.ndarray) and hasattr(r, "sigmoid"):  # torch tensor
        if loss == "dpo":
            return (-r).sigmoid()
        if loss == "ipo":
            return 2.0 * (1.0 - r)
        return (r <= 1).to(r.dtype)
    if loss == "dpo":
        return expit(-r)
    if loss == "ipo":
        return 2.0 * (1.0 - r)
    return (r <= 1).astype(np.result_type(r, np.float32))


def f_torch(loss: str, r):
    """f(r) as a torch expression (for autograd ground truth)."""
    import torch

    if loss in _CUSTOM:
        if _CUSTOM[loss][1] is None:
            raise ValueError(f"loss {loss!r} was registered without f_torch; autograd needs it")
        return _CUSTOM[loss][1](r)
    if loss == "dpo":
        return -torch.nn.functional.logsigmoid(r)
    if loss == "ipo":
        return (r - 1.0) ** 2
    return torch.clamp(1.0 - r, min=0.0)
