"""The report as Markdown (GitHub-flavoured): the same sections and tables as the HTML page, with
each figure written as a PNG file in a folder beside the .md file and linked relatively."""
from __future__ import annotations

from .doc import Badge, Code, Details, Fields, Figure, Heading, Items, Link, Math, Missing, Para, Pre, Report, Table, Warn


def _code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _text(s: str) -> str:
    for ch in "\\*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s


def inline(x, in_table: bool = False) -> str:
    if isinstance(x, str):
        out = _text(x)
    elif isinstance(x, Link):
        out = f"[{_text(x.text)}](#{x.target})"
    elif isinstance(x, Code):
        out = _code(x.text.replace("|", "\\|") if in_table else x.text)
    elif isinstance(x, Badge):
        out = f"**{x.verdict}**"
    elif isinstance(x, Math):
        out = _code(x.text.replace("|", "\\|") if in_table else x.text)
    elif isinstance(x, tuple):
        out = "".join(inline(i, in_table) for i in x)
    else:
        raise TypeError(f"not inline content: {type(x).__name__}")
    return out.replace("\n", " ") if in_table else out


def _anchor(a: str) -> str:
    return f'<a id="{a}"></a>' if a else ""


def block(b, figure_dir: str) -> str:
    if isinstance(b, Para):
        return inline(b.content)
    if isinstance(b, Heading):
        return f"{'#' * b.level} {_anchor(b.anchor)}{_text(b.text)}"
    if isinstance(b, Table):
        lines = [_anchor(b.anchor)] if b.anchor else []
        lines.append("| " + " | ".join(_text(c) for c in b.columns) + " |")
        lines.append("|" + "---|" * len(b.columns))
        for i, row in enumerate(b.rows):
            cells = [inline(c, in_table=True) for c in row]
            if b.row_anchors:
                cells[0] = _anchor(b.row_anchors[i]) + cells[0]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)
    if isinstance(b, Items):
        return "\n".join(f"- {inline(i)}" for i in b.items)
    if isinstance(b, Fields):
        return _fields(b, 0)
    if isinstance(b, Warn):
        return f"> **Warning:** {inline(b.content)}"
    if isinstance(b, Figure):
        return (f"{_anchor(b.anchor)}\n![{_text(b.title)}]({figure_dir}/{b.anchor}.png)\n\n"
                f"*{_text(b.title)}.* {_text(b.caption)}")
    if isinstance(b, Pre):
        fence = "````" if "```" in b.text else "```"
        return f"{_anchor(b.anchor)}\n{fence}\n{b.text}\n{fence}"
    if isinstance(b, Missing):
        why = f" ({_text(b.reason)})" if b.reason else ""
        return f"> **Missing:** {_text(b.what)}{why}. Produce it with {_code(b.command)}."
    if isinstance(b, Details):
        inner = "\n\n".join(block(x, figure_dir) for x in b.blocks)
        return f"<details>{_anchor(b.anchor)}<summary>{inline(b.summary)}</summary>\n\n{inner}\n\n</details>"
    raise TypeError(f"not a block: {type(b).__name__}")


def _fields(f: Fields, depth: int) -> str:
    lines = []
    for k, v in f.items:
        pad = "  " * depth
        if isinstance(v, Fields):
            lines += [f"{pad}- **{_text(k)}**:", _fields(v, depth + 1)]
        else:
            lines.append(f"{pad}- **{_text(k)}**: {inline(v, in_table=True)}")
    return "\n".join(lines)


def render(report: Report, figure_dir: str) -> str:
    """Markdown text; figures are expected at ``figure_dir/<anchor>.png`` relative to the file."""
    out = [f"# {_text(report.title)}", "", f"*{_text(report.subtitle)}*", "",
           " · ".join(f"[{_text(s.title)}](#{s.anchor})" for s in report.sections), ""]
    for s in report.sections:
        out += [f"## {_anchor(s.anchor)}{_text(s.title)}", ""]
        for b in s.blocks:
            out += [block(b, figure_dir), ""]
    return "\n".join(out)


def figure_files(report: Report) -> dict[str, bytes]:
    """``{"<anchor>.png": png bytes}`` for every figure of the report."""
    return {f"{f.anchor}.png": f.png for f in report.figures()}

