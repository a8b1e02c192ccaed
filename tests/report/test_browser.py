"""The report in a real browser: headless Chromium over the DevTools protocol.

The page must load without a single console message (it has no script, so anything the console
shows is the browser complaining: a failed load, a CSP violation, an error), request nothing but
itself and its data: figures, decode every figure, and show the verdict table of check.json.
At a desktop width (1400 px) and a phone width (390 px) it must never scroll sideways (wide
tables scroll inside their own box), keep each verdict on screen, render its maths as MathML,
and open with the findings. Planted pages prove each of these checks fails when it should.
Screenshots at both widths go to $DPOVERIFY_SCREENSHOTS when set (else a temporary folder), to
be looked at.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.report.browser import Chromium, find_chromium
from tests.report.test_content import EXPECTED_FIGURES

pytestmark = pytest.mark.browser

CHROMIUM = find_chromium()

FIGURES_JS = """Array.from(document.querySelectorAll('figure')).map(f => {
  const img = f.querySelector('img');
  return [f.id, img ? img.complete && img.naturalWidth : 0, f.querySelectorAll('img, svg').length];
})"""
VERDICTS_JS = """Array.from(document.querySelectorAll('table.verdicts tbody tr')).map(tr =>
  [tr.cells[1].innerText.trim(), tr.cells[3].innerText.trim(), tr.querySelector('[data-verdict]').dataset.verdict])"""
LAYOUT_JS = """(() => {
  const first = document.querySelector('main section');
  const cells = Array.from(document.querySelectorAll('table.verdicts tbody tr td:first-child'));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          maths: document.querySelectorAll('math').length,
          mathWidth: Math.max(0, ...Array.from(document.querySelectorAll('math')).map(m => m.getBoundingClientRect().width)),
          first: first ? first.id : null,
          verdictCells: cells.map(td => { const r = td.getBoundingClientRect(); return [r.left, r.right]; })};
})()"""
DANGLING_JS = """Array.from(document.querySelectorAll('a[href^="#"]'))
  .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH: install Debian's `chromium` (apt-get install -y chromium; "
                    ".ci/run does) to run the browser tests")
    with Chromium(CHROMIUM) as b:
        yield b


def problems(page, expected_figures) -> list[str]:
    """Everything wrong with a loaded report page; [] when it is fine."""
    out = [f"console {m['level']} ({m['source']}): {m['text']}" for m in page.load.console]
    out += [f"requested {u[:80]}" for u in page.load.requests
            if u != page.load.url and not u.startswith("data:image/png;base64,")]
    figures = page.evaluate(FIGURES_JS)
    out += [f"figure {fid} did not decode" for fid, width, _ in figures if not width]
    out += [f"figure {fid} has {n} images" for fid, _, n in figures if n != 1]
    found = {fid for fid, _, _ in figures}
    if found != set(expected_figures):
        out.append(f"figures {sorted(found)} != expected {sorted(expected_figures)}")
    out += [f"link to missing #{x}" for x in page.evaluate(DANGLING_JS)]
    return out


def test_report_loads_clean_shows_every_figure_and_the_verdicts(browser, built, tmp_path):
    check, html_path = built.check, built.html
    page = browser.open(html_path)
    assert problems(page, EXPECTED_FIGURES) == []
    assert page.evaluate("document.querySelectorAll('img, svg').length") == len(EXPECTED_FIGURES)
    assert page.evaluate(VERDICTS_JS) == [[c["id"], c["title"], c["verdict"]] for c in check["claims"]]
    shot = page.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_planted_console_error_fails_the_check(browser, tmp_path):
    planted = tmp_path / "planted.html"
    planted.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>p</title></head><body>"
                       "<script>console.error('planted error')</script></body></html>")
    found = problems(browser.open(planted), set())
    assert any("console error" in p and "planted error" in p for p in found), found


def test_planted_broken_figure_and_missing_figure_fail_the_check(browser, built, tmp_path):
    text = built.html.read_text()
    first = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]{40})', text)
    broken = text.replace(first.group(1), "A" * 40, 1)
    broken = re.sub(r'<figure id="fig-scaling">.*?</figure>', "", broken, flags=re.S)
    planted = tmp_path / "broken.html"
    planted.write_text(broken)
    found = problems(browser.open(planted), EXPECTED_FIGURES)
    assert any("did not decode" in p for p in found), found
    assert any("!= expected" in p for p in found), found


def test_planted_external_resource_is_blocked_and_reported(browser, built, tmp_path):
    text = built.html.read_text().replace("</main>", '<img src="https://example.com/x.png"></main>')
    planted = tmp_path / "external.html"
    planted.write_text(text)
    found = problems(browser.open(planted), EXPECTED_FIGURES)
    assert any("Content Security Policy" in p or "example.com" in p for p in found), found


def layout_problems(page) -> list[str]:
    """What is wrong with the page's layout at the width it was opened with; [] when fine."""
    got = page.evaluate(LAYOUT_JS)
    out = []
    if got["scrollWidth"] > got["innerWidth"]:
        out.append(f"page scrolls sideways: {got['scrollWidth']} px wide in a {got['innerWidth']} px window")
    if not got["maths"] or not got["mathWidth"]:
        out.append("no rendered MathML on the page")
    if got["first"] != "findings":
        out.append(f"first section is {got['first']!r}, not the findings")
    off = [lr for lr in got["verdictCells"] if lr[0] < 0 or lr[1] > got["innerWidth"]]
    if off or not got["verdictCells"]:
        out.append(f"verdict cells off screen: {off or 'none found'}")
    return out


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    d = Path(os.environ.get("DPOVERIFY_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.mark.parametrize("width", [1400, 390])
def test_layout_at_desktop_and_phone_widths(browser, built, shots, width):
    page = browser.open(built.html, width=width, height=900)
    assert layout_problems(page) == []
    assert problems(page, EXPECTED_FIGURES) == []
    shot = page.screenshot(shots / f"report-{width}.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first = page.screenshot(shots / f"report-{width}-first-screen.png", full_page=False)
    assert first.stat().st_size > 10_000


def test_planted_layout_faults_fail_the_layout_check(browser, built, tmp_path):
    text = built.html.read_text()
    wide = text.replace("</main>", '<div style="width:2000px">a wide block</div></main>')
    no_math = re.sub(r"<math.*?</math>", "", text, flags=re.S)
    inputs_first = text.replace('<section id="findings">', '<section id="inputs-moved"></section><section id="findings">')
    for name, html, needle in (("wide", wide, "scrolls sideways"), ("nomath", no_math, "no rendered MathML"),
                               ("order", inputs_first, "not the findings")):
        planted = tmp_path / f"{name}.html"
        planted.write_text(html)
        found = layout_problems(browser.open(planted, width=390))
        assert any(needle in p for p in found), (name, found)
