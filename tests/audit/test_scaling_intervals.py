"""Confidence intervals of the DPO scaling fits (t intervals from scipy.stats.linregress with 5
values of K) and the value-diversity judges that respect them."""
import numpy as np
import pytest
from scipy import stats

from gpu_checks import judging, scaling
from theorems import section_5_value_diversity

from .synthetic import doc_for, theory_groups

KS = [1, 2, 4, 8, 16]


def _doc(rates, errors):
    runs = {str(k): {"margin_rate": r, "final": {"test": {"error": e}}} for k, r, e in zip(KS, rates, errors)}
    groups, q, _ = theory_groups(K=2)
    return doc_for(groups, q, dpo={"runs": runs, "scaling": scaling.summarize(runs)})


def _judge(oid, doc):
    return section_5_value_diversity.CLAIM.obligation(oid).spec.judge(doc)


def _rates(exponent, noise, seed=0):
    return list(np.array(KS, float) ** exponent * np.exp(noise * np.random.default_rng(seed).standard_normal(5)))


def test_fits_carry_t_intervals_with_their_degrees_of_freedom():
    errors = [0.09, 0.205, 0.308, 0.359, 0.354]
    sc = _doc(_rates(-0.5, 0.05), errors)["dpo"]["scaling"]
    fit = stats.linregress(KS, errors)
    t = stats.t.ppf(0.975, 3)
    lin = sc["error_fit_linear"]
    assert lin["ci95"] == pytest.approx([fit.slope - t * fit.stderr, fit.slope + t * fit.stderr])
    assert "3 degrees of freedom from 5 values of K" in lin["ci_method"] and lin["n_points"] == 5
    assert sc["error_fit_logk"]["ci95"][0] > 0  # the saturating error does grow with log K
    rf = sc["rate_fit"]
    assert rf["ci95"][0] < rf["exponent"] < rf["ci95"][1] and "linregress" in rf["ci_method"]


def test_rate_band_reports_the_fitted_exponent_as_a_description_only():
    doc = _doc(_rates(-0.5, 0.05), [0.0, 0.01, 0.03, 0.07, 0.15])
    verdict, summary, ev = _judge("rate-band", doc)
    e = doc["dpo"]["scaling"]["rate_fit"]["exponent"]
    assert verdict == "NO_COUNTEREXAMPLE"  # K·rate over 1..16 at K^-0.5 spans a factor ~4 < 40
    assert f"rate ∝ K^{e:.3f}" in summary and "states the band, no exponent" in summary
    assert ev["rate_fit"]["exponent"] == e


def test_error_slope_interval_decides_whether_the_error_grows():
    falling = _doc(_rates(-1, 0.01), [0.40, 0.35, 0.30, 0.22, 0.05])
    verdict, summary, ev = _judge("test-error-linear", falling)
    assert verdict == "REFUTED" and "does not grow with K" in summary and "95% CI" in summary
    noisy = _doc(_rates(-1, 0.01), [0.09, 0.205, 0.308, 0.359, 0.354])  # slope interval contains 0
    verdict, summary, ev = _judge("test-error-linear", noisy)
    assert "whether it grows with K at all is undecided" in summary
    assert ev["slope"]["status"] == "straddles"


def test_scaling_blocks_of_older_files_are_judged_on_points():
    doc = _doc(_rates(-0.5, 0.05), [0.40, 0.35, 0.30, 0.22, 0.05])
    for key in ("error_fit_linear", "error_fit_logk"):
        for k in ("ci95", "ci_method", "n_points"):
            doc["dpo"]["scaling"][key].pop(k)
    verdict, summary, _ = _judge("test-error-linear", doc)
    assert verdict == "REFUTED" and judging.NO_CI in summary


def test_the_same_error_at_every_k_is_undecided_not_an_error():
    verdict, summary, _ = _judge("test-error-linear", _doc(_rates(-1, 0.01), [0.5] * 5))
    assert verdict == "UNDECIDED" and "no line can be fitted" in summary
