"""MiniLM on real persona files of Appendix F (skipped when ../shared/datasets/anthropic-persona is absent)."""
import pytest

from gpu_checks import personas, runner

pytestmark = [pytest.mark.audit, pytest.mark.slow]


def test_real_personas_audit_on_a_subset(personas_dir, tmp_path):
    only = ["agreeableness", "machiavellianism"]
    doc = runner.run(runner.AuditConfig(personas=str(personas_dir), only=only, ks=[1, 2], steps=20,
                                        eval_every=10, out=str(tmp_path), shuffles=5))
    assert doc["config"]["persona_sets_source"] == "seeded-sample"  # Appendix F's sets need all 28
    assert doc["data"]["n_statements"] == 2000
    tu = doc["geometry"]["theory_units"]
    assert tu["Q"] == 450 and tu["d"] == 384
    assert doc["dpo"]["runs"]["2"]["n_train"] == 1800 and doc["dpo"]["runs"]["2"]["n_test"] == 200
    assert set(doc["geometry"]["concept_directions"]["norms"]) == set(only)


def test_the_appendix_f_sets_are_used_when_all_28_are_present(personas_dir):
    data = personas.load_dir(personas_dir)
    sets, source = personas.persona_sets(list(data), [1, 2, 4, 8, 16], seed=9)
    assert source == "appendix-f" and sets[16] == list(personas.APPENDIX_F_SETS[16])
