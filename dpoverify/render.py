"""Terminal rendering shared by the CLI commands: verdict colours and math as unicode."""
from __future__ import annotations

import sympy as sp

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
    return f"[{STYLE.get(text, 'white')}]{text}[/]"


def math(expr) -> str:
    """A sympy expression or relation as multi-line unicode math (rich markup escaped)."""
    if isinstance(expr, str):
        return expr
    return sp.pretty(expr, use_unicode=True, wrap_line=False).replace("[", r"\[")
