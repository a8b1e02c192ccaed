"""Rendering shared by the CLI commands and the report: verdict styles, maths as clean Unicode
infix (``8K·Q^(9/4)·exp(-min(Q^(3/4)/256, √Q·c/5))``, never ``**``, ``Min(`` or ``sqrt(``), maths
as presentation MathML for the report, and replay commands resolved against a results folder.

Text from claims and results is never treated as rich markup: every function that feeds the
terminal returns :class:`rich.text.Text`. Strings from result files are only rewritten
lexically (:func:`text`); nothing read from a file is parsed as an expression.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from rich.console import Console
from rich.text import Text

from .verdicts import Verdict

STYLE = {
    Verdict.PROVED.value: "bold green",
    Verdict.REFUTED.value: "bold red",
    Verdict.NO_COUNTEREXAMPLE.value: "green",
    Verdict.VACUOUS.value: "magenta",
    Verdict.UNDECIDED.value: "yellow",
    Verdict.ERROR.value: "bold white on red",
}


def verdict(text: str) -> str:
    """A verdict as rich markup in its colour (for a verdict only: other text is not escaped)."""
    return f"[{STYLE.get(text, 'white')}]{text}[/]"


def verdict_text(text: str) -> Text:
    """A verdict in its colour, as a Text (nothing in it is read as markup)."""
    return Text(text, style=STYLE.get(text, "white"))


FULL_PROFILES = ("ci", "thorough")  # the budgets the documented verdicts come from; smaller ones are flagged

_FUNCS = {"Min": "min", "Max": "max", "Abs": "abs", "floor": "floor", "ceiling": "ceil"}
_WORDS = {"oo": "∞", "pi": "π"}
_NUMBER = r"(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?)"


def _closing(s: str, i: int) -> int:
    """Index of the parenthesis closing the one at ``s[i]`` (or -1)."""
    depth = 0
    for j in range(i, len(s)):
        depth += {"(": 1, ")": -1}.get(s[j], 0)
        if depth == 0:
            return j
    return -1


def _roots(s: str) -> str:
    out, i = [], 0
    for m in re.finditer(r"\bsqrt\(", s):
        if m.start() < i:
            continue
        open_at = m.end() - 1
        close = _closing(s, open_at)
        if close < 0:
            break
        arg = _roots(s[open_at + 1:close])
        simple = re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*|" + _NUMBER, arg)
        out += [s[i:m.start()], "√" + (arg if simple else f"({arg})")]
        i = close + 1
    return "".join(out) + s[i:]


def text(s: str) -> str:
    """A sympy-printed string (or prose that contains some) as clean infix: ``**`` -> ``^``,
    ``sqrt(Q)`` -> ``√Q``, ``Min`` -> ``min``, ``oo`` -> ``∞``, ``>=`` -> ``≥``, ``*`` -> ``·``
    (dropped between a number and a name: ``32*sqrt(Q)`` -> ``32√Q``). Purely lexical."""
    s = s.replace("**", "^")
    s = _roots(s)
    for name, new in _FUNCS.items():
        s = re.sub(rf"\b{name}\(", new + "(", s)
    for word, new in _WORDS.items():
        s = re.sub(rf"(?<![A-Za-z_0-9.]){word}(?![A-Za-z_0-9])", new, s)
    s = s.replace(">=", "≥").replace("<=", "≤").replace("!=", "≠")
    s = re.sub(r"(?<![\^\w.])(\d+(?:\.\d+)?)\*(?=[A-Za-z√(])", r"\1", s)
    s = re.sub(r"(?<=[\w)∞π])\*(?=[\w(√π])", "·", s)
    return s


def infix(expr) -> str:
    """A sympy expression or relation as one line of clean infix (see :func:`text`)."""
    if isinstance(expr, str):
        return expr
    from sympy import sstr

    return text(sstr(expr, order="none"))


def math(expr) -> Text:
    """Maths for the terminal: one line of infix, which wraps at any width."""
    return Text(infix(expr))


def mathml(expr) -> str:
    """A sympy expression or relation as presentation MathML (a ``<math>`` element)."""
    from sympy.printing.mathml import mathml as to_mathml

    inner = to_mathml(expr, printer="presentation")
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">{inner}</math>'


def result_path(recorded: str, results_dir: str | Path) -> Path:
    """A path recorded in a results file: relative paths are relative to the results folder."""
    p = Path(recorded)
    return p if p.is_absolute() else Path(results_dir) / p


def replay_command(entry: dict, results_dir: str | Path) -> str | None:
    """The command that re-runs an entry's saved counterexample, from the current directory."""
    if not entry.get("counterexample"):
        return None
    return shlex.join(["dpoverify", "replay", str(result_path(entry["counterexample"], results_dir))])


def wrapped(console: Console, body: Text, indent: int = 0, head: Text | None = None) -> None:
    """Print ``body`` wrapped at word boundaries to the console's width, every line indented by
    ``indent`` (after ``head`` on the first line, which is padded to the indent: a hanging
    indent). No trailing spaces; a word longer than the line is folded rather than overflow."""
    width = max(console.width - indent, 20)
    lines = body.wrap(console, width, overflow="fold") if body.plain else [Text("")]
    for i, line in enumerate(lines):
        line.rstrip()
        if i == 0 and head is not None:
            prefix = head.copy()
            prefix.append(" " * max(indent - len(head.plain), 1))
        else:
            prefix = Text(" " * indent)
        console.print(Text.assemble(prefix, line), soft_wrap=True)


def claim_reason(c: dict) -> str:
    """The claim's one-phrase reason: its stored summary, else the step that decided its verdict."""
    if c.get("summary"):  # printed after the verdict: no "REFUTED: "/"HOLDS: " lead-in again
        return text(re.sub(rf"^(REFUTED|HOLDS|VACUOUS|UNDECIDED): |^{re.escape(c['verdict'])} (?=for )", "",
                           c["summary"]))
    obs = c["obligations"]
    count = {v: sum(o["verdict"] == v for o in obs) for v in {o["verdict"] for o in obs}}
    if c["verdict"] == Verdict.PROVED.value:
        return f"all {len(obs)} steps proved"
    if c["verdict"] == Verdict.NO_COUNTEREXAMPLE.value:
        proved = count.get(Verdict.PROVED.value, 0)
        return (f"no counterexample in {count[c['verdict']]} searched step(s)"
                + (f", {proved} proved" if proved else ""))
    decided = [o["id"] for o in obs if o["verdict"] == c["verdict"]]
    if not decided:
        return f"{len(obs)} steps"
    return f"{c['verdict'].lower()}: {decided[0]}" + (f" (+{len(decided) - 1} more)" if len(decided) > 1 else "")
