"""gpu_checks.plots.figure3: clustered heatmaps and the thresholds the Figure 3 verdicts use, drawn
at the values the judges compare with, legible at 120 personas."""
import numpy as np
import pytest

from gpu_checks import plots
from theorems import section_5_geometry as geo_claim

from .synthetic import figure3_doc, theory_groups


def _vlines(ax) -> list[float]:
    return [float(line.get_xdata()[0]) for line in ax.get_lines()]


@pytest.fixture(scope="module")
def doc120():
    groups, _, _ = theory_groups(K=120, d=130, n=30)
    return figure3_doc(groups)


def test_thresholds_are_drawn_at_the_judged_values(doc120, tmp_path):
    fig = plots.figure3_figure(doc120)
    top, (a, b, c) = fig.axes[:3], fig.axes[3:6]  # heatmaps, histograms (then the colour bars)
    cross = geo_claim.judge_cross_cosine(doc120)[2]  # what the judges compared with
    fig3b = geo_claim.judge_fig3b(doc120)[2]
    nf = doc120["geometry"]["concept_directions"]["noise_floor"]
    assert _vlines(a) == pytest.approx([cross["lower_bound"], cross["upper_bound"], cross["measured"]])
    assert _vlines(b) == pytest.approx([fig3b["upper_bound"], fig3b["measured"]])
    orth = doc120["geometry"]["concept_directions"]["max_abs_cos"]
    assert _vlines(c) == pytest.approx([fig3b["upper_bound"], orth, nf["max_abs_cos_mean"], nf["max_abs_cos_p95"]])
    assert b.get_xscale() == c.get_xscale() == "log"  # δ and the data lie decades apart
    for ax in top:
        assert not ax.get_yticklabels() and "clustered order" in ax.get_ylabel()
    assert "120 personas" in fig._suptitle.get_text()
    path = plots.figure3(doc120, tmp_path / "figure3.png")
    assert (tmp_path / "figure3.png").stat().st_size > 50_000 and path.endswith("figure3.png")


def test_a_few_personas_are_named():
    groups, _, _ = theory_groups(K=4)
    fig = plots.figure3_figure(figure3_doc(groups))
    names = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert names == set(groups)


def test_clustered_order_puts_similar_personas_together():
    rng = np.random.default_rng(0)
    block = np.kron(np.eye(2), np.ones((5, 5))) + 0.05 * rng.standard_normal((10, 10))
    perm = rng.permutation(10)
    order = plots.persona_order(block[np.ix_(perm, perm)])
    groups = perm[order] // 5  # the block each persona came from, in the drawn order
    assert sorted(order) == list(range(10)) and np.count_nonzero(np.diff(groups)) == 1
