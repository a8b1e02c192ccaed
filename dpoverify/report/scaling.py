"""Figure 4: the Q per value that eq. 4 asks for (decided rigorously, bound_curve) beside the Q the
simulator needs (the scaling-law JSON of ``dpoverify scaling``)."""
from __future__ import annotations

from .audit_section import fmt
from .bound_curve import curve
from .doc import Figure, Missing, Para, Section, Table
from .figures import canvas
from .load import Inputs
from .verdict_table import claim_links

CLAIMS = ("figure-4", "section-4.2.875-samples", "section-4.2.log-k-scaling", "theorem-4.3")
BOUND_KS = (1, 2, 3, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128, 200, 500, 1000, 2000, 5000, 10_000)


def bound_table(points) -> Table:
    return Table(("K", "smallest Q (eq. 4 < 0.05)", "2KQ²·e^(−Q/45) at Q", "at Q − 1"),
                 tuple((str(p.K), str(p.Q), f"{p.bound_at_Q:.5f}", f"{p.bound_at_Q_minus_1:.5f}")
                       for p in points), anchor="bound-table", kind="bound")


def _label(c: dict) -> str:
    return f"simulated, {c['error']} error, {c['tokens']} tokens, d {c['d']}"


def empirical_curves(inputs: Inputs) -> list[dict]:
    """The curves of scaling.json ([] when it is absent), K keys as integers."""
    doc = inputs["scaling"]
    if doc is None:
        return []
    item = inputs.loaded("scaling")
    try:
        return [c | {"Q_star": {int(k): q for k, q in c["Q_star"].items()},
                     "censored": {int(k): bool(v) for k, v in c["censored"].items()}} for c in doc["curves"]]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise item.malformed(exc) from None


def scaling_section(inputs: Inputs) -> Section:
    sec = Section("scaling", "Scaling law (Figure 4): Q per value against K")
    curves = empirical_curves(inputs)
    doc = inputs["scaling"]
    qmax = max((q for q in (doc or {}).get("setup", {}).get("Q_grid", []) or [0]), default=0)
    ks = set(BOUND_KS) | {k for c in curves for k in c["Q_star"]}
    points = curve(ks)
    errors = list(dict.fromkeys(c["error"] for c in curves)) or [None]
    with canvas(6.2 * len(errors), 4.8, ncols=len(errors)) as (fig, axes):
        kmax = max((k for c in curves for k in c["Q_star"]), default=None)
        shown = [p for p in points if kmax is None or p.K <= max(16, 2 * kmax)]
        for ax, error in zip(axes[0] if len(errors) > 1 else [axes], errors):
            ax.plot([p.K for p in shown], [p.Q for p in shown], "-o", ms=3, color="k",
                    label="bound of eq. 4: smallest Q with 2KQ²·e^(−Q/45) < 0.05")
            for c in (c for c in curves if c["error"] == error):
                ks_ok = sorted(k for k, q in c["Q_star"].items() if q is not None and not c["censored"].get(k))
                line, = ax.plot(ks_ok, [c["Q_star"][k] for k in ks_ok], "-s", ms=4,
                                label=f"simulated: {c['tokens']} tokens, d {c['d']}")
                cens = sorted(k for k in c["Q_star"] if c["censored"].get(k) or c["Q_star"][k] is None)
                if cens and qmax:
                    ax.plot(cens, [qmax] * len(cens), "^", ms=7, color=line.get_color(), mfc="none")
            ax.plot([10], [875], "x", ms=9, mew=2, color="#c62828", label="the paper: K = 10 needs more than 875")
            ax.set_xscale("log")
            ax.set_yscale("log" if curves else "linear")
            ax.set_xlabel("K (number of values)")
            ax.set_ylabel("Q (samples per value)")
            if error:
                ax.set_title(f"{error} error < 0.05", fontsize=10)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7, loc="best")
    setup = (doc or {}).get("setup", {})
    sec.add(Figure("fig-scaling", "Scaling curve for the generalization error to be < 0.05 (Figure 4)",
                   "Black: for each K the smallest integer Q ≥ 40 with 2KQ²·e^(−Q/45) < 0.05, decided with "
                   "python-flint Arb balls in log space (not read off a plot). "
                   + (f"Other curves: the smallest Q per value at which the simulated error at τ_1 falls below "
                      f"{setup.get('threshold', 0.05)} with the noise held fixed (v = {setup.get('v')}, l_b = "
                      f"{setup.get('l_b')}, {len(setup.get('seeds', []))} seeds; dpoverify scaling); open triangles: "
                      f"not reached by the largest Q tried ({qmax}). Log axes."
                      if curves else "The empirical curve is missing (see below)."), fig.png))
    sec.add(Para("The bound's Q grows like 45·log(40K) + 90·log Q, i.e. Θ(log K) as Section 4.2 says; "
                 f"at K = 10 it asks for Q = {next(p.Q for p in points if p.K == 10)} "
                 "(the paper: \"more than 875 samples per value\")."))
    links = claim_links(inputs, CLAIMS)
    sec.add(Para(("Verdicts: ",) + links if links else ("No verdicts for ", ", ".join(CLAIMS), " in check.json.")))
    if curves:
        _empirical_tables(sec, inputs, curves, {p.K: p.Q for p in points}, qmax)
    sec.add(bound_table([p for p in points if p.K in BOUND_KS]))
    if not curves:
        item = inputs.loaded("scaling")
        sec.add(Missing(item.spec.what, item.command))
    return sec


def _empirical_tables(sec: Section, inputs: Inputs, curves: list[dict], bound: dict[int, int], qmax: int) -> None:
    doc = inputs["scaling"]
    ks = sorted({k for c in curves for k in c["Q_star"]})
    rows = []
    for k in ks:
        cells = []
        for c in curves:
            q = c["Q_star"].get(k)
            cells.append("—" if k not in c["Q_star"] else f"> {qmax}" if q is None or c["censored"].get(k) else str(q))
        rows.append((str(k), str(bound[k]), *cells))
    sec.add(Table(("K", "eq. 4 asks for Q", *(_label(c).removeprefix("simulated, ") for c in curves)), tuple(rows),
                  anchor="scaling-empirical", kind="scaling"))
    fits = []
    for c in curves:
        fl, fp = c.get("fit_log"), c.get("fit_power")
        fits.append((_label(c).removeprefix("simulated, "),
                     f"{fmt(fl['a'])} + {fmt(fl['b'])}·ln K (R² {fmt(fl['r2'], 3)})" if fl else "too few points",
                     f"{fmt(fp['c'])}·K^{fmt(fp['alpha'], 3)} (R² {fmt(fp['r2'], 3)})" if fp else "too few points"))
    sec.add(Table(("simulated curve", "Q* = a + b ln K (Θ(log K))", "Q* = c·K^α"), tuple(fits),
                  anchor="scaling-fits", kind="scaling-fits"))
    theirs = {int(k): int(q) for k, q in doc.get("eq4_Q", {}).items()}
    differ = {k: (q, bound[k]) for k, q in theirs.items() if k in bound and bound[k] != q}
    sec.add(Para(("eq. 4's Q in scaling.json agrees with the rigorous computation here at every K "
                  f"({', '.join(map(str, sorted(theirs)))})." if not differ else
                  "eq. 4's Q in scaling.json DISAGREES with the rigorous computation here: " +
                  "; ".join(f"K={k}: scaling.json {a}, here {b}" for k, (a, b) in sorted(differ.items())) + ".",)))
