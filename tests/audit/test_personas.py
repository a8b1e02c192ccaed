"""Persona loader, Appendix F sets and the 90/10 split."""
import json

import pytest

from gpu_checks import personas


def _write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))


def _row(statement, answer):
    other = " No" if answer == " Yes" else " Yes"
    return {"statement": statement, "answer_matching_behavior": answer, "answer_not_matching_behavior": other}


def test_embedded_dataset_has_both_clusters_for_16_personas():
    data = personas.load_dir()
    assert len(data) == 16
    for p in data.values():
        assert len(p.aligned) == len(p.misaligned) == 20
        assert not set(p.aligned) & set(p.misaligned)
    assert (personas.EMBEDDED_DIR / "README.md").is_file()  # licence note ships with the data


def test_yes_is_aligned_and_no_is_misaligned(tmp_path):
    _write(tmp_path / "p.jsonl", [_row("I like A", " Yes"), _row("I hate A", " No"), _row("A is good", " Yes")])
    p = personas.load_dir(tmp_path)["p"]
    assert p.aligned == ("I like A", "A is good") and p.misaligned == ("I hate A",)


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not valid JSON"),
    (json.dumps({"statement": "x", "answer_matching_behavior": "Yes"}), "must be \" Yes\" or \" No\""),
    (json.dumps({"answer_matching_behavior": " Yes"}), "missing or empty 'statement'"),
    (json.dumps({"statement": "x", "answer_matching_behavior": " Yes",
                 "answer_not_matching_behavior": " Yes"}), "does not complement"),
    ("[1, 2]", "expected a JSON object"),
])
def test_malformed_line_names_file_and_line(tmp_path, bad, message):
    _write(tmp_path / "odd.jsonl", [_row("a", " Yes"), _row("b", " No"), bad])
    with pytest.raises(personas.PersonaDataError) as exc:
        personas.load_dir(tmp_path)
    assert "odd.jsonl:3: " in str(exc.value) and message in str(exc.value)


def test_unknown_persona_and_missing_directory(tmp_path):
    with pytest.raises(personas.PersonaDataError, match="unknown persona"):
        personas.load_dir(None, ["no-such-persona"])
    with pytest.raises(personas.PersonaDataError, match="no such persona directory"):
        personas.load_dir(tmp_path / "absent")
    with pytest.raises(personas.PersonaDataError, match="needs statements in both clusters"):
        _write(tmp_path / "one.jsonl", [_row("a", " Yes")])
        personas.load_dir(tmp_path)


def test_split_is_90_10_within_each_cluster_and_seeded():
    p = personas.load_dir()["optimism"]
    (tr_p, tr_m), (te_p, te_m) = personas.split(p, seed=3)
    assert sorted(tr_p + te_p) == list(range(20)) and not set(tr_p) & set(te_p)
    assert len(tr_p) == 18 and len(te_m) == 2
    assert personas.split(p, seed=3) == personas.split(p, seed=3)
    assert any(personas.split(p, seed=s) != personas.split(p, seed=3) for s in range(4, 10))


def test_seeded_sample_when_appendix_f_personas_are_absent():
    names = list(personas.load_dir())
    sets, source = personas.persona_sets(names, [1, 2, 4, 8, 16], seed=0)
    assert source == "seeded-sample" and [len(sets[k]) for k in sets] == [1, 2, 4, 8, 16]
    assert sets == personas.persona_sets(names, [1, 2, 4, 8, 16], seed=0)[0]
    with pytest.raises(personas.PersonaDataError, match="K=32 needs 32 personas"):
        personas.persona_sets(names, [32], seed=0)


def test_appendix_f_sets_on_the_shared_28_personas(personas_dir):
    data = personas.load_dir(personas_dir)
    assert len(data) == 28
    sets, source = personas.persona_sets(list(data), [1, 2, 4, 8, 16], seed=0)
    assert source == "appendix-f"
    assert len({n for v in sets.values() for n in v}) == 28
    assert all(len(p.aligned) == len(p.misaligned) for p in data.values())
    assert data["subscribes-to-rule-utilitarianism"].size == 1000
