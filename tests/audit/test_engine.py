"""gpu_checks.engine: UNDECIDED with the command when no audit ran, the claim's judge on results,
replay of a refutation from its counterexample payload."""
import json

from dpoverify import engines, profiles
from dpoverify.results import write_json
from dpoverify.verdicts import Verdict
from gpu_checks import engine, results
from theorems import section_5_geometry, section_5_value_diversity

from .synthetic import doc_for, theory_groups


def _ctx(tmp_path):
    return engines.Context(profiles.get("quick"), 0, results_dir=str(tmp_path))


def test_no_results_is_undecided_and_names_the_command(tmp_path):
    spec = section_5_geometry.CLAIM.obligation("l_b").spec
    result, _ = engines.run(spec, _ctx(tmp_path))
    assert result.verdict is Verdict.UNDECIDED
    assert f"dpoverify audit --out {tmp_path}" in result.summary


def test_wrong_schema_is_an_error(tmp_path):
    (tmp_path / results.FILENAME).write_text(json.dumps({"schema": "other/1"}))
    result = engine.run(section_5_geometry.CLAIM.obligation("l_b").spec, _ctx(tmp_path))
    assert result.verdict is Verdict.ERROR and "dpoverify.audit/1" in result.summary


def test_judged_results_and_replay_of_a_refutation(tmp_path):
    groups, q, _ = theory_groups(l_b=2.0)
    write_json(tmp_path / results.FILENAME, doc_for(groups, q))
    spec = section_5_geometry.CLAIM.obligation("l_b").spec
    result = engine.run(spec, _ctx(tmp_path))
    assert result.verdict is Verdict.REFUTED and "fails by a factor of 4" in result.summary
    assert result.summary.startswith("assumption fails: ")  # the finding first; kind and model once, at the end
    assert "[(a) hypothesis check on theory-model, synthetic read-out" in result.summary
    assert result.summary.count("theory-model") == 1 and result.summary.count("(a)") == 1
    assert result.evidence["kind"] == "hypothesis-check" and result.evidence["model"] == "theory-model"
    assert result.evidence["results"].endswith("audit.json") and result.evidence["seed"] == 0
    again = engine.replay(spec, json.loads(json.dumps(result.counterexample)), _ctx(tmp_path / "elsewhere"))
    assert again.verdict is Verdict.REFUTED and again.summary == result.summary
    ok = engine.run(section_5_geometry.CLAIM.obligation("dimension").spec, _ctx(tmp_path))
    assert ok.verdict is Verdict.NO_COUNTEREXAMPLE and ok.counterexample is None


def test_partial_run_without_dpo_is_undecided_for_the_scaling_claim(tmp_path):
    groups, q, _ = theory_groups()
    doc = doc_for(groups, q)
    doc["complete"] = False
    write_json(tmp_path / results.FILENAME, doc)
    for ob in section_5_value_diversity.CLAIM.obligations:
        if ob.spec.kind == "own-numbers":
            continue  # reads the paper's tables, not the audit
        result = engine.run(ob.spec, _ctx(tmp_path))
        assert result.verdict is Verdict.UNDECIDED and "lack 'dpo" in result.summary


def _dpo_doc(rates, errors):
    groups, q, _ = theory_groups(K=2)
    ks = [1, 2, 4, 8, 16][:len(rates)]
    from gpu_checks import scaling
    runs = {str(k): {"margin_rate": r, "final": {"test": {"error": e}}} for k, r, e in zip(ks, rates, errors)}
    return doc_for(groups, q, dpo={"runs": runs, "scaling": scaling.summarize(runs)})


def test_value_diversity_judges_both_ways():
    judge = lambda oid, doc: section_5_value_diversity.CLAIM.obligation(oid).spec.judge(doc)  # noqa: E731
    good = _dpo_doc([1.0, 0.5, 0.25, 0.125, 0.0625], [0.0, 0.01, 0.03, 0.07, 0.15])
    assert judge("margin-growth-slows", good)[0] == "NO_COUNTEREXAMPLE"
    assert judge("rate-band", good)[0] == "NO_COUNTEREXAMPLE"
    assert judge("test-error-linear", good)[0] == "NO_COUNTEREXAMPLE"
    flat = _dpo_doc([1.0, 1.1, 0.9, 1.2, 1.05], [0.3, 0.1, 0.2, 0.05, 0.02])
    assert judge("margin-growth-slows", flat)[0] in ("REFUTED", "UNDECIDED")
    assert judge("test-error-linear", flat)[0] == "REFUTED"
    steep = _dpo_doc([1.0, 0.1, 0.01, 0.001, 0.0001], [0.0, 0.2, 0.25, 0.27, 0.28])
    verdict, summary, ev = judge("rate-band", steep)
    assert verdict == "REFUTED" and "fails by a factor of" in summary
    verdict, summary, _ = judge("test-error-linear", steep)
    assert verdict == "REFUTED" and "log K R²" in summary


def test_every_empirical_obligation_names_its_kind():
    from dpoverify import registry
    from dpoverify.specs import EMPIRICAL_KINDS, EmpiricalAudit
    kinds = {(c.id, ob.id): ob.spec.kind for c, ob in registry.obligations(["all"], EmpiricalAudit)}
    assert set(kinds.values()) <= set(EMPIRICAL_KINDS)
    for oid in (("section-5.value-diversity", "test-error-linear"), ("appendix-e.gaussian", "spread-statistics"),
                ("section-5.geometry", "figure-3b"), ("section-5.value-diversity", "margin-growth-slows")):
        assert kinds[oid] == "re-run", oid
    assert kinds[("section-5.geometry", "token-sharing-format")] == "model-free"
    assert kinds[("section-5.value-diversity", "test-error-r2-tables")] == "own-numbers"
    assert ("section-5.value-diversity", "rate-exponent") not in kinds  # the paper states no exponent


def test_a_re_run_on_a_proxy_model_is_never_refuted(tmp_path):
    falling = _dpo_doc([1.0, 0.5, 0.25, 0.125, 0.0625], [0.40, 0.35, 0.30, 0.22, 0.05])
    write_json(tmp_path / results.FILENAME, falling)
    spec = section_5_value_diversity.CLAIM.obligation("test-error-linear").spec
    assert spec.judge(falling)[0] == "REFUTED"  # the comparison alone fails ...
    result = engine.run(spec, _ctx(tmp_path))  # ... the re-run on another model says so, no more
    assert result.verdict is Verdict.UNDECIDED and result.counterexample is None
    assert result.summary.startswith("not reproduced: ") and result.summary.count("theory-model") == 1
    assert "[(b) re-run on theory-model" in result.summary
    assert "a proxy model cannot refute the paper's measurement]" in result.summary
    assert result.evidence["judged"] == "REFUTED" and result.evidence["kind"] == "re-run"


def test_token_sharing_is_model_free_and_refutes_outright(tmp_path):
    groups, q, _ = theory_groups(K=6)
    doc = doc_for(groups, q)
    write_json(tmp_path / results.FILENAME, doc)
    result = engine.run(section_5_geometry.CLAIM.obligation("token-sharing-format").spec, _ctx(tmp_path))
    assert doc["geometry"]["token_sharing"]["Z"] == 6
    assert result.verdict is Verdict.REFUTED and result.summary.endswith("[(d) model-free]")
    assert "Z <= 1/(4 l_b²) <= 4" in result.summary


def test_own_numbers_read_the_paper_not_the_audit(tmp_path, monkeypatch):
    spec = section_5_value_diversity.CLAIM.obligation("test-error-r2-tables").spec
    result = engine.run(spec, _ctx(tmp_path / "no-results-here"))
    assert result.verdict is Verdict.NO_COUNTEREXAMPLE, result.summary
    assert "R² = 0.9460, stated 0.95" in result.summary and "R² = 0.9861, stated 0.99" in result.summary
    assert result.evidence["Mistral-7B-v0.3"]["r2_exact"] == "54289/57385"
    planted = {**section_5_value_diversity.PAPER_TABLES}
    planted["Mistral-7B-v0.3"] = {**planted["Mistral-7B-v0.3"], "stated_r2": "0.97"}
    monkeypatch.setattr(section_5_value_diversity, "PAPER_TABLES", planted)
    result = engine.run(spec, _ctx(tmp_path))
    assert result.verdict is Verdict.UNDECIDED and result.summary.startswith("inconsistent with its own numbers: ")
    assert result.summary.endswith("[(c) own numbers]")
