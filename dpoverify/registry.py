"""Finds every claim: each module of the ``theorems`` package defines ``CLAIM`` (or ``CLAIMS``).

Adding a claim is adding a module; no engine or CLI code changes.
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from dataclasses import replace
from functools import lru_cache

from .claims import Claim, Obligation


class UnknownClaim(KeyError):
    def __init__(self, claim_id: str, suggestions: list[str]):
        super().__init__(claim_id)
        self.claim_id = claim_id
        self.suggestions = suggestions

    def __str__(self) -> str:
        hint = f"; closest: {', '.join(self.suggestions)}" if self.suggestions else ""
        return f"unknown claim id '{self.claim_id}'{hint} (see `dpoverify list`)"


def _sort_key(claim_id: str):
    """Paper order: numbered results first (lemma-4.1 < theorem-4.2 < theorem-4.3), then the
    section's other items (section-4.2.*, figure-4), then appendices (lemma-b.1 < ... < appendix-e.*)."""
    kind, _, rest = claim_id.partition("-")
    parts = [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", rest) if p]
    numbered = kind in ("lemma", "theorem", "definition")
    key = parts[:1] + ([] if numbered else [(2, "")]) + parts[1:]
    appendix = bool(parts) and parts[0][0] == 1 or kind == "appendix"
    return (appendix, key)


@lru_cache(maxsize=1)
def all_claims() -> dict[str, Claim]:
    import theorems

    found: dict[str, Claim] = {}
    for info in pkgutil.iter_modules(theorems.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"theorems.{info.name}")
        claims = list(getattr(mod, "CLAIMS", ()))
        if hasattr(mod, "CLAIM"):
            claims.append(mod.CLAIM)
        for c in claims:
            if c.id in found:
                raise RuntimeError(f"claim id {c.id} defined twice ({found[c.id].module}, {mod.__name__})")
            found[c.id] = replace(c, module=mod.__name__)
    return dict(sorted(found.items(), key=lambda kv: _sort_key(kv[0])))


def get(claim_id: str) -> Claim:
    claims = all_claims()
    key = claim_id.strip().lower()
    if key in claims:
        return claims[key]
    raise UnknownClaim(claim_id, difflib.get_close_matches(key, list(claims), n=3, cutoff=0.5))


def resolve(ids: list[str]) -> list[Claim]:
    """``["all"]`` is every claim; otherwise each id must exist (UnknownClaim names the closest)."""
    if any(i.lower() == "all" for i in ids):
        return list(all_claims().values())
    return [get(i) for i in ids]


def obligations(ids: list[str], *spec_types: type) -> list[tuple[Claim, Obligation]]:
    """(claim, obligation) for every obligation of the claims ``ids`` (see :func:`resolve`) whose
    spec is one of ``spec_types``."""
    return [(c, ob) for c in resolve(ids) for ob in c.obligations if isinstance(ob.spec, spec_types)]
