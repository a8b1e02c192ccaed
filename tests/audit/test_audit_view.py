"""What `dpoverify audit` prints (dpoverify.commands.audit_view), on a synthetic results document:
at 80 columns every line fits, no id is split, no number is cut; each verdict names its kind and
the model once; at 140 columns the statistics and verdicts are tables."""
import io
import re

import pytest
from rich.console import Console

from dpoverify.commands import audit, audit_view
from dpoverify.results import write_json
from gpu_checks import results, scaling

from .synthetic import doc_for, theory_groups

KINDS = re.compile(r"\((a|b|c|d)\) (hypothesis check|re-run|own numbers|model-free)")


def _run(k, rate, err, draw=0):
    final = {split: {"rewards/margins": 0.0507 / k + draw * 1e-4, "rewards/accuracies": 0.861,
                     "error": err, "loss": 0.69} for split in ("train", "test")}
    return {"margin_rate": rate * (1 + 0.1 * draw), "final": final, "log": []}


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """A synthetic document (Section 3's model, 6 values) with three DPO draws per K, judged."""
    groups, q, _ = theory_groups(K=6)
    runs = {}
    for k, rate, err in ((1, 0.000519, 0.0), (2, 0.000265, 0.125), (4, 0.00013, 0.25), (8, 6.6e-05, 0.31)):
        ds = [_run(k, rate, err, d) for d in range(3)]
        runs[str(k)] = {**ds[0], "draws": ds}
    doc = doc_for(groups, q, dpo={"runs": runs, "scaling": scaling.summarize(runs)})
    doc["config"].update(lr=0.001, beta=0.01, cap=20)
    out = tmp_path_factory.mktemp("audit")
    write_json(out / results.FILENAME, doc)
    doc["verdicts"] = audit.judge_all(doc, str(out))
    return doc


def _printed(doc, width):
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, highlight=False)
    audit_view.print_geometry(console, doc)
    audit_view.print_dpo(console, doc)
    audit_view.print_verdicts(console, doc["verdicts"])
    return buf.getvalue()


def test_at_80_columns_every_line_fits_and_nothing_is_cut(judged):
    text = _printed(judged, 80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text and "┃" not in text  # blocks, not a crushed table
    words = {w for line in lines for w in line.split()}
    for row in judged["verdicts"]:  # ids whole, on a line of their own with the verdict
        assert row["claim"] in words and row["obligation"] in words
        assert any(line.split()[:2] == [row["obligation"], row["verdict"].split()[0]] for line in lines if line.strip())
    for k in judged["dpo"]["runs"]:
        assert any(line.lstrip().startswith(f"K={k} ") for line in lines)
    assert "0.000519" in text and "6.6e-05" in text  # three significant digits, whole


def test_each_verdict_names_its_kind_and_model_once(judged):
    for row in judged["verdicts"]:
        kinds = KINDS.findall(row["summary"])
        assert len(kinds) == 1, row["summary"]
        expected = {"hypothesis-check": 1, "re-run": 1, "own-numbers": 0, "model-free": 0}[row["kind"]]
        assert row["summary"].count("theory-model") == expected, row["summary"]
        if row["kind"] == "re-run" and row["verdict"] != "NO COUNTEREXAMPLE":
            assert "a proxy model cannot refute the paper's measurement" in row["summary"]
        assert not row["summary"].startswith("(")  # the finding first, the kind at the end


def test_at_140_columns_tables_where_they_fit(judged):
    text = _printed(judged, 140)
    assert max(len(line) for line in text.splitlines()) <= 140
    assert "…" not in text
    assert text.count("┃ statistic") == 1 and "┃ claim / obligation" in text and "┃ K ┃" in text


def test_library_progress_bars_are_off_unless_the_caller_chose(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "0")
    audit.quiet_libraries()
    import os
    assert os.environ["TQDM_DISABLE"] == "1" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "0"


def test_plain_progress_lines_give_seconds_per_item_when_an_item_takes_longer_than_a_second(monkeypatch):
    """A CPU full fine-tune step takes minutes: '0.0/s' would say nothing."""
    import io

    from rich.console import Console

    from gpu_checks import runner

    clock = iter([0.0, 30.0, 60.0])
    monkeypatch.setattr(runner.time, "perf_counter", lambda: next(clock))
    buf = io.StringIO()
    lines = runner._Lines(Console(file=buf, width=80))
    task = lines.add_task("DPO full K=1", total=2)
    lines.advance(task, 1)
    lines.advance(task, 1)
    assert buf.getvalue().splitlines() == ["DPO full K=1: 1/2 (50%), 30.0 s each", "DPO full K=1: 2/2 (100%), 30.0 s each"]
