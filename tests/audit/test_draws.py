"""Issue 13 §3: R draws (personas and seed) per K, judged from all draws with bootstrap intervals;
the per-persona statement cap."""
import numpy as np

from gpu_checks import draws, personas, runner, scaling
from theorems import section_5_value_diversity

from .synthetic import doc_for, theory_groups

KS = [1, 2, 4, 8, 16]


def _runs(rates, errors):
    """rates[i][r], errors[i][r]: draw r of K = KS[i]."""
    return {str(k): {"margin_rate": rs[0], "final": {"test": {"error": es[0]}},
                     "draws": [{"margin_rate": r, "final": {"test": {"error": e}}} for r, e in zip(rs, es)]}
            for k, rs, es in zip(KS, rates, errors)}


def test_one_draw_per_k_is_judged_as_before():
    rates, errors = [[1 / k] for k in KS], [[0.01 * k] for k in KS]
    sc = scaling.summarize(_runs(rates, errors))
    assert sc["draws"] == [1] * 5 and "exact permutation" in sc["trend"]["test"]
    assert "t interval" in sc["error_fit_linear"]["ci_method"] and sc["band"]["ci95"] is None


def test_draws_give_bootstrap_intervals_and_a_pooled_trend():
    rng = np.random.default_rng(0)
    rates = [list(k ** -0.5 * np.exp(0.3 * rng.standard_normal(3))) for k in KS]
    errors = [list(0.02 * k + 0.02 * rng.standard_normal(3)) for k in KS]
    sc = scaling.summarize(_runs(rates, errors), seed=5)
    assert sc["draws"] == [3] * 5 and sc["trend"]["n_points"] == 15 and "every (K, draw) pair" in sc["trend"]["test"]
    assert sc["margin_rate"] == [float(np.mean(r)) for r in rates]
    lin = sc["error_fit_linear"]
    assert "bootstrap over draws" in lin["ci_method"] and "seed 5" in lin["ci_method"]
    assert lin["ci95"][0] < lin["slope"] < lin["ci95"][1] and 0 <= lin["r2_ci95"][0] <= lin["r2_ci95"][1] <= 1
    lo, hi = sc["band"]["ci95"]
    assert lo <= sc["band"]["ratio"] <= hi
    assert scaling.summarize(_runs(rates, errors), seed=5) == sc  # deterministic given the seed
    doc = doc_for(*theory_groups(K=2)[:2], dpo={"runs": _runs(rates, errors), "scaling": sc})
    verdict, summary, _ = section_5_value_diversity.CLAIM.obligation("test-error-linear").spec.judge(doc)
    assert "bootstrap over draws" in summary and "R = 3 draw(s) per K" in summary


def test_draw_zero_is_the_papers_set_and_the_others_differ():
    names = [f"p{i:02d}" for i in range(28)]
    first = {1: ["p03"], 4: ["p01", "p02", "p05", "p09"]}
    sets = draws.draw_sets(names, first, seed=0, draws=4)
    assert sets[1][0] == ["p03"] and sets[4][0] == first[4]
    assert len({tuple(s) for s in sets[4]}) == 4 and all(len(s) == 4 for s in sets[4])
    assert draws.draw_sets(names, first, seed=1, draws=4)[4][1:] != sets[4][1:]
    assert draws.seed_of(0, 4, 0) == 4  # draw 0 keeps the seed of audits made before draws


def test_cap_is_by_content_and_independent_of_the_seed():
    p = personas.load_dir(None, ["optimism"])["optimism"]
    c = draws.cap(p, 5)
    assert len(c.aligned) == 5 and len(c.misaligned) == 5 and set(c.aligned) <= set(p.aligned)
    shuffled = personas.Persona(p.name, tuple(reversed(p.aligned)), p.misaligned)
    assert set(draws.cap(shuffled, 5).aligned) == set(c.aligned)  # order of the file does not matter
    assert draws.cap(p, None) is p


def test_runner_trains_r_draws_per_k(tiny_bert, tmp_path):
    cfg = runner.AuditConfig(model=str(tiny_bert), out=str(tmp_path / "res"), ks=[1, 2, 4], steps=4,
                             eval_every=2, shuffles=2, draws=2, cap=8)
    doc = runner.run(cfg)
    for k in ("1", "2", "4"):
        d = doc["dpo"]["runs"][k]["draws"]
        assert len(d) == 2 and d[0]["personas"] != d[1]["personas"] and d[0]["seed"] != d[1]["seed"]
        assert doc["dpo"]["runs"][k]["personas"] == d[0]["personas"] == doc["config"]["persona_sets"][k]
    assert doc["dpo"]["scaling"]["draws"] == [2, 2, 2]
    assert doc["data"]["n_statements"] == 16 * 16 and doc["data"]["cap"] == 8
    tu = doc["geometry"]["theory_units"]  # the bounds use the data's Q (20 per cluster -> 18), not the cap's
    assert tu["Q"] == 18 and tu["Q_capped"] == 7
    assert doc["config"]["draws"] == 2 and doc["config"]["cap"] == 8
    assert (tmp_path / "res" / doc["plots"]["scaling"]).stat().st_size > 1000  # issue 13 §6 figure


def test_default_r_is_ten_for_the_last_layer_and_three_for_full_fine_tunes():
    """R = 3 let a SmolLM2 verdict flip between base seeds 0 and 1; R = 10 did not (draws.DEFAULT_DRAWS)."""
    import argparse

    from dpoverify.commands import audit

    parser = argparse.ArgumentParser()
    audit.add_arguments(parser)
    for mode, r in (("last-layer", 10), ("full", 3)):
        assert audit._config(parser.parse_args(["--mode", mode, "--only", "optimism,generosity"])).draws == r
    assert audit._config(parser.parse_args(["--draws", "2", "--only", "optimism,generosity"])).draws == 2
    assert runner.AuditConfig().draws is None  # resolved by mode when the run starts
