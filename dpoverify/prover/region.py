"""The region map: branch-and-bound leaves merged into few boxes per class, with measures.

Classes: proved (the goal certainly holds), refuted (hypotheses certainly hold and the goal
certainly fails), vacuous (the vacuity condition certainly holds), open (undecided within the
budget); the rest of the domain is outside the hypotheses. Measures are fractions of the domain
in each free variable's own scale: linear on a bounded domain, ``(x-a)/(1+x-a)`` on ``[a, oo)``
(so tails have finite measure), integers counted as unit cells.
"""
from __future__ import annotations

import math

from .problem import Var

CLASSES = ("proved", "refuted", "vacuous", "open")
MAX_LISTED = 12


def _flt(q) -> float:
    """float(q) for an fmpq of any size (+-inf beyond the float range)."""
    try:
        return int(q.p) / int(q.q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


def _t(v: Var, x) -> float:
    """Position of x in [0, 1] in v's scale (x None: the infinite end)."""
    lo, hi = v.lo, v.hi
    if lo is not None and hi is not None:
        width = _flt(hi - lo) + (1.0 if v.integer else 0.0)
        return _flt(x - lo) / width if width > 0 else 0.0
    if lo is not None:
        if x is None:
            return 1.0
        d = _flt(x - lo)
        return 1.0 if math.isinf(d) else d / (1.0 + d)
    if hi is not None:
        if x is None:
            return 0.0
        d = _flt(hi - x) + (1.0 if v.integer else 0.0)
        return 0.0 if math.isinf(d) else 1.0 - d / (1.0 + d)
    if x is None:
        return 0.0  # only used as a lower end here
    xf = _flt(x)
    return (1.0 if xf > 0 else 0.0) if math.isinf(xf) else 0.5 + xf / (2 * (1 + abs(xf)))


def measure(box: dict, vars_: dict) -> float:
    m = 1.0
    for n, (lo, hi) in box.items():
        v = vars_[n]
        if v.fixed or (v.lo is not None and v.lo == v.hi):
            continue
        hi_x = hi if hi is None or not v.integer else hi + 1
        a = 0.0 if lo is None else _t(v, lo)
        b = 1.0 if hi is None else _t(v, hi_x)
        m *= max(0.0, b - a)
    return m


def merge(boxes: list[dict], vars_: dict) -> list[dict]:
    """Merge boxes that agree on every variable but one and abut in that one."""
    boxes = [dict(b) for b in boxes]
    names = list(boxes[0]) if boxes else []
    changed = True
    while changed and len(boxes) > 1:
        changed = False
        for n in names:
            step = 1 if vars_[n].integer else 0
            groups: dict = {}
            for b in boxes:
                key = tuple((m, b[m]) for m in names if m != n)
                groups.setdefault(key, []).append(b)
            new = []
            for group in groups.values():
                group.sort(key=lambda b: (b[n][0] is not None, b[n][0] if b[n][0] is not None else 0))
                cur = group[0]
                for b in group[1:]:
                    clo, chi = cur[n]
                    blo, bhi = b[n]
                    if chi is not None and blo is not None and chi + step >= blo:
                        hi = None if (bhi is None) else (bhi if chi is None or bhi > chi else chi)
                        cur = dict(cur)
                        cur[n] = (clo, hi)
                        changed = True
                    else:
                        new.append(cur)
                        cur = b
                new.append(cur)
            boxes = new
    return boxes


def fmt_q(q) -> str:
    """Short human form of a rational: exact if small, else 6 significant digits."""
    if q is None:
        return "oo"
    s = str(q)
    if len(s) <= 12:
        return s
    return f"{_flt(q):.6g}"


def describe_box(box: dict, vars_: dict) -> str:
    """'Z=4, Q in [40, 87]': only the variables narrower than their domain."""
    parts = []
    for n, (lo, hi) in box.items():
        v = vars_[n]
        if lo == v.lo and hi == v.hi:
            continue
        if lo is not None and lo == hi:
            parts.append(f"{n}={fmt_q(lo)}")
        elif hi is None:
            parts.append(f"{n} >= {fmt_q(lo)}")
        elif lo is None:
            parts.append(f"{n} <= {fmt_q(hi)}")
        else:
            parts.append(f"{n} in [{fmt_q(lo)}, {fmt_q(hi)}]")
    return ", ".join(parts) if parts else "the whole domain"


def hull(boxes: list[dict]) -> dict:
    out = {}
    for b in boxes:
        for n, (lo, hi) in b.items():
            if n not in out:
                out[n] = (lo, hi)
            else:
                a, c = out[n]
                out[n] = (None if (a is None or lo is None) else min(a, lo),
                          None if (c is None or hi is None) else max(c, hi))
    return out


def _exact(box: dict) -> dict:
    return {n: [None if lo is None else str(lo), None if hi is None else str(hi)]
            for n, (lo, hi) in box.items()}


def region_map(outcome, vars_: dict, vacuous_text: str | None = None) -> dict:
    """Evidence dict: per class the box count, measure and the largest merged boxes (exact)."""
    doc: dict = {"measure_scale": "fraction of the domain per free variable: linear if bounded, "
                                  "(x-a)/(1+x-a) on [a, oo), integers as unit cells"}
    total = 0.0
    for c in CLASSES:
        leaves = getattr(outcome, c)
        ms = [measure(b, vars_) for b in leaves]
        total += sum(ms)
        merged = merge(leaves, vars_) if leaves else []
        merged.sort(key=lambda b: -measure(b, vars_))
        doc[c] = {
            "leaves": len(leaves),
            "measure": round(sum(ms), 6),
            "boxes": [_exact(b) for b in merged[:MAX_LISTED]],
            "boxes_not_listed": max(0, len(merged) - MAX_LISTED),
        }
        if merged:
            doc[c]["hull"] = describe_box(hull(merged), vars_)
    doc["outside_hypotheses"] = {"leaves": len(outcome.excluded), "measure": round(max(0.0, 1.0 - total), 6)}
    doc["summary"] = summary_line(doc, vacuous_text)
    return doc


def summary_line(doc: dict, vacuous_text: str | None) -> str:
    bits = []
    labels = {"proved": "holds (proved)", "refuted": "fails (certainly)",
              "vacuous": "vacuous", "open": "open"}
    for c in CLASSES:
        d = doc[c]
        if not d["leaves"]:
            continue
        where = d.get("hull", "")
        text = f"{labels[c]} on {100 * d['measure']:.3g}% of the domain"
        if where and where != "the whole domain":
            text += f" ({'within ' if len(d['boxes']) > 1 or d['boxes_not_listed'] else ''}{where})"
        if c == "vacuous" and vacuous_text:
            text += f" where {vacuous_text}"
        bits.append(text)
    out = doc["outside_hypotheses"]["measure"]
    if out > 0:
        bits.append(f"outside the hypotheses: {100 * out:.3g}%")
    return "; ".join(bits) if bits else "no boxes"
