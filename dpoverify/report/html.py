"""The report as one self-contained HTML page: inline CSS, figures as base64 PNG data URIs, no
script, and a Content-Security-Policy that forbids loading anything from anywhere, so the page
opens offline and cannot reach the network when viewed."""
from __future__ import annotations

import base64
from html import escape

from .doc import Badge, Code, Details, Fields, Figure, Heading, Items, Link, Math, Missing, Para, Pre, Report, Table, Warn

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fff;overflow-wrap:break-word}
main{max-width:1200px;margin:0 auto;padding:1.5em 2em 4em}
h1{font-size:1.7em;margin:.2em 0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.6em}h4{margin:1.2em 0 .3em}h1,h2,h3,h4,summary{overflow-wrap:anywhere}
.subtitle{color:#555;margin:0 0 1em}
nav.toc{background:#f6f6f8;border:1px solid #e2e2e6;border-radius:6px;padding:.6em 1em;margin:1em 0;line-height:1.9}
nav.toc a{margin-right:1.1em;display:inline-block;max-width:100%}
.scroll{overflow-x:auto;max-width:100%;margin:.6em 0 1em}
table{border-collapse:collapse;width:auto;min-width:100%;font-size:.92em}
td{max-width:34em}code.s{white-space:nowrap}td code{overflow-wrap:normal}
table.verdicts td:nth-child(2),table.steps td:nth-child(2),table.fuzz td:nth-child(2){white-space:nowrap}
th,td{border:1px solid #d9d9de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f4}tr:target{background:#fff7cc}td:first-child{white-space:nowrap}
table.verdicts td:first-child,table.steps td:first-child,table.verdicts th:first-child,table.steps th:first-child{position:sticky;left:0;z-index:1;background:#fff}
table.verdicts th:first-child,table.steps th:first-child{background:#f0f0f4}
table.verdicts td:nth-child(3),table.steps td:nth-child(3){min-width:16em}
code{font:.88em/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f3f6;padding:.05em .25em;border-radius:3px;overflow-wrap:anywhere}
pre{font:.82em/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f7f7f9;border:1px solid #e4e4e8;padding:.6em;overflow:auto;max-height:28em}
details{margin:.3em 0}details>summary{cursor:pointer}details:target{outline:2px solid #f5c400}
figure{margin:1em 0;padding:.5em;border:1px solid #e4e4e8;border-radius:6px}
figure img{max-width:100%;height:auto;display:block;margin:0 auto}
figcaption{font-size:.9em;color:#444;margin-top:.4em}
.missing{background:#fff4e5;border-left:4px solid #f0a020;padding:.25em .7em;margin:.4em 0;font-size:.92em}
.warn{background:#fde8e8;border-left:4px solid #c62828;padding:.4em .8em;margin:.6em 0}
.m{display:inline-block;max-width:100%;overflow-x:auto;vertical-align:middle}
math{font-size:1.05em}
ul.findings>li{margin:.35em 0}
dl.ev{margin:.3em 0 .6em;display:grid;grid-template-columns:minmax(6em,max-content) minmax(0,1fr);gap:.15em .8em;font-size:.92em}
dl.ev dt{font-weight:600;color:#333}dl.ev dd{margin:0;min-width:0}
dl.ev dl.ev{margin:0;border-left:2px solid #e4e4e8;padding-left:.5em}
dl.ev dt{overflow-wrap:anywhere;max-width:14em}
@media (max-width:700px){dl.ev{display:block}dl.ev dd{margin:0 0 .2em .8em}}
.badge{display:inline-block;padding:.05em .45em;border-radius:4px;font-weight:600;font-size:.85em;white-space:nowrap}
.v-PROVED{background:#1f7a3a;color:#fff}.v-REFUTED{background:#c62828;color:#fff}
.v-NO-COUNTEREXAMPLE{background:#d7f0dc;color:#14532d}.v-VACUOUS{background:#efe0f7;color:#5b2177}
.v-UNDECIDED{background:#fff1b8;color:#6b4e00}.v-ERROR{background:#000;color:#fff}
.v-other{background:#e5e5ea;color:#222}
@media (max-width:700px){main{padding:1em .8em 3em}body{font-size:14px}h1{font-size:1.3em}h2{font-size:1.25em}
 .scroll>table{width:max-content}td{max-width:18em}}
"""

VERDICT_CLASSES = {"PROVED", "REFUTED", "NO COUNTEREXAMPLE", "VACUOUS", "UNDECIDED", "ERROR"}


def inline(x) -> str:
    if isinstance(x, str):
        return escape(x)
    if isinstance(x, Link):
        return f'<a href="#{escape(x.target)}">{escape(x.text)}</a>'
    if isinstance(x, Code):  # a short one (an option, a file name) is never broken
        return f'<code{" class=s" if len(x.text) <= 32 else ""}>{escape(x.text)}</code>'
    if isinstance(x, Badge):
        cls = "v-" + x.verdict.replace(" ", "-") if x.verdict in VERDICT_CLASSES else "v-other"
        return f'<span class="badge {cls}" data-verdict="{escape(x.verdict)}">{escape(x.verdict)}</span>'
    if isinstance(x, Math):  # MathML printed by sympy from the registry's expressions
        return f'<span class="m">{x.mathml}</span>'
    if isinstance(x, tuple):
        return "".join(inline(i) for i in x)
    raise TypeError(f"not inline content: {type(x).__name__}")


def _id(a: str) -> str:
    return f' id="{escape(a)}"' if a else ""


def block(b) -> str:
    if isinstance(b, Para):
        return f"<p>{inline(b.content)}</p>"
    if isinstance(b, Heading):
        return f"<h{b.level}{_id(b.anchor)}>{escape(b.text)}</h{b.level}>"
    if isinstance(b, Table):
        head = "".join(f"<th>{escape(c)}</th>" for c in b.columns)
        body = []
        for i, row in enumerate(b.rows):
            rid = _id(b.row_anchors[i]) if b.row_anchors else ""
            body.append(f"<tr{rid}>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>")
        cls = f' class="{escape(b.kind)}"' if b.kind else ""
        return (f'<div class="scroll"><table{_id(b.anchor)}{cls}><thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(body)}</tbody></table></div>")
    if isinstance(b, Items):
        cls = f' class="{escape(b.kind)}"' if b.kind else ""
        return f"<ul{cls}>" + "".join(f"<li>{inline(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, Fields):
        return '<dl class="ev">' + "".join(
            f"<dt>{escape(k)}</dt><dd>{block(v) if isinstance(v, Fields) else inline(v)}</dd>"
            for k, v in b.items) + "</dl>"
    if isinstance(b, Warn):
        return f'<div class="warn">{inline(b.content)}</div>'
    if isinstance(b, Figure):
        data = base64.b64encode(b.png).decode("ascii")
        return (f'<figure{_id(b.anchor)}><img src="data:image/png;base64,{data}" alt="{escape(b.title)}">'
                f"<figcaption><b>{escape(b.title)}.</b> {escape(b.caption)}</figcaption></figure>")
    if isinstance(b, Pre):
        return f"<pre{_id(b.anchor)}>{escape(b.text)}</pre>"
    if isinstance(b, Missing):
        why = f" ({escape(b.reason)})" if b.reason else ""
        return (f'<div class="missing"><b>Missing:</b> {escape(b.what)}{why}. '
                f"Produce it with <code>{escape(b.command)}</code>.</div>")
    if isinstance(b, Details):
        inner = "".join(block(x) for x in b.blocks)
        return f"<details{_id(b.anchor)}><summary>{inline(b.summary)}</summary>{inner}</details>"
    raise TypeError(f"not a block: {type(b).__name__}")


# short names for the contents line (the sections' own titles are long)
TOC = {"findings": "Findings", "missing": "Missing inputs", "verdicts": "Verdicts", "claims": "Claims and evidence",
       "trajectories": "Trajectories", "fuzz": "Fuzzing", "boundary": "Where it breaks", "tightness": "Tightness",
       "scaling": "Scaling law", "audit": "Real-model audit", "provenance": "Provenance", "inputs": "Inputs"}


def render(report: Report) -> str:
    toc = " ".join(f'<a href="#{escape(s.anchor)}">{escape(TOC.get(s.anchor, s.title))}</a>'
                   for s in report.sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{escape(report.title)}</h1><p class=\"subtitle\">{escape(report.subtitle)}</p>",
        f'<nav class="toc">{toc}</nav>',
    ]
    for s in report.sections:
        parts.append(f'<section id="{escape(s.anchor)}"><h2>{escape(s.title)}</h2>')
        parts.extend(block(b) for b in s.blocks)
        parts.append("</section>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
