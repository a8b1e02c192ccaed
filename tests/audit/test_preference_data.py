"""Issue 13 §5: a preference dataset in TRL's format (prompt/chosen/rejected + --group-column)
audits end to end; responses the single-token DPO cannot train are refused with one line."""
import json

import pytest

from dpoverify.cli import main
from gpu_checks import personas, preference_data, results


def _trl_file(path, groups=("optimism", "generosity", "curiosity-about-learning"), answers=(" Yes", " No"), column="value"):
    data = personas.load_dir(None, list(groups))
    rows = []
    for name, p in data.items():
        for s in p.aligned:
            rows.append({"prompt": personas.TEMPLATE.format(statement=s), "chosen": answers[0],
                         "rejected": answers[1], column: name})
        for s in p.misaligned:
            rows.append({"prompt": personas.TEMPLATE.format(statement=s), "chosen": answers[1],
                         "rejected": answers[0], column: name})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path, data


def _audit_preferences(model, data, out, capsys, ks="1,2,3", steps="4") -> dict:
    """`dpoverify audit --preferences DATA --group-column value` on a tiny model; its results."""
    code = main(["audit", "--model", str(model), "--preferences", str(data), "--group-column", "value",
                 "--k", ks, "--steps", steps, "--eval-every", "2", "--shuffles", "2", "--draws", "1",
                 "--out", str(out), "--threads", "1"])
    assert code in (0, 1), capsys.readouterr().err
    return json.loads((out / results.FILENAME).read_text())


def test_groups_become_clusters_by_the_chosen_response(tmp_path):
    f, data = _trl_file(tmp_path / "prefs.jsonl")
    groups, answers = preference_data.load(f, "value")
    assert answers == (" Yes", " No") and sorted(groups) == sorted(data)
    g = groups["optimism"]
    assert len(g.aligned) == len(data["optimism"].aligned) and len(g.misaligned) == len(data["optimism"].misaligned)
    assert g.aligned[0] == personas.TEMPLATE.format(statement=data["optimism"].aligned[0])  # verbatim prompt


def test_bad_preference_data_is_one_line(tmp_path):
    f, _ = _trl_file(tmp_path / "prefs.jsonl")
    with pytest.raises(personas.PersonaDataError, match="no 'group' column"):
        preference_data.load(f, "group")
    rows = f.read_text().splitlines()
    third = json.loads(rows[5])
    third["chosen"] = " Maybe, it depends"
    (tmp_path / "three.jsonl").write_text("\n".join(rows[:5] + [json.dumps(third)] + rows[6:]) + "\n")
    with pytest.raises(personas.PersonaDataError, match=r"three.jsonl:6: a third distinct response .*Section 4.3"):
        preference_data.load(tmp_path / "three.jsonl", "value")
    conv = json.loads(rows[0])
    conv["chosen"] = [{"role": "assistant", "content": "Yes"}]
    (tmp_path / "conv.jsonl").write_text(json.dumps(conv) + "\n")
    with pytest.raises(personas.PersonaDataError, match="conv.jsonl:1: .*conversational"):
        preference_data.load(tmp_path / "conv.jsonl", "value")


def test_trl_file_with_a_group_column_audits_end_to_end(tiny_bert, tmp_path, capsys):
    f, _ = _trl_file(tmp_path / "prefs.jsonl")
    doc = _audit_preferences(tiny_bert, f, tmp_path / "res", capsys)
    assert doc["config"]["dataset_format"] == "trl" and doc["config"]["group_column"] == "value"
    assert doc["config"]["prompt"] == "statement" and doc["data"]["n_personas"] == 3
    assert doc["geometry"]["token_sharing"]["tokens"].keys() >= {" Yes", " No"}
    assert sorted(doc["dpo"]["runs"], key=int) == ["1", "2", "3"] and doc["verdicts"]


def test_multi_token_responses_are_refused_with_one_line(tiny_bert, tmp_path, capsys):
    f, _ = _trl_file(tmp_path / "prefs.jsonl", answers=(" Supercalifragilistic", " No"))
    code = main(["audit", "--model", str(tiny_bert), "--preferences", str(f), "--group-column", "value",
                 "--k", "1", "--out", str(tmp_path / "res")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "tokens for this tokenizer" in err[0] and "Section 4.3" in err[0], err
    assert not (tmp_path / "res" / results.FILENAME).exists()


def _saved_dataset(tmp_path, name="prefs-ds", split=None):
    """The JSONL rows of :func:`_trl_file` saved with ``Dataset.save_to_disk`` (a DatasetDict under
    ``split`` when given)."""
    datasets = pytest.importorskip("datasets", reason="a datasets directory needs the datasets package")
    f, data = _trl_file(tmp_path / "prefs.jsonl")
    ds = datasets.Dataset.from_list([json.loads(line) for line in f.read_text().splitlines()])
    path = tmp_path / name
    (datasets.DatasetDict({split: ds}) if split else ds).save_to_disk(str(path))
    return path, f, data


def test_a_local_datasets_directory_reads_like_its_jsonl(tmp_path):
    path, f, _ = _saved_dataset(tmp_path)
    assert preference_data.load(path, "value") == preference_data.load(f, "value")
    dict_path, _, _ = _saved_dataset(tmp_path, "prefs-dict", split="train")
    assert preference_data.load(dict_path, "value") == preference_data.load(f, "value")


def test_a_datasets_directory_without_train_split_or_column_is_one_line(tmp_path):
    path, _, _ = _saved_dataset(tmp_path, "prefs-test-only", split="test")
    with pytest.raises(personas.PersonaDataError, match="prefs-test-only: a DatasetDict without a 'train' split"):
        preference_data.load(path, "value")
    path, _, _ = _saved_dataset(tmp_path)
    with pytest.raises(personas.PersonaDataError, match=r"prefs-ds row 1: no 'group' column"):
        preference_data.load(path, "group")
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(personas.PersonaDataError, match="empty-dir: not a saved datasets directory"):
        preference_data.load(tmp_path / "empty-dir", "value")


def test_a_datasets_directory_audits_end_to_end(tiny_bert, tmp_path, capsys):
    path, _, _ = _saved_dataset(tmp_path)
    doc = _audit_preferences(tiny_bert, path, tmp_path / "res", capsys, ks="1,2", steps="2")
    assert doc["config"]["dataset"] == str(path) and doc["config"]["dataset_format"] == "trl"
    assert doc["data"]["n_personas"] == 3 and sorted(doc["dpo"]["runs"], key=int) == ["1", "2"]


def test_only_names_groups_of_the_preference_data(tiny_bert, tmp_path, capsys):
    """--only selects groups of --preferences (it was checked against the embedded personas)."""
    f, _ = _trl_file(tmp_path / "prefs.jsonl")
    rows = [json.loads(line) for line in f.read_text().splitlines()]
    f.write_text("".join(json.dumps({**r, "value": "group-" + r["value"]}) + "\n" for r in rows))  # no persona's name
    code = main(["audit", "--model", str(tiny_bert), "--preferences", str(f), "--group-column", "value",
                 "--only", "group-optimism,group-generosity", "--k", "1,2", "--steps", "2", "--shuffles", "2", "--draws", "1",
                 "--out", str(tmp_path / "res"), "--threads", "1"])
    assert code in (0, 1), capsys.readouterr().err
    doc = json.loads((tmp_path / "res" / results.FILENAME).read_text())
    assert sorted(doc["geometry"]["personas"]) == ["group-generosity", "group-optimism"]


def test_bad_preference_data_fails_before_anything_is_printed_or_written(tmp_path, capsys):
    (tmp_path / "bad.jsonl").write_text('{"prompt": "x", "chosen": " Yes"\n')
    code = main(["audit", "--preferences", str(tmp_path / "bad.jsonl"), "--group-column", "g",
                 "--out", str(tmp_path / "res")])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.strip().endswith("bad.jsonl:1: not valid JSON (Expecting ',' delimiter)")
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "res").exists()
    f, _ = _trl_file(tmp_path / "prefs.jsonl")
    assert main(["audit", "--preferences", str(f), "--group-column", "value", "--only", "optimism,nope",
                 "--out", str(tmp_path / "res")]) == 2
    assert "unknown group(s) nope" in capsys.readouterr().err
