from hypothesis import given, strategies as st

from dpoverify.verdicts import SEVERITY, Verdict, aggregate


def test_refuted_is_never_hidden():
    assert aggregate([Verdict.PROVED] * 5 + [Verdict.REFUTED]) is Verdict.REFUTED
    assert aggregate([Verdict.ERROR, Verdict.REFUTED, Verdict.UNDECIDED]) is Verdict.REFUTED


def test_proved_only_when_all_proved():
    assert aggregate([Verdict.PROVED, Verdict.PROVED]) is Verdict.PROVED
    assert aggregate([Verdict.PROVED, Verdict.NO_COUNTEREXAMPLE]) is Verdict.NO_COUNTEREXAMPLE
    assert aggregate([Verdict.PROVED, Verdict.VACUOUS]) is Verdict.VACUOUS
    assert aggregate([Verdict.PROVED, Verdict.UNDECIDED]) is Verdict.UNDECIDED
    assert aggregate([Verdict.PROVED, Verdict.ERROR]) is Verdict.ERROR


def test_nothing_checked_is_undecided():
    assert aggregate([]) is Verdict.UNDECIDED


@given(st.lists(st.sampled_from(list(Verdict)), min_size=1))
def test_aggregate_is_the_most_severe(vs):
    agg = aggregate(vs)
    assert agg in vs
    assert all(SEVERITY.index(agg) <= SEVERITY.index(v) for v in vs)
