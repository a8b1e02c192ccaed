"""The claim model: how one result of the paper is stated as data for the engines.

A :class:`Claim` (``theorem-4.3``, ``lemma-b.1``, ``eq-5``, ...) carries its source in the paper,
its parameters in the paper's notation with their domains, its hypotheses and conclusions as
sympy relations, the claims it depends on, and its *obligations*: the checks whose verdicts make
up the claim's verdict. An obligation is one of four kinds (:class:`Kind`) and holds a *spec*,
an object naming the engine that decides it (``spec.ENGINE``, a module with ``run(spec, ctx)``
and ``replay(spec, counterexample, ctx)``). Engines know nothing of particular theorems; theorem
modules in ``theorems/`` know nothing of how engines decide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, ClassVar

import sympy as sp

class Kind(str, Enum):
    SYMBOLIC = "symbolic"  # a proof step, decided over its whole hypothesis domain
    CONSISTENCY = "consistency"  # a main-text statement against its appendix version
    SIMULATION = "simulation"  # a property checked against the simulator / autodiff
    EMPIRICAL = "empirical"  # an audit on real models and data (gpu_checks)


class DomainError(ValueError):
    """A parameter value outside its domain, or one that is not a finite number."""


@dataclass(frozen=True)
class Domain:
    """A parameter's domain: an interval of the reals (ends may be infinite), optionally integers."""

    lo: Any = -sp.oo
    hi: Any = sp.oo
    lo_closed: bool = True
    hi_closed: bool = True
    integer: bool = False

    def __post_init__(self) -> None:
        for end in ("lo", "hi"):
            v = getattr(self, end)
            exact = sp.Rational(repr(v)) if isinstance(v, float) else sp.sympify(v)
            object.__setattr__(self, end, exact)

    def contains(self, value: Any) -> bool:
        x = sp.sympify(value)
        if not x.is_finite or not x.is_real:
            return False
        if self.integer and not x.is_integer:
            return False
        if self.lo.is_finite and not (x >= self.lo if self.lo_closed else x > self.lo):
            return False
        if self.hi.is_finite and not (x <= self.hi if self.hi_closed else x < self.hi):
            return False
        return True

    @property
    def bounded(self) -> bool:
        return bool(self.lo.is_finite and self.hi.is_finite)

    def __str__(self) -> str:
        lb = "[" if (self.lo_closed and self.lo.is_finite) else "("
        rb = "]" if (self.hi_closed and self.hi.is_finite) else ")"
        lo = "-∞" if self.lo == -sp.oo else str(self.lo)
        hi = "∞" if self.hi == sp.oo else str(self.hi)
        kind = "integers in " if self.integer else ""
        return f"{kind}{lb}{lo}, {hi}{rb}"


PARAM_MAX_LENGTH = 100  # characters of a --param value
PARAM_MAX_DIGITS = 100  # significant digits of its numerator and of its denominator
PARAM_MAX_EXPONENT = 100  # |e| of a decimal exponent (1e-100 .. 1e100)


def parse_value(text: str) -> sp.Rational:
    """Parse a user-given number exactly ('1/4', '0.25', '1e-3', '880', '-2'); reject NaN/inf,
    garbage and sizes beyond the limits above, all checked before any number is built."""
    from .safe_expr import ExpressionError, number_literal

    t = text.strip()
    usage = "use e.g. 880, 0.25, 1/4, 1e-3"
    if len(t) > PARAM_MAX_LENGTH:
        raise DomainError(f"a number of {len(t)} characters is too long (at most {PARAM_MAX_LENGTH})")
    num, slash, den = t.partition("/")
    sign = -1 if num.startswith("-") else 1
    num = num[1:] if num[:1] in "+-" else num
    try:
        value = Fraction(number_literal(num, PARAM_MAX_DIGITS, PARAM_MAX_EXPONENT)) * sign
        if slash:
            d = number_literal(den, PARAM_MAX_DIGITS, PARAM_MAX_EXPONENT)
            if d == 0:
                raise DomainError(f"'{text}': division by zero")
            value /= d
    except ExpressionError as exc:
        msg = str(exc)
        if "is not a number" in msg:
            raise DomainError(f"'{text}' is not a finite number ({usage})") from None
        raise DomainError(f"{msg} ({usage})") from None
    return sp.Rational(value.numerator, value.denominator)


@dataclass(frozen=True)
class Definition:
    """A parameter the setting fixes in terms of others, e.g. N = 2KQ: ``expr`` over ``params``.

    The defining parameters' domains must imply the defined parameter's domain (2KQ >= 2)."""

    expr: Any
    params: tuple["Param", ...]
    text: str


@dataclass(frozen=True)
class Param:
    """A parameter in the paper's notation, e.g. ``Param("l_b", Domain(1/4, 1/2), "norm of the shared component b")``.

    A parameter with a ``definition`` (N = 2KQ) is replaced by it in every :class:`Implication`, so
    no counterexample can pick values the setting cannot produce (N = 2 with Q = 4)."""

    name: str
    domain: Domain
    doc: str = ""
    display: str = ""  # unicode form shown to readers, e.g. "β"; defaults to name
    definition: Definition | None = None

    @property
    def symbol(self) -> sp.Symbol:
        return symbol(self.name)

    @property
    def label(self) -> str:
        return self.display or self.name

    def restrict(self, **kw: Any) -> "Param":
        """The same parameter with a narrower domain (``restrict(lo=40)``)."""
        d = self.domain
        new = Domain(
            kw.get("lo", d.lo), kw.get("hi", d.hi), kw.get("lo_closed", d.lo_closed),
            kw.get("hi_closed", d.hi_closed), kw.get("integer", d.integer),
        )
        return Param(self.name, new, self.doc, self.display, self.definition)


def symbol(name: str) -> sp.Symbol:
    """The sympy symbol for a parameter name; all parameters of the paper are real."""
    return sp.Symbol(name, real=True)


@dataclass(frozen=True)
class Source:
    """Where a claim or step is printed: section, equation numbers, paper version (left empty, the
    version of the pack's :class:`~dpoverify.packs.Paper` when the pack loads)."""

    section: str
    equations: tuple[str, ...] = ()
    version: str = ""

    def __str__(self) -> str:
        eqs = f", eqs. {', '.join(self.equations)}" if self.equations else ""
        return ", ".join(x for x in (self.version, self.section) if x) + eqs


@dataclass(frozen=True)
class Statement:
    """A labelled hypothesis or conclusion: a sympy relation (or expression) plus the printed text."""

    label: str
    expr: Any
    text: str = ""


@dataclass(frozen=True)
class Implication:
    """Symbolic spec: for all ``variables`` in their domains, ``assumptions`` imply ``goal``.

    ``goal`` is a sympy relation (``<=``, ``<``, ``Eq``) or an ``And``/``Or`` of them. Where
    ``vacuous_when`` holds the statement asserts nothing (a failure probability >= 1, an error
    bound >= 1); the prover reports that region as VACUOUS instead of proving or refuting there.
    ``substitutions`` records, for a consistency obligation, the substitutions the paper names
    (already applied to ``goal``; kept for display). A variable with a :class:`Definition`
    (N = 2KQ) is replaced by its definition here, its defining parameters join the variables,
    and the substitution is recorded.
    """

    ENGINE: ClassVar[str] = "dpoverify.prover"
    variables: tuple[Param, ...]
    assumptions: tuple[Any, ...]
    goal: Any
    vacuous_when: Any = None
    substitutions: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        defined = [p for p in self.variables if p.definition is not None]
        if not defined:
            return
        subs = {p.symbol: p.definition.expr for p in defined}
        names = {p.name for p in self.variables}
        variables = [p for p in self.variables if p.definition is None]
        for p in defined:
            variables += [q for q in p.definition.params if q.name not in names]
            names |= {q.name for q in p.definition.params}
        put = object.__setattr__
        put(self, "variables", tuple(variables))
        put(self, "assumptions", tuple(sp.sympify(a).xreplace(subs) for a in self.assumptions))
        put(self, "goal", sp.sympify(self.goal).xreplace(subs))
        if self.vacuous_when is not None:
            put(self, "vacuous_when", sp.sympify(self.vacuous_when).xreplace(subs))
        put(self, "substitutions", tuple(self.substitutions) + tuple(
            (p.name, p.definition.text) for p in defined if p.name not in dict(self.substitutions)))


def symbolic(oid: str, title: str, cites: str, variables, assumptions, goal, note: str = "",
             vacuous_when=None, kind: "Kind" = Kind.SYMBOLIC, substitutions=(), choices=(), role: str = "",
             refuted_means: str = "", region_of=()) -> "Obligation":
    """An obligation decided by the prover: for all ``variables``, ``assumptions`` imply ``goal``.
    ``choices``: what the encoder chose that the verdict rests on (shown with the result); ``role``
    and ``refuted_means``: see :class:`Obligation`. A title starting with "correction" gets the
    role "correction".

    >>> x = Param("x", Domain(0, 1))
    >>> symbolic("square", "x^2 <= x on [0, 1]", "eq. 1", [x], [], x.symbol**2 <= x.symbol).spec.ENGINE
    'dpoverify.prover'
    """
    if not role and title.startswith("correction"):
        role = "correction"
    return Obligation(oid, kind, title, cites,
                      Implication(tuple(variables), tuple(assumptions), goal, vacuous_when, tuple(substitutions)),
                      note, tuple(choices), role, refuted_means, tuple(region_of))


@dataclass(frozen=True)
class Obligation:
    """One check of a claim: a proof step, a consistency check, a simulated or empirical property."""

    id: str
    kind: Kind
    title: str
    cites: str
    spec: Any
    note: str = ""
    # choices the encoder made that the verdict rests on (a constant, a tail bound, a reading of a
    # definition the paper leaves open); shown with the result as ``encoding_choices``
    choices: tuple[str, ...] = ()
    # what the obligation is for a claim summary (dpoverify.summary): "" a step or consistency check;
    # "correction" a corrected version of a refuted step; "vacuity" PROVED means the claim asserts
    # nothing on this obligation's domain; "gap" PROVED means the main text does not follow from the
    # appendix on this obligation's domain and asserts nothing there
    role: str = ""
    refuted_means: str = ""  # a few words saying what a REFUTED verdict means (for the claim summary)
    region_of: tuple[str, ...] = ()  # "vacuity"/"gap": the variables whose domains make up the region

    def shown(self) -> dict[str, Any]:
        """The fields shown with the obligation's result in check.json (only those that are set)."""
        out: dict[str, Any] = {}
        if self.choices:
            out["encoding_choices"] = list(self.choices)
        if self.role:
            out["role"] = self.role
        if self.refuted_means:
            out["refuted_means"] = self.refuted_means
        if self.region_of:
            out["region_of"] = list(self.region_of)
        return out


@dataclass(frozen=True)
class Claim:
    """A numbered result of the paper, its statement as data and its obligations."""

    id: str
    title: str
    source: Source
    statement: str
    params: tuple[Param, ...] = ()
    hypotheses: tuple[Statement, ...] = ()
    conclusions: tuple[Statement, ...] = ()
    depends_on: tuple[str, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    notes: str = ""
    module: str = field(default="", compare=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def obligation(self, oid: str) -> Obligation:
        for o in self.obligations:
            if o.id == oid:
                return o
        raise KeyError(oid)
