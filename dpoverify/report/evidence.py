"""Evidence from a results file as a definition list (:class:`~dpoverify.report.doc.Fields`)
instead of a JSON dump: nested objects nest, short lists are joined, long ones are cut with a
count of what the JSON file still holds, and every string is shown as clean infix
(dpoverify.render.text: ``Q^(9/4)``, ``√Q``, ``min``, never ``**``). Strings are only rewritten
lexically; nothing read from the file is parsed."""
from __future__ import annotations

from typing import Any

from ..render import text
from .doc import Fields

MAX_ITEMS = 12  # list entries shown; the rest are counted
MAX_DEPTH = 4  # deeper structure is summarised
MAX_CHARS = 600  # a longer string is cut


def scalar(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, str):
        s = text(x)
        return s if len(s) <= MAX_CHARS else s[:MAX_CHARS] + f" … ({len(s) - MAX_CHARS} more characters in the file)"
    return str(x)


def _more(n: int) -> str:
    return f"… {n} more in the JSON file"


def value(x: Any, depth: int = 0):
    """Inline text or a nested Fields for one JSON value."""
    if isinstance(x, dict):
        if not x:
            return "—"
        if depth >= MAX_DEPTH:
            return f"({len(x)} fields, in the JSON file)"
        return fields(x, depth + 1)
    if isinstance(x, list):
        if not x:
            return "none"
        shown = x[:MAX_ITEMS]
        if all(not isinstance(i, (dict, list)) for i in shown):
            joined = ", ".join(scalar(i) for i in shown)
            return joined + (f", {_more(len(x) - len(shown))}" if len(x) > len(shown) else "")
        if depth >= MAX_DEPTH:
            return f"({len(x)} entries, in the JSON file)"
        items = tuple((f"[{i + 1}]", value(v, depth + 1)) for i, v in enumerate(shown))
        if len(x) > len(shown):
            items += (("…", _more(len(x) - len(shown))),)
        return Fields(items)
    return scalar(x)


def fields(evidence: dict, depth: int = 0) -> Fields:
    """A dict (an engine's evidence, a counterexample payload) as a definition list."""
    return Fields(tuple((str(k), value(v, depth)) for k, v in evidence.items()))
