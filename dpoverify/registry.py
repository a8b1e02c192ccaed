"""Finds every claim: the claims of the loaded packs (:mod:`dpoverify.packs`).

By default the packs are the installed ones (entry-point group ``dpoverify.claims``; this paper's
``theorems`` is one of them). :func:`use_paths` (the CLI's ``--claims PATH``) replaces them with
the packs at the given paths. Adding a claim is adding a module to a pack; no engine or CLI code
changes.
"""
from __future__ import annotations

import difflib
from functools import lru_cache

from . import packs as packs_mod
from .claims import Claim, Obligation


class UnknownClaim(KeyError):
    def __init__(self, claim_id: str, suggestions: list[str]):
        super().__init__(claim_id)
        self.claim_id = claim_id
        self.suggestions = suggestions

    def __str__(self) -> str:
        hint = f"; closest: {', '.join(self.suggestions)}" if self.suggestions else ""
        return f"unknown claim id '{self.claim_id}'{hint} (see `dpoverify list`)"


_paths: tuple[str, ...] = ()


def use_paths(paths) -> None:
    """Load the packs at ``paths`` (folders or .py files) instead of the installed ones; an empty
    list goes back to the installed packs."""
    global _paths
    _paths = tuple(str(p) for p in paths or ())
    loaded.cache_clear()
    all_claims.cache_clear()


def paths() -> tuple[str, ...]:
    """The pack paths in use (empty: the installed packs)."""
    return _paths


@lru_cache(maxsize=1)
def loaded() -> tuple[packs_mod.LoadedPack, ...]:
    """The packs in use, each once (a path given twice, or to the same folder, loads once)."""
    if not _paths:
        return tuple(packs_mod.installed())
    found: dict[str, packs_mod.LoadedPack] = {}
    for p in _paths:
        lp = packs_mod.load_path(p)
        found.setdefault(lp.location, lp)
    return tuple(found.values())


@lru_cache(maxsize=1)
def all_claims() -> dict[str, Claim]:
    """Every claim of the loaded packs, pack by pack in each pack's order."""
    return packs_mod.merge(list(loaded()))


def paper(claim_ids=None) -> str:
    """The paper(s) of the loaded packs (or of the packs holding ``claim_ids``), for titles and
    result documents: e.g. "arXiv 2408.03459v5 (Im & Li, NeurIPS 2025)"."""
    ids = set(claim_ids or ())
    use = [lp for lp in loaded() if not ids or ids & set(lp.claims)] or list(loaded())
    return "; ".join(dict.fromkeys(str(lp.pack.paper) for lp in use))


def report_sections() -> set[str]:
    """The paper-specific report sections some loaded pack asks for (see :class:`dpoverify.Pack`)."""
    return {s for lp in loaded() for s in lp.pack.report_sections}


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
