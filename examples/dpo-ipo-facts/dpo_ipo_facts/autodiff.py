"""An engine of this pack: a printed gradient formula against torch autograd.

It is added to dpoverify through the ``spec.ENGINE`` protocol: the spec names this module, which
provides ``validate(spec)`` (called when the pack loads), ``run(spec, ctx)`` and
``replay(spec, counterexample, ctx)``, each returning a :class:`dpoverify.Result`.

:class:`AutodiffIdentity` states ``grad_theta loss(theta, beta) = gradient(theta, beta)``. The engine
draws points (theta ~ N(0, scale^2 I) in R^dimension, beta ~ U[1/10, 2]) from a generator seeded by
``ctx.seed`` (8 points in the quick profile, 32 in ci, 256 otherwise), computes the true gradient by
autograd in float64 and compares: every point within relative error 1e-9 (float64 round-off is
~1e-15) gives NO COUNTEREXAMPLE; the worst point beyond it gives REFUTED with that point as the
counterexample. Random points never prove an identity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

import dpoverify as dv

TOLERANCE = 1e-9
POINTS = {"quick": 8, "ci": 32}


@dataclass(frozen=True)
class AutodiffIdentity:
    ENGINE: ClassVar[str] = "dpo_ipo_facts.autodiff"
    dimension: int
    loss: Callable  # (theta: torch float64 tensor (dimension,), beta: float) -> scalar tensor
    gradient: Callable  # (theta, beta) -> tensor (dimension,): the printed formula
    scale: float = 2.0


def validate(spec) -> None:
    if not (isinstance(spec.dimension, int) and spec.dimension >= 1):
        raise ValueError(f"dimension must be a positive integer, got {spec.dimension!r}")
    if not (callable(spec.loss) and callable(spec.gradient)):
        raise ValueError("loss and gradient must be functions of (theta, beta)")


def _torch():
    try:
        import torch
    except ImportError as exc:
        raise dv.EngineUnavailable("torch is not installed (pip install dpo-ipo-facts[autodiff])") from exc
    return torch


def _compare(spec, theta: list[float], beta: float) -> tuple[float, dict]:
    torch = _torch()
    x = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    (true,) = torch.autograd.grad(spec.loss(x, beta), x)
    claimed = spec.gradient(x.detach(), beta).to(torch.float64)
    if claimed.shape != true.shape:
        raise ValueError(f"the formula has shape {tuple(claimed.shape)}, the gradient {tuple(true.shape)}")
    err = float((claimed - true).abs().max() / max(float(true.abs().max()), 1e-300))
    return err, {"theta": theta, "beta": beta, "true": true.tolist(), "formula": claimed.tolist(),
                 "relative_error": err}


def _points(spec, ctx) -> list[tuple[list[float], float]]:
    rng = np.random.default_rng([int(ctx.seed), 20250])
    n = POINTS.get(ctx.profile.name, 256)
    return [([float(v) for v in rng.normal(0.0, spec.scale, spec.dimension)], float(rng.uniform(0.1, 2.0)))
            for _ in range(n)]


def _decide(spec, points) -> dv.Result:
    worst = None
    for theta, beta in points:
        err, detail = _compare(spec, theta, beta)
        if worst is None or err > worst[0]:
            worst = (err, detail)
    evidence = {"method": "torch autograd (float64) at random points", "points": len(points),
                "tolerance": TOLERANCE, "worst": worst[1]}
    if worst[0] > TOLERANCE:
        payload = {"theta": worst[1]["theta"], "beta": worst[1]["beta"]}
        return dv.Result(dv.Verdict.REFUTED, f"formula differs from autograd by {worst[0]:.3g} (relative) at "
                                             f"beta = {worst[1]['beta']:.4g}", evidence, payload)
    return dv.Result(dv.Verdict.NO_COUNTEREXAMPLE, f"formula equals autograd at all {len(points)} points "
                                                   f"(worst relative error {worst[0]:.2g})", evidence)


def run(spec, ctx) -> dv.Result:
    return _decide(spec, _points(spec, ctx))


def replay(spec, counterexample: dict, ctx) -> dv.Result:
    theta = [float(v) for v in counterexample["theta"]]
    return _decide(spec, [(theta, float(counterexample["beta"]))])
