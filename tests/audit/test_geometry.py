"""The geometry audits recover the theory's parameters from data drawn from the theory's model,
and the claims' judges pass it -- and fail it, by the right factor, when a parameter is broken."""
import numpy as np
import pytest

from gpu_checks import geometry, judging
from theorems import appendix_e_gaussian, section_5_geometry

from .synthetic import doc_for, theory_groups


def _judge(claim, oid, doc):
    return claim.CLAIM.obligation(oid).spec.judge(doc)


def test_mean_cosine_matrix_matches_brute_force():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((7, 5)), rng.standard_normal((4, 5))
    M = geometry.mean_cosine_matrix([a, b])
    unit = lambda x: x / np.linalg.norm(x, axis=1, keepdims=True)  # noqa: E731
    ua, ub = unit(a), unit(b)
    assert M[0, 1] == pytest.approx((ua @ ub.T).mean())
    off = (ua @ ua.T)[~np.eye(7, dtype=bool)]
    assert M[0, 0] == pytest.approx(off.mean())


def test_fitted_geometry_recovers_the_planted_parameters():
    groups, q, v = theory_groups(l_b=0.3, scale=7.0)  # the scale must not matter: units |c_i| = 1
    tu = geometry.theory_units(groups, *geometry.concept_directions(groups), q)
    assert tu["l_b"] == pytest.approx(0.3, rel=1e-2)
    assert tu["v"] == pytest.approx(v, rel=0.05)
    assert tu["c_norm_min"] == pytest.approx(1, abs=1e-2) and tu["persona_offset_mean"] < 1e-2
    C, Mid = geometry.concept_directions(groups)
    assert geometry.delta_frame(C, Mid.mean(0)) < 0.02


def test_tilted_concepts_raise_delta():
    groups, q, _ = theory_groups()
    xp, xm = groups["value-01"]
    tilt = 0.3 * np.eye(60)[1]  # push c_1 toward c_0
    groups["value-01"] = (xp + tilt, xm - tilt)
    cd = geometry.audit(groups, q, seed=0, shuffles=5)["concept_directions"]
    assert cd["delta_lower"] == pytest.approx(0.3 / np.sqrt(1.09), rel=0.02)
    assert cd["delta_frame"] >= cd["delta_lower"] * 0.5


def test_judges_pass_the_theory_model_where_its_hypotheses_hold():
    groups, q, _ = theory_groups(K=2, l_b=0.45)
    doc = doc_for(groups, q)
    for oid in ("l_b", "spread-v-4.2", "spread-v-c.5", "dimension", "concept-orthogonality",
                "concept-signal", "cluster-signs", "shared-component-size"):
        verdict, summary, _ = _judge(section_5_geometry, oid, doc)
        assert verdict == "NO_COUNTEREXAMPLE", (oid, summary)
    # Yes/No answers shared by K = 2 values: Z = 2 > 1/(4 l_b^2) = 1.23 even for the ideal geometry
    verdict, summary, ev = _judge(section_5_geometry, "token-sharing", doc)
    assert verdict == "REFUTED" and ev["factor"] == pytest.approx(2 * 4 * 0.45**2, rel=0.05)
    assert _judge(section_5_geometry, "token-sharing-format", doc)[0] == "NO_COUNTEREXAMPLE"  # Z = 2 <= 4
    for oid in ("spread-vs-theorem-4.2", "isotropy", "normality"):
        verdict, summary, _ = _judge(appendix_e_gaussian, oid, doc)
        assert verdict == "NO_COUNTEREXAMPLE", (oid, summary)


def test_judges_fail_a_broken_parameter_by_the_right_factor():
    groups, q, v = theory_groups(l_b=2.0)
    verdict, summary, ev = _judge(section_5_geometry, "l_b", doc_for(groups, q))
    assert verdict == "REFUTED" and "fails by a factor of" in summary
    assert ev["factor"] == pytest.approx(4.0, rel=1e-2)
    groups, q, v = theory_groups(v=10 / (32 * np.sqrt(108)))
    verdict, _, ev = _judge(section_5_geometry, "spread-v-4.2", doc_for(groups, q))
    assert verdict == "REFUTED" and ev["factor"] == pytest.approx(10, rel=0.05)


def test_non_gaussian_and_anisotropic_clusters_are_caught():
    rng = np.random.default_rng(5)
    groups, q, v = theory_groups(n=200)
    heavy = {k: (xp + 20 * v * rng.standard_t(2, size=xp.shape), xm) for k, (xp, xm) in groups.items()}
    assert _judge(appendix_e_gaussian, "normality", doc_for(heavy, q))[0] == "REFUTED"
    aniso = {k: (xp + 5 * v * np.outer(rng.standard_normal(len(xp)), np.eye(60)[7]), xm)
             for k, (xp, xm) in groups.items()}
    assert _judge(appendix_e_gaussian, "isotropy", doc_for(aniso, q))[0] == "REFUTED"


def test_figure3b_offdiagonal_mean_is_nearly_forced_by_the_diagonal():
    """Personas with their own offsets, whatever their directions: after subtracting the global
    mean the off-diagonal mean follows from the diagonal, so it says nothing about orthogonality."""
    rng = np.random.default_rng(2)
    shared = 5 * rng.standard_normal(40)
    for strength in (0.5, 2.0):
        groups = {}
        for i in range(8):
            offset = shared + strength * rng.standard_normal(40)
            groups[f"p{i}"] = tuple(offset + rng.standard_normal((60, 40)) for _ in range(2))
        _, fig3b = geometry.figure3(groups)
        assert fig3b["offdiag_mean"] == pytest.approx(fig3b["forced_offdiag_mean"], rel=0.15)


def test_token_sharing_counts_values_per_token():
    distinct = {"a": [("x", "y"), ("y", "x")], "b": [("u", "w"), ("w", "u")]}
    assert geometry.token_sharing(distinct)["Z"] == 1
    shared = {"a": [(" Yes", " No")], "b": [(" Yes", " No")], "c": [(" No", " Yes")]}
    z = geometry.token_sharing(shared)
    assert z["Z"] == 3 and z["distinct_response_sets"] == 1  # {Yes, No} as a set, as Section 3 reads


def test_holm_and_exact_comparison():
    assert geometry.holm(np.array([0.001, 0.004, 0.03]), 0.01) == 2
    assert geometry.holm(np.array([0.02, 0.5]), 0.01) == 0
    c = judging.compare(0.25, lo=0.25, hi=0.5)  # an exact quantity: no interval, no note
    assert c.holds and c.text == "holds"
    c = judging.compare(0.5000000001, hi=0.5)  # decided exactly, not within a float tolerance
    assert not c.holds and c.factor == pytest.approx(1.0)
    assert judging.compare(0.1, lo=0.25).text == "fails by a factor of 2.5"
    old = judging.compare(0.1, lo=0.25, ci=judging.NOT_STORED)  # a sampled statistic from an older file
    assert old.verdict == "REFUTED" and judging.NO_CI in old.text


def test_comparison_of_an_interval_is_exact_at_its_ends():
    ci = lambda lo, hi: judging.Interval(lo, hi, "95% CI (test)")  # noqa: E731
    assert judging.compare(0.4, hi=0.5, ci=ci(0.3, 0.5)).verdict == "NO_COUNTEREXAMPLE"
    c = judging.compare(0.4, hi=0.5, ci=ci(0.3, 0.5000000001))  # the end is past the bound, exactly
    assert c.verdict == "UNDECIDED" and "straddles" in c.text and "95% CI (test) [0.3, 0.5]" in c.text
    c = judging.compare(2.0, lo=0.25, hi=0.5, ci=ci(1.5, 2.5))  # wholly above: factor at the nearer end
    assert c.verdict == "REFUTED" and c.factor == pytest.approx(3.0) and c.point_factor == pytest.approx(4.0)
    c = judging.compare(0.1, lo=0.25, hi=0.5, ci=ci(0.05, 0.125))  # wholly below
    assert c.verdict == "REFUTED" and c.factor == pytest.approx(2.0) and "point estimate: 2.5" in c.text
    assert judging.compare(0.3, lo=0.25, hi=0.5, ci=ci(0.2, 0.6)).verdict == "UNDECIDED"  # across both
    c = judging.compare(0.6, hi=0.5, ci=ci(0.8, 0.9))  # a bias-corrected interval further out than the point
    assert c.verdict == "REFUTED" and c.factor == pytest.approx(1.2) and c.point_factor == pytest.approx(1.2)
    c = judging.compare(0.45, hi=0.5, ci=ci(0.6, 0.7))  # beyond the bound, but the point estimate is not
    assert c.verdict == "UNDECIDED" and c.status == "disagrees" and "point estimate 0.45 does not" in c.text


def _without_ci(doc):
    g = doc["geometry"]
    for block in (g["theory_units"], g["spread"], g["concept_directions"], g["figure3a"], g["figure3b"],
                  g["within_persona"]["centered"]):
        del block["ci"]
    return doc


def test_resampled_statistics_at_unit_weights_are_the_point_estimates():
    groups, q, _ = theory_groups(K=5, d=40, n=100, v=0.05, seed=1)
    geo = doc_for(groups, q)["geometry"]
    center = np.concatenate([np.concatenate(p) for p in groups.values()]).mean(0)
    pre = geometry._prepare(groups, center)
    st = {k: v[0] for k, v in geometry._resampled_statistics(pre, [np.ones((1, e["n"])) for e in pre]).items()}
    tu, sp_, w = geo["theory_units"], geo["spread"], geo["within_persona"]["centered"]
    for got, want in ((st["l_b"], tu["l_b"]), (st["v"], tu["v"]), (st["c_norm"].min(), tu["c_norm_min"]),
                      (st["c_norm"].max(), tu["c_norm_max"]), (st["mean_cov_frobenius"], sp_["mean_cov_frobenius"]),
                      (st["mean_sq_dist"], sp_["mean_sq_dist"]), (np.abs(st["cos"]).max(), geo["concept_directions"]["max_abs_cos"]),
                      (np.abs(st["cos"]).mean(), geo["concept_directions"]["mean_abs_cos"]),
                      (st["figure3a_offdiag_mean"], geo["figure3a"]["offdiag_mean"]),
                      (np.abs(st["figure3b"]).max(), geo["figure3b"]["offdiag_max_abs"]),
                      (st["within_same"], w["mean_cos_same_cluster"]), (st["within_opposite"], w["mean_cos_opposite_cluster"])):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    # a resample as multiplicities gives what spread() gives on the resampled statements themselves
    xp = groups["value-00"][0]
    idx = np.random.default_rng(3).integers(0, len(xp), len(xp))
    frob, msd = geometry._spread_weighted(pre[0], np.bincount(idx, minlength=len(xp))[None].astype(float))
    direct = geometry.spread({"a": (xp[idx], xp[idx])})
    assert frob[0] == pytest.approx(direct["mean_cov_frobenius"], rel=1e-9)
    assert msd[0] == pytest.approx(direct["mean_sq_dist"], rel=1e-9)


def test_bootstrap_intervals_cover_the_theory_models_parameters():
    """Data drawn from N(b ± c_i, v² I_d): over a handful of seeds each 95% interval covers the true
    value of its parameter in most runs (a loose check of calibration: a percentile bootstrap misses
    ||Cov||_F, whose estimate is biased by d/n, in every run; so would a percentile interval of the
    max |cos| = 0)."""
    K, d, n, l_b, v = 4, 20, 400, 0.4, 0.05
    e0, e1 = np.eye(d)[0], np.eye(d)[1]
    draws = l_b * e0 + e1 + v * np.random.default_rng(99).standard_normal((1_000_000, d))
    mean_norm2 = np.linalg.norm(draws, axis=1).mean() ** 2  # the scale 'unit norm on average' divides by
    truth = {("theory_units", "l_b"): l_b, ("theory_units", "v"): v, ("theory_units", "c_norm_min"): 1.0,
             ("theory_units", "c_norm_max"): 1.0, ("spread", "mean_sq_dist"): d * v**2 / mean_norm2,
             ("spread", "mean_cov_frobenius"): v**2 * np.sqrt(d) / mean_norm2,
             ("concept_directions", "max_abs_cos"): 0.0, ("concept_directions", "mean_abs_cos"): 0.0}
    covered = dict.fromkeys(truth, 0)
    seeds = range(8)
    for seed in seeds:
        groups, _, _ = theory_groups(K=K, d=d, n=n, l_b=l_b, v=v, seed=seed)
        center = np.concatenate([np.concatenate(p) for p in groups.values()]).mean(0)
        ci = geometry.confidence_intervals(groups, center, seed)
        assert ci["theory_units"]["level"] == 0.95 and ci["theory_units"]["seed"] == seed
        for (block, key), value in truth.items():
            lo, hi = ci[block][key]
            covered[(block, key)] += lo <= value <= hi
    assert all(c >= 6 for c in covered.values()), covered


def test_bootstrap_is_seeded_and_its_stream_is_its_own():
    groups, _, _ = theory_groups(K=3, d=20, n=60, v=0.05)
    center = np.concatenate([np.concatenate(p) for p in groups.values()]).mean(0)
    a = geometry.confidence_intervals(groups, center, 7)
    assert a == geometry.confidence_intervals(groups, center, 7)
    assert a["theory_units"]["l_b"] != geometry.confidence_intervals(groups, center, 8)["theory_units"]["l_b"]


def test_a_violation_far_outside_is_refuted_by_the_conservative_factor():
    groups, q, _ = theory_groups(l_b=2.0, v=0.05)
    doc = doc_for(groups, q)
    verdict, summary, ev = _judge(section_5_geometry, "l_b", doc)
    lo, hi = doc["geometry"]["theory_units"]["ci"]["l_b"]
    assert verdict == "REFUTED" and lo > 0.5
    assert ev["factor"] == pytest.approx(lo / 0.5) and ev["factor"] < ev["point_factor"]
    assert "95% CI (basic reverse-percentile bootstrap, 400 resamples, seed 0)" in summary
    assert f"fails by a factor of {lo / 0.5:.3g}, the smaller of those at the end of the 95% CI" in summary
    verdict, summary, ev = _judge(appendix_e_gaussian, "spread-vs-theorem-4.2", doc)
    lo = doc["geometry"]["spread"]["ci"]["mean_sq_dist"][0]
    assert verdict == "REFUTED" and ev["factor"] == pytest.approx(lo / (5 / 1093))


def test_a_value_at_the_bound_is_undecided():
    groups, q, _ = theory_groups(l_b=0.5, v=0.05)  # l_b exactly at the theorems' upper end
    verdict, summary, ev = _judge(section_5_geometry, "l_b", doc_for(groups, q))
    assert verdict == "UNDECIDED" and "straddles the bound" in summary and "95% CI" in summary
    lo, hi = ev["ci"]["lo"], ev["ci"]["hi"]
    assert lo < 0.5 < hi


def test_older_results_files_are_judged_on_the_point_estimate():
    groups, q, _ = theory_groups(l_b=0.5, v=0.05)
    doc = _without_ci(doc_for(groups, q))
    verdict, summary, ev = _judge(section_5_geometry, "l_b", doc)
    assert verdict in ("REFUTED", "NO_COUNTEREXAMPLE") and judging.NO_CI in summary
    assert ev["ci"] == judging.NO_CI
    for claim, oid in ((section_5_geometry, "spread-v-4.2"), (section_5_geometry, "concept-orthogonality"),
                       (section_5_geometry, "cluster-signs"), (appendix_e_gaussian, "spread-statistics")):
        assert judging.NO_CI in _judge(claim, oid, doc)[1], oid
    verdict, summary, _ = _judge(section_5_geometry, "dimension", doc)  # not sampled: no note
    assert judging.NO_CI not in summary


def test_sampling_error_alone_never_refutes_orthogonality():
    """At the theorems' largest spread v = 1/(32 sqrt Q) the estimated c_i are not exactly orthogonal;
    the judge may be UNDECIDED but must not refute data drawn from the theory's own model."""
    for seed in range(3):
        groups, q, _ = theory_groups(K=6, d=400, n=30, v=1 / (32 * np.sqrt(27)), seed=seed)
        doc = doc_for(groups, q)
        assert doc["geometry"]["concept_directions"]["delta_lower"] > 1 / (128 * 8)  # the raw estimate would
        verdict, summary, _ = _judge(section_5_geometry, "concept-orthogonality", doc)
        assert verdict in ("NO_COUNTEREXAMPLE", "UNDECIDED"), summary
    groups, q, _ = theory_groups(K=6, d=400, n=30, v=1 / (32 * np.sqrt(27)))
    xp, xm = groups["value-01"]
    tilt = 0.2 * np.eye(400)[1]
    groups["value-01"] = (xp + tilt, xm - tilt)
    assert _judge(section_5_geometry, "concept-orthogonality", doc_for(groups, q))[0] == "REFUTED"
