"""Integrity of the real registry: every claim of theorems/ is well-formed data for the engines."""
import pytest

from dpoverify import registry
from dpoverify.claims import Implication, Kind

CLAIMS = list(registry.all_claims().values())


def test_the_paper_is_covered():
    ids = set(registry.all_claims())
    required = {"lemma-4.1", "theorem-4.2", "theorem-4.3", "lemma-b.1", "lemma-b.2", "theorem-b.3",
                "theorem-b.4", "definition-c.1", "lemma-c.2", "lemma-c.3", "lemma-c.4", "theorem-c.5",
                "theorem-c.6", "eq-5", "section-7.gpo", "section-7.no-flip"}
    assert required <= ids, required - ids


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_is_well_formed(claim):
    assert claim.obligations, f"{claim.id} has nothing to check"
    ids = [o.id for o in claim.obligations]
    assert len(ids) == len(set(ids)), f"duplicate obligation ids in {claim.id}"
    for dep in claim.depends_on:
        assert dep in registry.all_claims(), f"{claim.id} depends on unknown {dep}"
    assert claim.source.section
    for o in claim.obligations:
        assert isinstance(o.kind, Kind) and o.title and o.cites
        assert hasattr(o.spec, "ENGINE"), f"{claim.id}/{o.id}: spec names no engine"


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_implications_quantify_every_symbol(claim):
    for o in claim.obligations:
        if isinstance(o.spec, Implication):
            declared = {p.symbol for p in o.spec.variables}
            used = set()
            for e in (*o.spec.assumptions, o.spec.goal, o.spec.vacuous_when):
                if e is not None and hasattr(e, "free_symbols"):
                    used |= e.free_symbols
            assert used <= declared, f"{claim.id}/{o.id}: undeclared {used - declared}"


def test_dependencies_have_no_cycle():
    graph = {c.id: set(c.depends_on) for c in CLAIMS}
    seen, stack = set(), set()

    def visit(n):
        assert n not in stack, f"dependency cycle through {n}"
        if n in seen:
            return
        stack.add(n)
        for m in graph.get(n, ()):
            visit(m)
        stack.discard(n)
        seen.add(n)

    for n in graph:
        visit(n)
