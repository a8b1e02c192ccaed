"""dpoverify: machine-checks the claims of a paper, stated as data in claim packs.

The default pack states every claim of Im & Li, "Can DPO Learn Diverse Human Values? A
Theoretical Scaling Law" (NeurIPS 2025, arXiv 2408.03459v5); docs/packs.md shows how to write a
pack for another paper. The public API is what ``__all__`` names:

* stating a claim: :class:`Claim`, :class:`Param`, :class:`Domain`, :class:`Source`,
  :class:`Statement`, :class:`Obligation`, :class:`Kind`, :func:`symbol`, :func:`symbolic`
  (a proof step for the prover), :class:`Implication`, :class:`SimulationProperty`,
  :class:`GradientIdentity`;
* a pack: :class:`Pack`, :class:`Paper`, :func:`load_pack`, :func:`use_packs`, :class:`PackError`;
* checking: :func:`check` -> :class:`CheckResult` of :class:`ObligationResult`, :func:`replay`,
  :class:`Verdict`, :class:`Result`;
* new evidence: :func:`register_observable` (a simulator model or observable, returning an
  :class:`Observation`), :func:`register_loss`, :func:`register_axis` (a fuzz range, an
  :class:`Axis`), and any engine module named by a spec's ``ENGINE`` (``run(spec, ctx)``,
  ``replay(spec, counterexample, ctx)``, optional ``validate(spec)``; :class:`Context`,
  :class:`EngineUnavailable`).

A claim with a true and a false step, checked in memory:

>>> import dpoverify as dv
>>> x = dv.Param("x", dv.Domain(0, 1), "a number in the unit interval")
>>> claim = dv.Claim(
...     "example-1", "Squares in the unit interval", dv.Source("Example 1"),
...     "For 0 <= x <= 1: x^2 <= x, and (false) x <= x^2.", params=(x,),
...     obligations=(
...         dv.symbolic("below", "x^2 <= x", "eq. 1", [x], [], x.symbol**2 <= x.symbol),
...         dv.symbolic("above", "x <= x^2 (false)", "eq. 2", [x], [], x.symbol <= x.symbol**2)))
>>> result = dv.check(claim, profile="quick", seed=0)
>>> [(o.id, o.verdict.value) for o in result.obligations]
[('below', 'PROVED'), ('above', 'REFUTED')]
>>> result.verdict.value
'REFUTED'
>>> dv.replay(result["above"]).verdict.value
'REFUTED'

Names are imported on first use, so ``import dpoverify`` (and the pytest plugin) stays cheap.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "dpoverify.claims": ("Claim", "Param", "Domain", "Definition", "Source", "Statement", "Obligation", "Kind",
                         "Implication", "DomainError", "symbol", "symbolic", "parse_value"),
    "dpoverify.specs": ("SimulationProperty", "GradientIdentity", "EmpiricalAudit"),
    "dpoverify.verdicts": ("Verdict", "Result"),
    "dpoverify.packs": ("Pack", "Paper", "PackError", "LoadedPack"),
    "dpoverify.api": ("check", "replay", "use_packs", "CheckResult", "ObligationResult"),
    "dpoverify.engines": ("Context", "EngineUnavailable"),
    "dpoverify.errors": ("UsageError",),
    "dpoverify.fuzzing.observables": ("register_observable", "Observation"),
    "dpoverify.simulator.losses": ("register_loss",),
    "dpoverify.fuzzing.strategies": ("register_axis", "Axis"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
_RENAMED = {"load_pack": ("dpoverify.packs", "load_path")}

__all__ = sorted([*_WHERE, *_RENAMED, "__version__"])


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    elif name in _RENAMED:
        module, attr = _RENAMED[name]
        value = getattr(importlib.import_module(module), attr)
    else:
        raise AttributeError(f"module 'dpoverify' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
