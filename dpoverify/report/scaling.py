"""Figure 4: the Q per value that eq. 4 asks for (decided rigorously, bound_curve) beside the Q the
simulator needs (the scaling-law JSON of ``dpoverify scaling``)."""
from __future__ import annotations

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


def scaling_section(inputs: Inputs) -> Section:
    sec = Section("scaling", "Scaling law (Figure 4): Q per value against K")
    empirical = empirical_series(inputs)
    ks = set(BOUND_KS) | {k for s in empirical for k in s["K"]}
    points = curve(ks)
    with canvas(7.5, 4.4) as (fig, ax):
        ax.plot([p.K for p in points], [p.Q for p in points], "-o", ms=3, color="#c62828",
                label="bound of eq. 4: smallest Q with 2KQ²·e^(−Q/45) < 0.05")
        for s in empirical:
            ax.plot(s["K"], s["Q"], "-s", ms=4, label=s["label"])
        ax.set_xscale("log")
        ax.set_xlabel("K (number of values)")
        ax.set_ylabel("Q (samples per value)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    sec.add(Figure("fig-scaling", "Scaling curve for the generalization error to be < 0.05 (Figure 4)",
                   "Red: for each K the smallest integer Q ≥ 40 with 2KQ²·e^(−Q/45) < 0.05, decided with "
                   "python-flint Arb balls in log space (not read off a plot). "
                   + ("Other curves: the smallest Q at which the simulated error falls below 0.05 "
                      "(dpoverify scaling)." if empirical else "The empirical curve is missing (see below)."),
                   fig.png))
    sec.add(Para("The bound's Q grows like 45·log(40K) + 90·log Q, i.e. Θ(log K) as Section 4.2 says; "
                 f"at K = 10 it asks for Q = {next(p.Q for p in points if p.K == 10)} "
                 "(the paper: \"more than 875 samples per value\")."))
    links = claim_links(inputs, CLAIMS)
    sec.add(Para(("Verdicts: ",) + links if links else ("No verdicts for ", ", ".join(CLAIMS), " in check.json.")))
    sec.add(bound_table([p for p in points if p.K in BOUND_KS]))
    if not empirical:
        spec = inputs.loaded("scaling").spec
        sec.add(Missing(spec.what, spec.command))
    return sec


def empirical_series(inputs: Inputs) -> list[dict]:
    """[{label, K: [...], Q: [...]}] from the scaling-law JSON, [] when it is absent."""
    return []
