"""Dispatch from an obligation's spec to the engine that decides it.

An engine is a module (named by ``spec.ENGINE``) exposing

    run(spec, ctx: Context) -> verdicts.Result
    replay(spec, counterexample: dict, ctx: Context) -> verdicts.Result
    inputs(spec, ctx: Context) -> list[Path]     (optional: files ``run`` reads besides the code)

Engines never raise for a failed check: a refutation is a Result. Exceptions become ERROR.
The dispatcher times every run; a result's evidence carries no wall-clock time (a top-level
``"seconds"`` an engine reports is dropped here: the time goes to the document's timing block).
"""
from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import sympy as sp

from .profiles import Profile
from .verdicts import Result, Verdict


class EngineUnavailable(RuntimeError):
    """An engine's optional dependency is missing (e.g. torch without the ``audit`` extra)."""


@dataclass
class Context:
    """What every engine gets: the effort profile, the seed, parameters the user fixed
    (``--param``, exact rationals keyed by parameter name) and a progress callback."""

    profile: Profile
    seed: int = 0
    fixed: dict[str, sp.Rational] = field(default_factory=dict)
    results_dir: str | None = None  # where earlier runs (e.g. `dpoverify audit`) left results
    progress: Callable[[float], None] = lambda fraction: None


def _engine(spec: Any):
    return importlib.import_module(spec.ENGINE)


def run(spec: Any, ctx: Context) -> tuple[Result, float]:
    """Run the engine of ``spec``; returns the result and the seconds it took."""
    t0 = time.perf_counter()
    try:
        result = _engine(spec).run(spec, ctx)
    except EngineUnavailable as exc:
        result = Result(Verdict.UNDECIDED, f"engine unavailable: {exc}", {"reason": str(exc)})
    except Exception as exc:  # an engine bug or a numerical failure: never a silent pass
        result = Result(Verdict.ERROR, f"{type(exc).__name__}: {exc}",
                        {"traceback": traceback.format_exc(limit=8)})
    if isinstance(result.evidence, dict):
        result.evidence.pop("seconds", None)
    return result, time.perf_counter() - t0


def inputs(spec: Any, ctx: Context) -> list[Path]:
    """The files the engine of ``spec`` reads besides the code (none unless it says so)."""
    engine = _engine(spec)
    return [Path(p) for p in engine.inputs(spec, ctx)] if hasattr(engine, "inputs") else []


def replay(spec: Any, counterexample: dict, ctx: Context) -> Result:
    return _engine(spec).replay(spec, counterexample, ctx)
