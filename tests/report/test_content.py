"""The page and its Markdown twin against the JSON they were built from (no browser needed)."""
from __future__ import annotations

import re
from html import escape

from dpoverify.report.load import INPUTS
from dpoverify.render import claim_reason, text
from dpoverify.report.verdict_table import check_command, evidence_anchor, step_keys
from tests.report.parse import ReportHTML

EXPECTED_FIGURES = {"fig-trajectories", "fig-fuzz-placements", "fig-boundary-maps", "fig-tightness", "fig-scaling",
                    "fig-audit-figure3", "fig-audit-figure5", "fig-audit-figure7-8", "fig-audit-rate"}


def page(built) -> ReportHTML:
    return ReportHTML(built.html.read_text())


def test_verdict_table_matches_check_json(built):
    check = built.check
    doc = page(built)
    rows = doc.rows("verdicts")
    assert [r[0] for r in rows] == [c["verdict"] for c in check["claims"]]  # the verdict comes first
    assert [r[1] for r in rows] == [c["id"] for c in check["claims"]]
    assert [r[2] for r in rows] == [claim_reason(c) for c in check["claims"]]  # why
    assert [r[3] for r in rows] == [c["title"] for c in check["claims"]]  # escaped on the way in, read back equal
    assert doc.badges["verdicts"] == [[c["verdict"]] for c in check["claims"]]
    text = built.html.read_text()  # each claim's section gives the command that re-runs it
    assert all(escape(check_command(check, c["id"]), quote=False) in text for c in check["claims"])
    assert {c["verdict"] for c in check["claims"]} == {"PROVED", "REFUTED", "UNDECIDED"}


def test_every_step_has_a_row_with_its_verdict_and_every_counterexample_its_replay(built):
    check, html_path = built.check, built.html
    doc = page(built)
    steps = doc.rows("steps")
    expected = [(o["id"], o["verdict"]) for c in check["claims"] for o in c["obligations"]]
    assert [r[1] for r in steps] == [e[0] for e in expected]
    assert [b[0] for b in doc.badges["steps"] if b] == [e[1] for e in expected]
    text = html_path.read_text()
    recorded = [o["counterexample"] for c in check["claims"] for o in c["obligations"] if o["counterexample"]]
    assert recorded, "the fixture must contain a counterexample"
    for rel in recorded:  # recorded relative to the results folder; the page resolves it there
        assert not rel.startswith("/")
        assert escape(f"dpoverify replay {built.results / rel}") in text


def test_every_internal_link_has_a_target(built):
    doc = page(built)
    ids = set(doc.ids)
    assert len(ids) == len(doc.ids), "duplicate ids"
    links = [v[1:] for tag, attr, v in doc.refs if attr == "href" and v.startswith("#")]
    assert links
    assert not [x for x in links if x not in ids]


def test_self_contained_no_external_references_and_a_csp_that_forbids_them(built):
    text = built.html.read_text()
    doc = page(built)
    external = [(t, a, v) for t, a, v in doc.refs if not (v.startswith("#") or v.startswith("data:image/png;base64,"))]
    assert external == []
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "url(" not in text and "@import" not in text
    assert doc.scripts == 0
    assert "default-src 'none'" in doc.meta["content-security-policy"]


def test_figures_present(built):
    doc = page(built)
    assert set(doc.figures) == EXPECTED_FIGURES
    assert doc.images == len(EXPECTED_FIGURES)


def test_no_missing_notice_when_every_input_is_present(built):
    text = built.html.read_text()
    assert "<b>Missing:</b>" not in text  # (test_inputs covers every input absent)
    assert [r[2] for r in page(built).rows("inputs")] == ["present"] * len(INPUTS)
    assert 'id="missing"' not in text


def test_audit_numbers_beside_the_papers(built):
    audit = built.audit
    rows = {r[0]: r for r in page(built).rows("audit-stats")}
    frob = rows["mean Frobenius norm of per-persona covariance (unit norm on average)"]
    assert frob[1] == f"{audit['geometry']['spread']['mean_cov_frobenius']:.4g}" and frob[2] == "0.058"
    assert rows["mean squared distance from the persona mean"][2] == "0.227"
    assert [r[0] for r in page(built).rows("audit-dpo")] == [str(k) for k in audit["config"]["k"]]


def test_markdown_twin_has_the_same_verdicts_and_its_figure_files(built):
    check, md_path = built.check, built.md
    md = md_path.read_text()
    for c in check["claims"]:
        assert re.search(rf"\| <a id=\"row-{re.escape(c['id'].replace('.', '-'))}\"></a>\*\*{c['verdict']}\*\* \| "
                         rf"\[{re.escape(c['id'])}\]\(#claim-[^)]*\) \|", md), c["id"]
    figs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(figs) == len(EXPECTED_FIGURES)
    for rel in figs:
        f = md_path.parent / rel
        assert f.is_file() and f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "A refuted theorem <b>&amp;</b>" not in md  # markup in a title is escaped, not rendered


def test_fuzz_table_matches_fuzz_json(built):
    doc = page(built)
    rows = doc.rows("fuzz")
    assert [(r[1], r[2]) for r in rows] == [(e["claim"], e["obligation"]) for e in built.fuzz["obligations"]]
    assert doc.badges["fuzz"] == [[e["verdict"]] for e in built.fuzz["obligations"]]
    cex = built.fuzz["obligations"][0]["counterexample"]
    assert rows[0][5] == f"dpoverify replay {built.results / cex}" and rows[1][5] == "—"
    placements = doc.rows("fuzz-placements")
    assert [r[0] for r in placements] == [p["placement"] for p in built.fuzz["obligations"][0]["placements"]]
    assert escape(built.fuzz["obligations"][0]["example"]) in built.html.read_text()


def test_boundary_and_tightness_tables_match_their_json(built):
    doc = page(built)
    rows = doc.rows("boundary")
    maps = built.boundary["maps"]
    # hypotheses as clean infix: "v ≤ 1/(32√Q)", never "v <= 1/(32*sqrt(Q))"
    assert [(r[0], r[1], r[2]) for r in rows] == [(m["claim"], m["obligation"], text(m["hypothesis"])) for m in maps]
    assert rows[0][2] == "v ≤ 1/(32√Q)"
    assert rows[0][5] == "4 (×4 beyond)" and rows[1][5] == "holds over the whole sweep (to ×4)"
    assert rows[2][5] == "already on the boundary"
    assert [r[6] for r in rows] == ["100%", "0%", "50%"]  # the infeasible point and the nan rate are not counted
    t = doc.rows("tightness")
    assert [(r[0], r[2]) for r in t] == [(r["claim"], r["quantity"]) for r in built.tightness["rows"]]
    assert t[1][6] == "inf" and t[2][4] == "0.6"


def test_scaling_tables_match_scaling_json_and_eq4_is_cross_checked(built):
    rows = page(built).rows("scaling")
    assert [r[:2] for r in rows] == [["1", "764"], ["2", "799"], ["4", "834"]]
    assert [r[2:] for r in rows] == [["6", "6"], ["6", "24"], ["8", "> 64"]]
    fits = page(built).rows("scaling-fits")
    assert fits[0][1].startswith("5 + 1·ln K") and fits[1][1] == "too few points"
    assert "agrees with the rigorous computation here at every K (1, 2, 4)" in built.html.read_text()


def test_a_wrong_eq4_q_in_scaling_json_is_flagged(tmp_path):
    from dpoverify.report.html import render
    from dpoverify.report.doc import Report
    from dpoverify.report.load import load_inputs
    from dpoverify.report.scaling import scaling_section
    from dpoverify.results import write_json
    from tests.report.inputs import scaling_doc

    write_json(tmp_path / "scaling.json", scaling_doc(eq4={"1": 764, "2": 800, "4": 834}))
    text = render(Report("t", "s", [scaling_section(load_inputs(tmp_path))]))
    assert "DISAGREES with the rigorous computation here: K=2: scaling.json 800, here 799." in text


def test_evidence_is_a_definition_list_with_clean_maths_not_a_json_dump(built):
    from dpoverify.report.evidence import MAX_ITEMS, fields
    from dpoverify.report.html import block

    ev = {"goal": "8*K*Q**(9/4)*exp(-Min(Q**(3/4)/256, sqrt(Q)*c/5)) >= 1",
          "region": {"boxes": [{"Q": ["40", None]}] * (MAX_ITEMS + 3), "hull": "Q in [40, oo)"},
          "seeds": list(range(MAX_ITEMS + 5)), "ok": True, "<b>": "<script>x</script>"}
    html = block(fields(ev))
    assert html.startswith('<dl class="ev">')
    assert "8K·Q^(9/4)·exp(-min(Q^(3/4)/256, √Q·c/5)) ≥ 1" in html and "Q in [40, ∞)" in html
    assert "**" not in html and "Min(" not in html and "sqrt(" not in html
    assert "… 3 more in the JSON file" in html and "… 5 more in the JSON file" in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # text from a file is escaped
    page_text = built.html.read_text()
    claims = page_text[page_text.index('<section id="claims">'):page_text.index('<section id="trajectories">')]
    assert "<pre" not in claims and '<dl class="ev">' in claims
    assert "**" not in re.sub(r"<[^>]+>", "", page_text)  # no raw sympy power anywhere on the page


def test_findings_come_first_with_reasons_and_evidence_links(built):
    text = built.html.read_text()
    doc = page(built)
    sections = re.findall(r'<section id="([^"]+)"', text)
    assert sections[0] == "findings" and sections[-1] == "inputs"
    findings = text[text.index('<section id="findings">'):text.index('<section id="verdicts">')]
    refuted = [c for c in built.check["claims"] if c["verdict"] == "REFUTED"]
    for c in refuted:  # each refuted claim, with a link to the evidence of the step that refuted it
        assert f'href="#claim-{c["id"].replace(".", "-")}"' in findings
        key = next(k for o, k in zip(c["obligations"], step_keys(c)) if o["verdict"] == "REFUTED")
        assert f'href="#{evidence_anchor(c["id"], key)}"' in findings  # (theorem-9.4's is its 2nd risk-bound)
    assert "Wrong as printed (2 claims REFUTED)" in findings and "fails: step 1 of theorem-9.2 (step-1)" in findings
    assert "quick profile" in findings  # smaller budgets than ci are flagged
    assert doc.ids.index("findings") < doc.ids.index("verdicts")


def test_mixed_profiles_are_flagged(tmp_path):
    from dpoverify.report.build import build
    from dpoverify.results import write_json
    from tests.report.inputs import fuzz_doc, write_check

    write_check(tmp_path)  # quick
    write_json(tmp_path / "fuzz.json", dict(fuzz_doc(), profile="ci"))
    from dpoverify.report.html import render

    html = render(build(tmp_path)[0])
    assert "Inputs were made with different profiles (check: quick, fuzz: ci)" in html
    write_json(tmp_path / "fuzz.json", dict(fuzz_doc(), profile="quick"))
    assert "different profiles" not in render(build(tmp_path)[0])
