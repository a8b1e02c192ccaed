"""Test inputs for the report, built fast and on purpose (never evidence about the paper).

check.json comes from the real runner (dpoverify.checker.run_checks) on planted claims
(tests.unit.planted_engine), so it is exactly what `dpoverify check` writes, including a saved
counterexample. audit.json is hand-made in the documented format dpoverify.audit/1 with
made-up numbers.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import sympy as sp

from dpoverify.checker import run_checks
from dpoverify.claims import Claim, Domain, Kind, Obligation, Param, Source, Statement
from dpoverify.engines import Context
from dpoverify.profiles import get
from dpoverify.results import provenance, write_json
from tests.unit.planted_engine import Planted

Q = Param("Q", Domain(40, integer=True), "samples per cluster")


def _claim(cid, title, *verdicts, depends=(), ids=None):
    obs = tuple(Obligation(ids[i] if ids else f"step-{i}", Kind.SYMBOLIC if i % 2 == 0 else Kind.SIMULATION,
                           f"step {i} of {cid}", f"eq. ({i + 10})", Planted(v))
                for i, v in enumerate(verdicts))
    bound = Statement("risk bound", sp.Le(2 * Q.symbol ** 2 * sp.exp(-Q.symbol / 45), sp.sqrt(Q.symbol)),
                      "2Q^2 e^{-Q/45} <= sqrt(Q)")
    return Claim(cid, title, Source("Appendix B", ("11", "12")), "statement", params=(Q,), conclusions=(bound,),
                 depends_on=depends, obligations=obs, module="tests.report.fake")


CLAIMS = (
    _claim("lemma-9.1", "A proved lemma", "PROVED", "PROVED"),
    _claim("theorem-9.2", "A refuted theorem <b>&amp;</b>", "PROVED", "REFUTED", "NO COUNTEREXAMPLE",
           depends=("lemma-9.1",)),
    _claim("theorem-9.3", "An undecided theorem | with a pipe", "UNDECIDED", "VACUOUS", depends=("lemma-9.1",)),
    # two obligations sharing an id (a symbolic and a simulated check of one bound) need distinct anchors
    _claim("theorem-9.4", "A theorem checked twice", "PROVED", "REFUTED", ids=("risk-bound", "risk-bound")),
)


def write_check(directory: Path, claims=CLAIMS) -> dict:
    ctx = Context(get("quick"), seed=7, fixed={}, results_dir=str(directory))
    return run_checks(list(claims), ctx, directory)


def audit_doc(ks=(1, 2, 4), personas=6, complete=True) -> dict:
    rng = np.random.default_rng(0)
    names = [f"persona-{i:02d}" for i in range(personas)]
    a = 0.7 + 0.05 * rng.random((personas, personas))
    a = (a + a.T) / 2
    np.fill_diagonal(a, 0.9)
    b = -0.05 * rng.random((personas, personas))
    b = (b + b.T) / 2
    np.fill_diagonal(b, 0.3)
    runs = {}
    for k in ks:
        log = []
        for step in range(0, 101, 20):
            m = step / (100 * k)
            split = {"loss": math.log(2) - m / 2, "rewards/chosen": m / 2, "rewards/rejected": -m / 2,
                     "rewards/margins": m, "rewards/accuracies": min(1.0, 0.5 + m)}
            log.append({"step": step, "train": dict(split), "test": dict(split, **{"rewards/margins": 0.8 * m})})
        runs[str(k)] = {"personas": names[:k], "n_train": 90 * k, "n_test": 10 * k, "Q_min": 45, "seconds": 1.0,
                        "log": log, "final": {"train": log[-1]["train"], "test": dict(log[-1]["test"], error=0.01 * k)},
                        "margin_rate": 0.01 / k}
    geometry = {
        "personas": names, "readout": "mean",
        "figure3a": {"matrix": a.tolist(), "offdiag_mean": 0.72, "offdiag_min": 0.7, "offdiag_max": 0.75,
                     "diag_mean": 0.9},
        "figure3b": {"matrix": b.tolist(), "offdiag_mean": -0.06, "offdiag_min": -0.05, "offdiag_max": 0.0,
                     "diag_mean": 0.3, "offdiag_max_abs": 0.05, "forced_offdiag_mean": -0.06},
        "within_persona": {"raw": {"mean_cos_same_cluster": 0.8, "mean_cos_opposite_cluster": 0.75},
                           "centered": {"mean_cos_same_cluster": 0.2, "mean_cos_opposite_cluster": 0.1}},
        "concept_directions": {"cos_matrix": np.eye(personas).tolist(), "max_abs_cos": 0.31, "mean_abs_cos": 0.12,
                               "norms": {n: 0.1 for n in names}, "delta_lower": 0.31, "delta_frame": 0.6,
                               "noise_floor": {"norm_mean": 0.03, "norm_p95": 0.04, "max_abs_cos_mean": 0.4,
                                               "max_abs_cos_p95": 0.5, "mean_abs_cos_mean": 0.2, "shuffles": 20}},
        "spread": {"mean_cov_frobenius": 0.061, "mean_sq_dist": 0.31, "per_persona": {n: [0.06, 0.3] for n in names},
                   "participation_ratio_mean": 12.5, "participation_ratio_isotropic": 380.0, "dim": 384,
                   "sphericity": {"test": "made-up", "alpha": 0.05, "n_tests": 6, "rejected_holm": 6, "min_p": 1e-9,
                                  "median_p": 1e-6}},
        "normality": {"test": "scipy.stats.normaltest (D'Agostino-Pearson)", "directions": 8, "n_tests": 48,
                      "alpha": 0.05, "rejected_holm": 3, "min_p": 1e-5, "median_p": 0.3,
                      "fraction_rejected_raw": 0.2},
        "theory_units": {"scale": 10.0, "l_b": 7.5, "c_norm_min": 0.8, "c_norm_max": 1.2, "v": 0.9, "d": 384,
                         "Q": 45, "persona_offset_mean": 2.0, "dv2": 311.0},
        "token_sharing": {"Z": 6, "counted_over": "values", "tokens": {" Yes": 6, " No": 6},
                          "distinct_response_sets": False, "values": 6},
    }
    dpo = {"mode": "last-layer", "steps": 100, "eval_every": 20, "runs": runs,
           "scaling": {"k": list(ks), "margin_rate": [runs[str(k)]["margin_rate"] for k in ks],
                       "test_error": [0.01 * k for k in ks],
                       "rate_fit": {"exponent": -1.0, "intercept": -4.6, "stderr": 0.01, "r2": 0.999,
                                    "ci95": [-1.1, -0.9]},
                       "trend": {"test": "Kendall tau", "tau": -1.0, "p_one_sided": 0.17,
                                 "strictly_decreasing": True},
                       "error_fit_linear": {"slope": 0.01, "intercept": 0.0, "r2": 1.0},
                       "error_fit_logk": {"slope": 0.02, "intercept": 0.0, "r2": 0.9}}}
    return {"schema": "dpoverify.audit/1", "created": "2026-11-22T15:00:00+00:00", "complete": complete,
            "seed": 3, "provenance": provenance(),
            "config": {"model": "test-fixture", "model_kind": "encoder", "readout": "mean", "prompt": "statement",
                       "dataset": "embedded", "mode": "last-layer", "k": list(ks), "steps": 100, "lr": 1e-3,
                       "beta": 0.01, "device": "cpu"},
            "data": {"n_personas": personas, "n_statements": 600, "embedding_dim": 384},
            "geometry": geometry, "dpo": dpo,
            "verdicts": [{"claim": "assumption-3", "obligation": "shared-component", "title": "shared component",
                          "verdict": "NO COUNTEREXAMPLE", "summary": "holds"},
                         {"claim": "assumption-3", "obligation": "spread", "title": "spread small",
                          "verdict": "REFUTED", "summary": "fails by a factor of 900"}]}


def write_audit(directory: Path, **kw) -> dict:
    doc = audit_doc(**kw)
    write_json(directory / "audit.json", doc)
    return doc


def fuzz_doc() -> dict:
    """A hand-made fuzz.json (dpoverify.fuzz/1, dpoverify.fuzzing.campaign) with made-up results."""
    def placement(label, examples, failures, inside, conf=None):
        return {"mode": label.split()[0], "placement": label, "examples": examples, "inside": inside,
                "asserted": inside, "failures": failures, "failures_where_asserted": failures if inside else 0,
                "min_slack": -0.5 if failures else 0.25, "worst": None, "confirmation": conf, "seconds": 0.1,
                "note": ""}

    return {"schema": "dpoverify.fuzz/1", "tool_version": "0.1.0", "paper": "test", "profile": "quick", "seed": 11,
            "examples": 4, "requested": ["all"], "started": "2026-11-22T15:00:00+00:00",
            "finished": "2026-11-22T15:01:00+00:00", "complete": True, "provenance": provenance(),
            "verdict": "REFUTED",
            "obligations": [
                {"claim": "theorem-9.2", "obligation": "trajectory-band", "title": "band", "cites": "eq. (1)",
                 "engine": "dpoverify.fuzzing.engine", "verdict": "REFUTED", "summary": "2/4 draws failed",
                 "seconds": 1.5,
                 "placements": [placement("inside all hypotheses", 4, 2, 4,
                                          {"verdict": "REFUTED", "summary": "confirmed: 20/20 draws failed",
                                           "test": "binomial", "failing_seeds": [1]}),
                                placement("outside v <= 1/(32*sqrt(Q))", 4, 4, 0)],
                 "evidence": {"method": "made up"}, "counterexample": "counterexamples/theorem-9.2__trajectory-band.json",
                 "replay": "dpoverify replay counterexamples/theorem-9.2__trajectory-band.json",
                 "example": "@example(regime={'K': 2}, seed=1)"},
                {"claim": "lemma-7.7", "obligation": "eq-6", "title": "identity", "cites": "eq. (6)",
                 "engine": "dpoverify.gradcheck", "verdict": "NO COUNTEREXAMPLE", "summary": "matches autodiff",
                 "seconds": 0.2, "placements": None, "evidence": {"max_rel": 1e-16}, "counterexample": None,
                 "replay": None, "example": None},
            ]}


def write_fuzz(directory: Path) -> dict:
    doc = fuzz_doc()
    write_json(directory / "fuzz.json", doc)
    return doc


def boundary_doc() -> dict:
    """A hand-made boundary.json (dpoverify.boundary/1, dpoverify.fuzzing.maps), made-up rates."""
    def pts(ratios, rates):
        return [{"ratio": r, "value": r / 100, "failure_rate": f, "failures": None if f == "nan" else round(10 * f),
                 "draws": 10, "min_slack": "nan" if f == "nan" else 0.1 - f, "also_violated": []}
                for r, f in zip(ratios, rates)]

    maps = [
        {"claim": "theorem-9.2", "obligation": "trajectory-band", "title": "band", "hypothesis": "v <= 1/(32*sqrt(Q))",
         "subject": "v", "direction": "upper", "bound_at_default": 0.0049, "first_fails_at_ratio": 4.0,
         "points": pts([1, 2, 4, 8], [0.0, 0.0, 0.3, 1.0])},
        {"claim": "theorem-9.2", "obligation": "trajectory-band", "title": "band", "hypothesis": "l_b >= 1/4",
         "subject": "l_b", "direction": "lower", "bound_at_default": 0.25, "first_fails_at_ratio": None,
         "points": pts([1, 0.5, 0.25], [0.0, 0.0, 0.0]) + [{"ratio": 0.1, "value": 0.025, "note": "infeasible"}]},
        {"claim": "lemma-7.7", "obligation": "kernel-bands", "title": "bands", "hypothesis": "d <= 5*Q",
         "subject": "d", "direction": "upper", "bound_at_default": 200.0, "first_fails_at_ratio": 1.0,
         "points": pts([1, 2], [0.5, "nan"])},
    ]
    return {"schema": "dpoverify.boundary/1", "tool_version": "0.1.0", "profile": "quick", "seed": 2, "draws": 10,
            "created": "2026-11-22T15:00:00+00:00", "provenance": provenance(), "maps": maps}


def tightness_doc() -> dict:
    """A hand-made tightness.json (dpoverify.tightness/1, dpoverify.fuzzing.tightness), made-up ratios."""
    def row(claim, ob, quantity, log10, lo, med, hi, slack):
        return {"claim": claim, "obligation": ob, "title": ob, "quantity": quantity, "log10": log10,
                "at_default": {"min": lo, "median": med, "max": hi}, "regime": {"K": "2", "Q": "40"},
                "draws": 5, "slack_min": slack}

    rows = [row("theorem-9.2", "trajectory-band", "r(tau_1) / r^L(tau_1)", False, 7.4, 7.6, 7.9, 0.18),
            row("theorem-9.2", "risk", "risk bound / measured risk", True, 30.0, 41.5, "inf", 1.0),
            row("lemma-7.7", "kernel-bands", "band / max |deviation|", False, 0.6, 0.8, 0.9, -0.2),
            row("lemma-7.7", "other", "slack (check units)", False, 0.3, 0.4, 0.5, 0.3)]
    return {"schema": "dpoverify.tightness/1", "tool_version": "0.1.0", "profile": "quick", "seed": 2, "draws": 5,
            "created": "2026-11-22T15:00:00+00:00", "provenance": provenance(), "rows": rows}


def scaling_doc(eq4=None) -> dict:
    """A hand-made scaling.json (dpoverify.scaling/1, dpoverify.fuzzing.scaling), made-up Q*."""
    def c(tokens, d, error, qs, censored=()):
        return {"tokens": tokens, "d": d, "error": error, "Q_star": {str(k): q for k, q in qs.items()},
                "censored": {str(k): k in censored for k in qs},
                "fit_log": {"a": 5.0, "b": 1.0, "r2": 0.9} if not censored else None,
                "fit_power": {"c": 5.0, "alpha": 0.2, "r2": 0.8} if not censored else None}

    return {"schema": "dpoverify.scaling/1", "tool_version": "0.1.0", "profile": "quick", "seed": 4,
            "created": "2026-11-22T15:00:00+00:00", "provenance": provenance(),
            "setup": {"v": 0.4, "l_b": 0.25, "beta": 1.0, "tau": 1.0, "Z": 1, "threshold": 0.05, "horizon": "tau_1",
                      "Ks": [1, 2, 4], "Q_grid": [1, 2, 4, 8, 16, 32, 64], "seeds": [0, 1], "d_fixed": 64},
            "eq4_Q": eq4 or {"1": 764, "2": 799, "4": 834},
            "curves": [c("distinct", "fixed", "population", {1: 6, 2: 6, 4: 8}),
                       c("shared", "fixed", "population", {1: 6, 2: 24, 4: None}, censored=(4,))],
            "evaluations": []}
