"""What a reader sees in an 80-column terminal: the claims' own text verbatim (never eaten as
rich markup), maths as clean infix, one block per step, replay commands whole on their own line,
one summary line per claim, and progress as plain lines when stderr is not a terminal."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from dpoverify import cli, registry
from dpoverify.commands import check as check_cmd
from dpoverify.commands import explain as explain_cmd
from dpoverify.progress import Progress
from dpoverify.render import infix, replay_command, text
from tests.unit.test_cli import CLAIMS


def flat(s: str) -> str:
    return " ".join(s.split())


def console(width: int = 80) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=width, highlight=False, color_system=None), buf


def registry_document() -> dict:
    """A check.json-shaped document of every real claim and obligation (no engine runs)."""
    claims = []
    for c in registry.all_claims().values():
        claims.append({
            "id": c.id, "title": c.title, "verdict": "UNDECIDED",
            "source": {"version": c.source.version, "section": c.source.section,
                       "equations": list(c.source.equations)},
            "obligations": [{"id": o.id, "kind": o.kind.value, "title": o.title, "cites": o.cites,
                             "verdict": "UNDECIDED", "summary": "s", "counterexample": None}
                            for o in c.obligations]})
    return {"profile": "ci", "seed": 0, "verdict": "UNDECIDED", "claims": claims}


@pytest.mark.parametrize("width", [80, 160])
def test_every_title_and_statement_is_shown_verbatim_by_explain_and_check(width):
    """Brackets, braces and backslashes in the claims' own text survive (rich markup would eat
    '[r^L, r^U]' and '[e^{-eps^2/16} + ...]')."""
    doc = registry_document()
    con, buf = console(width)
    check_cmd.print_document(con, doc, Path("res"), "table")
    shown_by_check = flat(buf.getvalue())
    bracketed = 0
    for c in registry.all_claims().values():
        con, buf = console(width)
        explain_cmd.run(type("A", (), {"claim": c.id})(), con)
        shown = flat(buf.getvalue())
        texts = [c.title, c.statement] + [o.title for o in c.obligations]
        texts += [s.text for s in c.hypotheses + c.conclusions if s.text]
        for t in texts:
            assert flat(t) in shown, (c.id, t)
            bracketed += "[" in t
        if width < check_cmd.WIDE:  # (a wide table wraps text inside its cells)
            for t in [c.title] + [o.title for o in c.obligations]:
                assert flat(t) in shown_by_check, (c.id, t)
    assert bracketed >= 8  # the texts rich markup used to eat are among those checked


def test_planted_markup_is_not_interpreted(monkeypatch, capsys, tmp_path):
    from dataclasses import replace

    c = replace(CLAIMS["theorem-9.1"], title="bound [bold]x[/bold] in [r^L, r^U]",
                statement="P >= (8Z+4)KQ^2[e^{-eps^2/16} + 1]")
    monkeypatch.setattr(registry, "all_claims", lambda: {c.id: c})
    monkeypatch.chdir(tmp_path)
    assert cli.main(["explain", c.id]) == 0
    out = flat(capsys.readouterr().out)
    assert "bound [bold]x[/bold] in [r^L, r^U]" in out and "(8Z+4)KQ^2[e^{-eps^2/16} + 1]" in out


def test_maths_is_clean_infix():
    import sympy as sp

    Q, c, K = sp.symbols("Q c K", positive=True)
    expr = 8 * K * Q ** sp.Rational(9, 4) * sp.exp(-sp.Min(Q ** sp.Rational(3, 4) / 256, c * sp.sqrt(Q) / 5))
    shown = infix(sp.Ge(expr, 1))
    assert "**" not in shown and "Min(" not in shown and "sqrt(" not in shown
    assert shown == "8K·Q^(9/4)·exp(-min(Q^(3/4)/256, c·√Q/5)) ≥ 1"
    assert text("2*K*Q**2*exp(-Q/45) in [40, oo)") == "2K·Q^2·exp(-Q/45) in [40, ∞)"
    assert text("v <= 1/(32*sqrt(Q*c))") == "v ≤ 1/(32√(Q·c))"


@pytest.fixture
def planted(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "all_claims", lambda: CLAIMS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")


def test_check_at_80_columns_blocks_summary_and_whole_replay_line(planted, capsys, tmp_path):
    code = cli.main(["check", "theorem-9.1", "theorem-9.2", "--profile", "quick", "--out", "r"])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    replay = [l for l in lines if l.startswith("dpoverify replay ")]
    assert code == 1 and len(replay) == 1
    cex = replay[0].split()[-1]
    assert Path(cex).is_file() and cex.startswith("r/counterexamples/")  # whole, resolved, copyable
    assert all(len(l) <= 80 for l in lines if l not in replay)
    assert not any("┃" in l or "│" in l for l in lines)  # blocks, not squeezed columns
    assert lines[-2:] == ["theorem-9.1  PROVED   2 proved of 2 obligations",  # claim summaries,
                          "theorem-9.2  REFUTED  fails: step 1 (step-1)"]  # no verdict said twice
    assert "note: profile quick" in out  # the quick profile says its verdicts may differ from ci
    assert "[1/5] theorem-9.1/step-0 PROVED" in err  # plain progress lines off a terminal


def test_quiet_and_formats(planted, capsys):
    code = cli.main(["check", "all", "--quiet", "--profile", "ci"])
    out, _ = capsys.readouterr()
    assert code == 1 and out.splitlines() == [
        "theorem-9.1  PROVED   2 proved of 2 obligations",
        "theorem-9.2  REFUTED  fails: step 1 (step-1)",
        "lemma-9.3    ERROR    ERROR in crash",
        "lemma-9.4    VACUOUS  step-0 asserts nothing where checked"]
    cli.main(["check", "theorem-9.1", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["claims"][0]["verdict"] == "PROVED"
    cli.main(["check", "theorem-9.1", "--format", "summary"])
    assert capsys.readouterr().out == "theorem-9.1  PROVED  2 proved of 2 obligations\n"


def test_stored_claim_summary_is_the_reason():
    doc = {"profile": "ci", "claims": [{"id": "theorem-b.3", "verdict": "REFUTED", "obligations": [],
                                        "summary": "stated r^U lies below r^L (statement-band-nonempty)"}]}
    assert [l.plain for l in check_cmd.summary_lines(doc)] == [
        "theorem-b.3  REFUTED  stated r^U lies below r^L (statement-band-nonempty)"]


def test_replay_command_resolves_relative_paths_against_the_results_folder(tmp_path):
    assert replay_command({"counterexample": "counterexamples/a b.json"}, "moved/res") == \
        "dpoverify replay 'moved/res/counterexamples/a b.json'"
    assert replay_command({"counterexample": "/abs/c.json"}, "res") == "dpoverify replay /abs/c.json"
    assert replay_command({"counterexample": None}, "res") is None


def test_plain_progress_lines_are_flushed_with_an_estimate():
    buf = io.StringIO()
    with Progress("dpoverify fuzz", 3, stream=buf, announce=True) as p:
        p.start("a/x")
        p.done("a/x", "REFUTED")
        assert buf.getvalue().splitlines()[-1].startswith("dpoverify fuzz: [1/3] a/x REFUTED (0:00:00, ~")
        p.start("a/y")
    lines = buf.getvalue().splitlines()
    assert lines[0] == "dpoverify fuzz: [1/3] a/x ..." and lines[-1] == "dpoverify fuzz: [2/3] a/y ..."


def test_list_at_80_columns_never_splits_an_id():
    con, buf = console(80)
    from dpoverify.commands import listing

    listing.run(type("A", (), {"from_file": None, "markdown": False})(), con)
    lines = buf.getvalue().splitlines()
    assert all(len(l) <= 80 for l in lines)
    heads = {l.split()[0] for l in lines if l and not l.startswith(" ")}
    assert set(registry.all_claims()) <= heads  # each id whole, at the start of its block
    assert len(lines) < 6 * len(registry.all_claims())


def test_fallback_reason_names_the_deciding_steps():
    from dpoverify.render import claim_reason

    def claim(verdict, *steps):
        return {"verdict": verdict, "obligations": [{"id": i, "verdict": v} for i, v in steps]}

    assert claim_reason(claim("REFUTED", ("a", "PROVED"), ("b", "REFUTED"), ("c", "REFUTED"))) == "refuted: b (+1 more)"
    assert claim_reason(claim("NO COUNTEREXAMPLE", ("a", "NO COUNTEREXAMPLE"), ("b", "PROVED"))) == \
        "no counterexample in 1 searched step(s), 1 proved"
    assert claim_reason(dict(claim("REFUTED", ("b", "REFUTED")), summary="x**2 >= y")) == "x^2 ≥ y"
