"""Before any engine runs: does every obligation's engine accept these parameters?

An engine module may define ``admit(spec, ctx)``, raising ValueError with one line when it
cannot handle the context (a regime that needs more memory than the machine has, a fixed
parameter outside the obligation's own domain). :func:`admit` asks every selected obligation
and turns a refusal into a UsageError (exit 2) before anything is computed or written.
"""
from __future__ import annotations

import importlib

from . import engines
from .errors import UsageError


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{float(value):.6g}"


def admit(claims, ctx: engines.Context) -> None:
    for claim in claims:
        fixed = {k: v for k, v in ctx.fixed.items() if any(p.name == k for p in claim.params)}
        sub = engines.Context(ctx.profile, ctx.seed, fixed, ctx.results_dir)
        for ob in claim.obligations:
            for p in getattr(ob.spec, "variables", ()):  # a step stated on a narrower domain
                if p.name in fixed and not p.domain.contains(fixed[p.name]):
                    raise UsageError(f"--param {p.name}={_short(fixed[p.name])} is outside the domain of "
                                     f"{p.name} in {claim.id}/{ob.id}: {p.domain}")
            check = getattr(importlib.import_module(ob.spec.ENGINE), "admit", None)
            if check is None:
                continue
            try:
                check(ob.spec, sub)
            except ValueError as exc:
                raise UsageError(f"{claim.id}/{ob.id}: {exc}") from None
