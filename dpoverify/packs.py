"""Claim packs: where claims come from.

A *pack* is a Python package, a folder of modules or a single ``.py`` file that states claims
(each module defines ``CLAIM`` or ``CLAIMS``, as in ``theorems/``) and names its paper with a
module-level ``PACK = dpoverify.Pack(...)`` (in the package's ``__init__.py``, or in one module
of a plain folder, or in the file itself). Packs are found

* through the entry-point group ``dpoverify.claims`` (an installed distribution declares
  ``[project.entry-points."dpoverify.claims"] NAME = "package"``; this paper's ``theorems``
  package is found this way), or
* through ``--claims PATH`` on the command line (a folder or a ``.py`` file), which replaces the
  installed packs for that run.

Every claim is validated when its pack loads (:func:`validate_claim`): an unknown observable, loss,
quantity or engine, a regime key that is no parameter of the claim, a horizon or failure
probability in names the regime does not give, a goal in names that are no variables of the step
all raise :class:`PackError` naming the file, the claim, the obligation and the field.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import sys
import types
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from .claims import Claim, Implication
from .errors import UsageError

ENTRY_POINT_GROUP = "dpoverify.claims"
CLAIM_ID = re.compile(r"[a-z0-9]+(-[a-z0-9.]+)+")  # as the result schema (schemas/check-1.json) requires


class PackError(UsageError):
    """A pack that cannot be loaded: no PACK, a duplicate id, an invalid spec (exit 2)."""


@dataclass(frozen=True)
class Paper:
    """The paper a pack checks: ``Paper("Can DPO Learn ...", "arXiv 2408.03459v5",
    "https://arxiv.org/abs/2408.03459v5", "Im & Li, NeurIPS 2025")``.

    >>> str(Paper("A title", "arXiv 0000.00000v1", citation="Doe, 2025"))
    'arXiv 0000.00000v1 (Doe, 2025)'
    """

    title: str
    version: str = ""
    url: str = ""
    citation: str = ""  # short form shown next to the version, e.g. "Im & Li, NeurIPS 2025"

    def __str__(self) -> str:
        head = self.version or self.title
        return f"{head} ({self.citation})" if self.citation else head


@dataclass(frozen=True)
class Pack:
    """A pack's declaration: its name, its paper, and optionally

    sort_key        claim id -> sort key (default: natural order of the ids, "lemma-2" < "lemma-10");
    report_sections report sections that belong to this paper ("trajectories", "scaling", "audit"):
                    the report shows them only when a loaded pack asks for them;
    notes           a sentence or two the report shows after the paper's title.
    """

    name: str
    paper: Paper
    sort_key: Callable[[str], Any] | None = None
    report_sections: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class LoadedPack:
    """A pack with its claims (ids in the pack's order) and where it came from."""

    pack: Pack
    origin: str  # "entry point theorems" or the path given
    location: str  # the folder or file the modules live in
    claims: dict[str, Claim] = field(default_factory=dict)


def natural_key(claim_id: str):
    """Natural order: digit runs compare as numbers ("step-2" < "step-10")."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", claim_id) if p]


# ---------------------------------------------------------------- loading
def _claims_of(mod: types.ModuleType) -> list[Claim]:
    claims = list(getattr(mod, "CLAIMS", ()))
    if hasattr(mod, "CLAIM"):
        claims.append(mod.CLAIM)
    return claims


def _modules(pkg: types.ModuleType) -> list[types.ModuleType]:
    """The package's public modules (names not starting with '_'), or the module itself."""
    if not hasattr(pkg, "__path__"):
        return [pkg]
    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{pkg.__name__}.{info.name}"))
    return mods


def _file(mod: types.ModuleType) -> str:
    return getattr(mod, "__file__", None) or mod.__name__


def from_module(pkg: types.ModuleType, origin: str) -> LoadedPack:
    """Load the pack a package (or module) declares: its ``PACK`` and every claim of its modules."""
    mods = _modules(pkg)
    declared = [m for m in [pkg, *mods] if isinstance(getattr(m, "PACK", None), Pack)]
    declared = list({id(m.PACK): m for m in declared}.values())  # a module importing PACK is no second one
    where = next(iter(getattr(pkg, "__path__", None) or []), None) or _file(pkg)
    if not declared:
        raise PackError(f"{where}: declares no PACK (add `PACK = dpoverify.Pack(name, dpoverify.Paper(title, "
                        f"version, url))` to its __init__.py or to one module)")
    if len(declared) > 1:
        raise PackError(f"{where}: PACK declared in several modules ({', '.join(m.__name__ for m in declared)})")
    pack = declared[0].PACK
    found: dict[str, Claim] = {}
    for mod in mods:
        for c in _claims_of(mod):
            if not isinstance(c, Claim):
                raise PackError(f"{_file(mod)}: CLAIM/CLAIMS holds {type(c).__name__}, not a dpoverify.Claim")
            validate_claim(c, _file(mod))
            if c.id in found:
                raise PackError(f"pack {pack.name}: claim id {c.id} defined twice "
                                f"({found[c.id].module}, {mod.__name__})")
            source = c.source if c.source.version else replace(c.source, version=pack.paper.version)
            found[c.id] = replace(c, module=mod.__name__, source=source)
    key = pack.sort_key or natural_key
    ordered = dict(sorted(found.items(), key=lambda kv: key(kv[0])))
    return LoadedPack(pack, origin, str(where), ordered)


def _import_file(name: str, path: Path, package: bool) -> types.ModuleType:
    """Import ``path`` (a module file, or a package's ``__init__.py``) as module ``name``."""
    existing = sys.modules.get(name)
    if existing is not None:
        here = Path(getattr(existing, "__file__", None) or "").resolve()
        if here == path.resolve():
            return existing
        raise PackError(f"{path}: module name '{name}' is already taken by {here or 'a built-in module'}; "
                        f"rename the {'folder' if package else 'file'}")
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(path.parent)] if package else None)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[name]
        raise
    return mod


def load_path(path: str | Path) -> LoadedPack:
    """Load a pack from a folder (a package, or a plain folder of modules) or a ``.py`` file.

    The module names are the folder's (or file's) name, so ``list`` shows ``FOLDER/module.py``.
    Errors (missing path, no PACK, invalid spec, exception while importing) raise PackError.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise PackError(f"--claims {path}: no such file or folder")
    if p.is_file() and p.suffix != ".py":
        raise PackError(f"--claims {path}: not a folder or a .py file")
    name = (p.stem if p.is_file() else p.resolve().name).replace("-", "_")
    if not name.isidentifier():
        raise PackError(f"--claims {path}: '{name}' is not a valid module name; rename it")
    try:
        if p.is_file():
            mod = _import_file(name, p, package=False)
        elif (p / "__init__.py").is_file():
            mod = _import_file(name, p / "__init__.py", package=True)
        else:
            mod = sys.modules.get(name)
            if mod is None or list(getattr(mod, "__path__", [])) != [str(p.resolve())]:
                if mod is not None:
                    raise PackError(f"{p}: module name '{name}' is already taken; rename the folder")
                mod = types.ModuleType(name, f"claim pack folder {p}")
                mod.__path__ = [str(p.resolve())]
                sys.modules[name] = mod
        return from_module(mod, str(path))
    except PackError:
        raise
    except Exception as exc:
        raise PackError(f"--claims {path}: importing the pack failed: {type(exc).__name__}: {exc}") from exc


def installed() -> list[LoadedPack]:
    """Every pack registered under the entry-point group ``dpoverify.claims``."""
    eps = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    if not eps:
        raise PackError(f"no claim pack is installed (the entry-point group {ENTRY_POINT_GROUP} is empty: "
                        f"reinstall dpoverify with `pip install -e .`, or give --claims PATH)")
    out = []
    for ep in {e.name: e for e in eps}.values():
        try:
            mod = ep.load()
            if not isinstance(mod, types.ModuleType):
                raise PackError(f"installed pack {ep.name}: entry point {ep.value} must name a module or package")
            out.append(from_module(mod, f"entry point {ep.name}"))
        except PackError:
            raise
        except Exception as exc:
            raise PackError(f"installed pack {ep.name} ({ep.value}): importing it failed: "
                            f"{type(exc).__name__}: {exc}") from exc
    return out


def merge(packs: list[LoadedPack]) -> dict[str, Claim]:
    """All claims, pack by pack; an id in two packs is one PackError naming both."""
    out: dict[str, Claim] = {}
    owner: dict[str, LoadedPack] = {}
    for lp in packs:
        for cid, c in lp.claims.items():
            if cid in out:
                raise PackError(f"claim id {cid} is in two packs: {owner[cid].pack.name} ({owner[cid].origin}) "
                                f"and {lp.pack.name} ({lp.origin}); load one of them")
            out[cid] = c
            owner[cid] = lp
    return out


# ---------------------------------------------------------------- validation
def _names(expr: Any) -> set[str]:
    """Names in an expression given as sympy or as text (pack code, not user input)."""
    if expr is None:
        return set()
    if isinstance(expr, str):  # read by the closed grammar, every name in the text a symbol
        from . import safe_expr

        names = set(safe_expr._NAME.findall(expr)) - set(safe_expr.FUNCTIONS) - set(safe_expr.CONSTANTS)
        expr = safe_expr.value(expr, names)
    free = getattr(expr, "free_symbols", None)
    return {s.name for s in free} if free else set()


def validate_claim(claim: Claim, file: str) -> None:
    """Raise PackError for the first malformed field of ``claim`` (see the module docstring)."""
    def fail(where: str, message: str):
        raise PackError(f"{file}: claim {claim.id}, {where}: {message}")

    if not CLAIM_ID.fullmatch(claim.id):
        fail("field 'id'", f"{claim.id!r} is not a claim id: lower-case words joined by '-', the later "
                           f"ones may hold '.' (e.g. 'lemma-2.1', 'ipo-flow')")
    seen = set()
    params = {p.name for p in claim.params}
    for ob in claim.obligations:
        where = f"obligation {ob.id}"
        if ob.id in seen:
            fail(where, "obligation id used twice")
        seen.add(ob.id)
        engine = getattr(ob.spec, "ENGINE", None)
        if not isinstance(engine, str):
            fail(f"{where}, field 'spec'", f"{type(ob.spec).__name__} has no ENGINE (the engine module's name)")
        try:
            for problem in _problems(ob.spec, params):
                fail(f"{where}, field '{problem[0]}'", problem[1])
        except PackError:
            raise
        except Exception as exc:
            fail(f"{where}, field 'spec'", f"{type(exc).__name__}: {exc}")


def _problems(spec, params: set[str]):
    """(field, message) for what is wrong with ``spec``; empty when it is well formed."""
    from .specs import GradientIdentity, SimulationProperty

    if isinstance(spec, Implication):
        variables = {p.name: p.symbol for p in spec.variables}
        for name, expr in (("goal", spec.goal), ("assumptions", spec.assumptions),
                           ("vacuous_when", spec.vacuous_when)):
            exprs = expr if isinstance(expr, tuple) else (expr,)
            symbols = set().union(*(getattr(e, "free_symbols", set()) for e in exprs))
            extra = {s.name for s in symbols} - set(variables)
            if extra:
                yield name, f"uses {', '.join(sorted(extra))}, which are not among the step's variables " \
                            f"({', '.join(sorted(variables)) or 'none'})"
            odd = sorted(s.name for s in symbols if s.name in variables and s != variables[s.name])
            if odd:
                yield name, f"symbol {', '.join(odd)} is not the parameter's symbol (other assumptions); " \
                            f"write it as Param.symbol or dpoverify.symbol(name)"
        return
    if isinstance(spec, SimulationProperty):
        from .fuzzing.observables import FIELDS, OBSERVABLES
        from .simulator.losses import LOSSES

        if spec.observable not in OBSERVABLES:
            yield "observable", f"unknown observable {spec.observable!r} (known: {', '.join(OBSERVABLES)})"
            return
        if spec.loss not in LOSSES:
            yield "loss", f"unknown loss {spec.loss!r} (known: {', '.join(LOSSES)})"
        regime = set(spec.regime)
        stray = regime - params - set(FIELDS[spec.observable])
        if stray:
            yield "regime", f"keys {', '.join(sorted(stray))} are neither parameters of the claim " \
                            f"({', '.join(sorted(params)) or 'none'}) nor read by the observable " \
                            f"{spec.observable} ({', '.join(FIELDS[spec.observable]) or 'nothing else'})"
        known = regime | params
        for key, value in spec.regime.items():
            extra = _names(value) - known
            if extra:
                yield "regime", f"{key} = {value} uses {', '.join(sorted(extra))}, which neither the regime " \
                                f"nor the claim's parameters give"
        for name in ("horizon", "failure_probability"):
            extra = _names(getattr(spec, name)) - known - {"t"}
            if extra:
                yield name, f"uses {', '.join(sorted(extra))}, which neither the regime nor the claim's " \
                            f"parameters give"
        if not callable(spec.check):
            yield "check", "must be a function check(observation, params) -> (holds, slack, detail)"
        return
    if isinstance(spec, GradientIdentity):
        from .gradcheck import _check
        from .simulator.losses import LOSSES

        try:
            _check(spec)
        except ValueError as exc:
            yield ("model" if "model" in str(exc) else "quantity"), str(exc)
        if spec.loss not in LOSSES:
            yield "loss", f"unknown loss {spec.loss!r} (known: {', '.join(LOSSES)})"
        return
    if spec.ENGINE.startswith(("dpoverify.", "gpu_checks.")):
        return  # a built-in engine checks its own spec when it runs (EmpiricalAudit)
    try:
        engine = importlib.import_module(spec.ENGINE)
    except ImportError as exc:
        yield "spec", f"engine module {spec.ENGINE!r} cannot be imported ({exc})"
        return
    for fn in ("run", "replay"):
        if not callable(getattr(engine, fn, None)):
            yield "spec", f"engine {spec.ENGINE} has no function {fn}(spec, ...)"
    check = getattr(engine, "validate", None)
    if callable(check):
        try:
            check(spec)
        except ValueError as exc:
            yield "spec", str(exc)
