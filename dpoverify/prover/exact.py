"""The exact stage: what sympy decides outright, and exact truth of a formula at a rational point.

Over the domain: identities (``simplify(lhs - rhs) == 0``), constant relations, signs sympy's
assumption system derives from the domain (``x**2 + y >= 0`` for y >= 0), and goal atoms that a
hypothesis implies outright (``g = h + (something >= 0)`` or ``g = (something > 0) * h``). At a point: the printed
relation is evaluated at exact rationals; a rational value decides exactly, a transcendental one
(exp, log, sqrt) by Arb at increasing precision until the sign is certain.
"""
from __future__ import annotations

import sympy as sp

from . import arb as A
from .problem import Atom, conjuncts, evaluate, substitute

PRECISIONS = (64, 128, 256, 512, 1024, 2048, 4096)


def sign_of_number(x: sp.Expr, max_prec: int = 4096):
    """Sign (-1, 0, 1) of a closed-form real number, or None if not certain.

    Rationals are exact; anything else is enclosed by Arb at increasing precision. A zero that
    is not syntactically rational is only accepted if sympy simplifies it to 0.
    """
    if x.is_Rational:
        return (x.p > 0) - (x.p < 0)
    try:
        f = A.compile_expr(x)
    except A.Unsupported:
        return None
    for p in PRECISIONS:
        if p > max_prec:
            break
        try:
            with A.precision(p):
                lo, hi = f({})
        except A.Undefined:
            return None
        if A._sign(lo) > 0:
            return 1
        if A._sign(hi) < 0:
            return -1
        if A._sign(lo) == 0 and A._sign(hi) == 0:
            return 0
    try:
        if sp.simplify(x) == 0:
            return 0
    except Exception:  # noqa: BLE001 - sympy simplification failure is just "unknown"
        pass
    return None


def _truth(rel: str, sign):
    if sign is None:
        return None
    return {">=": sign >= 0, ">": sign > 0, "==": sign == 0, "!=": sign != 0}[rel]


def atom_at(atom: Atom, point: dict, max_prec: int = 4096):
    """Exact truth of the printed atom at a rational point (name -> sympy Rational); None if
    undefined there or not decidable within ``max_prec`` bits."""
    sub = {s: point[s.name] for s in atom.orig.free_symbols}
    try:
        value = atom.orig.xreplace(sub)
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or value.has(sp.I):
            return None
    except (ZeroDivisionError, TypeError):
        return None
    if not value.is_number:
        return None
    return _truth(atom.rel, sign_of_number(value, max_prec))


def formula_at(t, point: dict, max_prec: int = 4096):
    return evaluate(t, lambda a: atom_at(a, point, max_prec))


def decide_atom(atom: Atom):
    """True/False if the atom holds/fails at every point of the domain (exactly), else the atom."""
    f = atom.orig
    if not f.free_symbols:
        v = _truth(atom.rel, sign_of_number(f))
        return atom if v is None else v
    form = atom.forms[0] if atom.forms else f
    if atom.rel in ("==", "!="):
        try:
            zero = sp.simplify(form) == 0
        except Exception:  # noqa: BLE001
            zero = False
        if zero:
            return atom.rel == "=="
        return atom
    if atom.rel == ">=":
        if form.is_nonnegative:
            return True
        if form.is_negative:
            return False
    else:
        if form.is_positive:
            return True
        if form.is_nonpositive:
            return False
    return atom


def simplify_formula(t):
    """The formula with every exactly decided atom replaced by its constant."""
    return substitute(t, decide_atom)


MAX_IMPLIES_OPS = 400


def _rational(expr: sp.Expr) -> bool:
    """A modest rational function (factor and cancel stay cheap on it)."""
    return (all(f.is_number for f in expr.atoms(sp.Function))  # log(3) is a constant
            and all(p.exp.is_Integer or p.is_number for p in expr.atoms(sp.Pow))
            and sp.count_ops(expr) <= MAX_IMPLIES_OPS)


def _domain_sign(expr: sp.Expr, domain: dict) -> int | None:
    """1 if expr > 0, 0 if expr >= 0 on the whole domain (one Arb enclosure of expr or of its
    factored form), else None."""
    cands = [expr]
    if _rational(expr):
        try:
            cands.append(sp.factor(expr))
        except (sp.PolynomialError, TypeError, ValueError):
            pass
    for e in cands:
        try:
            with A.precision(64):
                lo, _ = A.compile_expr(e)(domain)
        except (A.Undefined, A.Unsupported, KeyError):
            continue
        if A._sign(lo) >= 0:
            return A._sign(lo)
    return None


def _implies(h: Atom, g: Atom, refine: dict, domain: dict) -> bool:
    """Whether ``h REL 0`` implies ``g REL' 0`` on the whole domain: g - h >= 0 (> 0 when only g
    is strict), or g = r h with r > 0; signs from sympy's assumptions or one enclosure over the
    domain (``S_opp (1 - l_b^2) >= 0`` for l_b <= 1/2)."""
    if sp.count_ops(g.orig) + sp.count_ops(h.orig) > MAX_IMPLIES_OPS:
        return False
    gr, hr = g.orig.xreplace(refine), h.orig.xreplace(refine)
    weak_ok = g.rel == ">=" or h.rel == ">"  # g >= h (or g = r h) keeps strictness
    try:
        d = sp.expand(gr - hr)
        if d.is_positive or (weak_ok and (d == 0 or d.is_nonnegative)):
            return True
        sd = _domain_sign(d, domain)
        if sd == 1 or (weak_ok and sd == 0):
            return True
        if not weak_ok or not (_rational(gr) and _rational(hr)):
            return False
        r = sp.cancel(sp.together(gr / hr))
        return bool(r.is_positive) or _domain_sign(r, domain) == 1
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _log_atoms(e: sp.Expr) -> set:
    return {a for a in e.atoms(sp.log) if a.free_symbols}


def _forms(atom: Atom, refine: dict, domain: dict) -> list[sp.Expr]:
    """``atom`` as f REL 0 in equivalent forms: as printed and, when both of its sides are
    positive on the domain, as log(lhs) - log(rhs) with the logarithms expanded (sympy expands
    only what the variables' signs allow)."""
    big, small = atom.lhs.xreplace(refine), atom.rhs.xreplace(refine)
    out = [sp.expand(atom.orig.xreplace(refine))]
    try:
        if all(s.is_positive or _domain_sign(s, domain) == 1 for s in (big, small)):
            out.append(sp.expand(sp.expand_log(sp.log(big) - sp.log(small))))
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return [f for f in out if sp.count_ops(f) <= MAX_IMPLIES_OPS]


def _nonneg(e: sp.Expr, domain: dict) -> int | None:
    """1 if e > 0, 0 if e >= 0 on the domain (sympy's signs, else one enclosure), else None."""
    if e.is_positive:
        return 1
    if e == 0 or e.is_nonnegative:
        return 0
    return _domain_sign(e, domain)


def _combined(g: Atom, hyps: list, refine: dict, domain: dict) -> bool:
    """Whether g follows from two hypothesis conjuncts combined: g = λ1 h1 + λ2 h2 + ρ identically,
    the logarithms of variables read as independent unknowns, with λ1, λ2, ρ >= 0 on the domain
    (strict g: some strict h_i with λ_i > 0, or ρ > 0). Forms may be taken in log space when both
    sides are positive: π_ref(y_l)/π_ref(y_w) > 3^{1/β} and β log(...) <= log 3 give π_θ(y_w) < π_θ(y_l)."""
    lam = sp.symbols("lambda_1 lambda_2", real=True)
    hforms = [(h, f) for h in hyps for f in _forms(h, refine, domain)]
    for gf in _forms(g, refine, domain):
        need = _log_atoms(gf)
        if not need:
            continue
        for i, (h1, f1) in enumerate(hforms):
            for h2, f2 in hforms[i + 1:]:
                if h1 is h2 or not need <= (_log_atoms(f1) | _log_atoms(f2)):
                    continue
                if _combination_holds(g, gf, ((h1, f1), (h2, f2)), lam, domain):
                    return True
    return False


def _combination_holds(g: Atom, gf, pairs, lam, domain: dict) -> bool:
    expr = sp.expand(gf - lam[0] * pairs[0][1] - lam[1] * pairs[1][1])
    logs = sorted(_log_atoms(expr), key=sp.default_sort_key)
    unknowns = [sp.Dummy() for _ in logs]
    e = expr.xreplace(dict(zip(logs, unknowns)))
    try:
        poly = sp.Poly(e, *unknowns)
    except sp.PolynomialError:
        return False
    if poly.total_degree() > 1:
        return False
    eqs = [c for m, c in poly.terms() if any(m)]
    try:
        sols = sp.solve(eqs, lam, dict=True)
    except (NotImplementedError, TypeError, ValueError):
        return False
    for sol in sols:
        if set(sol) != set(lam):
            continue
        rho = sp.simplify(e.xreplace(sol))
        if rho.free_symbols & set(unknowns):
            continue
        signs = [_nonneg(sp.simplify(sol[x]), domain) for x in lam] + [_nonneg(rho, domain)]
        if None in signs:
            continue
        strict_ok = g.rel == ">=" or signs[2] == 1 or any(
            signs[k] == 1 and pairs[k][0].rel == ">" for k in range(2))
        if strict_ok:
            return True
    return False


def _log_primes(e: sp.Expr) -> sp.Expr:
    """log(40) - log(20) - log(2) as 0: logarithms of rationals written over primes."""
    sub = {}
    for a in e.atoms(sp.log):
        x = a.args[0]
        if x.is_Rational and x > 0:
            num = sum((k * sp.log(p) for p, k in sp.factorint(x.p).items()), sp.Integer(0))
            den = sum((k * sp.log(p) for p, k in sp.factorint(x.q).items()), sp.Integer(0))
            sub[a] = num - den
    return sp.expand(e.xreplace(sub)) if sub else e


def _scaled(g: Atom, hyps: list, refine: dict, domain: dict) -> bool:
    """Whether g follows from one hypothesis conjunct h as g = λ h + ρ identically, λ chosen to
    cancel a logarithm of the goal (``Q > 45 log(40K)`` from ``log(2KQ²) - Q/45 < log(1/20)``:
    λ = 45 cancels log K), with λ >= 0 and ρ >= 0 on the domain (ρ = 90 log Q for Q >= 1; the
    signs from sympy or one Arb enclosure). A strict g needs a strict h with λ > 0, or ρ > 0."""
    for gf in _forms(g, refine, domain):
        gf = _log_primes(gf)
        need = sorted(_log_atoms(gf), key=sp.default_sort_key)
        for h in hyps:
            for hf in _forms(h, refine, domain):
                hf = _log_primes(hf)
                for L in need:
                    ch = hf.coeff(L)
                    if ch == 0 or ch.has(sp.log):
                        continue
                    lam = sp.cancel(gf.coeff(L) / ch)
                    if lam.has(sp.log):
                        continue
                    rho = _log_primes(sp.expand(gf - lam * hf))
                    if rho.has(L):
                        continue
                    sl, sr = _nonneg(lam, domain), _nonneg(rho, domain)
                    if sl is None or sr is None:
                        continue
                    if g.rel == ">=" or sr == 1 or (sl == 1 and h.rel == ">"):
                        return True
    return False


def implied_goal(goal, hyp, refine: dict, variables: list):
    """The goal with every atom that some hypothesis conjunct implies (alone, or two combined with
    non-negative weights, :func:`_combined`) replaced by True."""
    hyps = [h for h in conjuncts(hyp) if h.rel in (">=", ">")]
    if not hyps:
        return goal
    with A.precision(64):
        domain = {v.name: A.interval(v.lo, v.hi) for v in variables}

    def f(atom: Atom):
        if atom.rel in (">=", ">") and (any(_implies(h, atom, refine, domain) for h in hyps)
                                         or (len(hyps) > 1 and _combined(atom, hyps, refine, domain))
                                         or _scaled(atom, hyps, refine, domain)):
            return True
        return atom
    return substitute(goal, f)
