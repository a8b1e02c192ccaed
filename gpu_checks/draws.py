"""Which personas each DPO run trains, and a per-persona statement cap.

Verdicts that survive a change of seed (issue 13 §3): each K trains R draws. Draw 0 is the
persona set of :func:`gpu_checks.personas.persona_sets` (Appendix F's when all its personas are
present) with minibatch/initialisation seed ``seed*1000 + K``, as before draws existed; draw r >= 1
is a seeded sample of K personas of the data with its own seed. The judges read all draws.

The cap keeps, in each cluster of a persona, the ``cap`` statements whose SHA-256 is smallest: a
choice fixed by the statements' content, the same for every seed, so cached embeddings are shared
between seeds and the capped data's content hash keys the caches as the full data's does.
"""
from __future__ import annotations

import hashlib
import random

from .personas import Persona

DEFAULT_DRAWS = {"last-layer": 10, "full": 3}
"""R: draws per K, by mode. Last layer: on SmolLM2-135M-Instruct (the 28 personas of Appendix F,
cap 100 statements per cluster, 100 full-batch steps) R = 3 let ``margin-growth-slows`` flip
between base seeds 0 and 1 (Kendall τ = -0.21, p = 0.16, undecided; τ = -0.56, p = 0.003, holds);
at R = 10 both hold (τ = -0.33 / -0.31, p = 0.001 / 0.002) and all 21 empirical verdicts are the
same for the two seeds. A last-layer draw trains a [2, d] head on cached features (1-4 s on the CPU),
so R = 10 costs little beside the embedding pass. Full fine-tunes cost minutes per draw on a CPU:
R = 3, the least R whose bootstrap over draws has more than a few distinct resamples per K
(docs/audit.md, "Verdicts that survive a change of seed")."""


def seed_of(seed: int, k: int, r: int) -> int:
    """The minibatch/initialisation seed of draw r of K (draw 0: the seed used before draws existed)."""
    return seed * 1000 + k + 1_000_003 * r


def draw_sets(available: list[str], first: dict[int, list[str]], seed: int, draws: int) -> dict[int, list[list[str]]]:
    """Per K, the persona lists of draws 0..R-1: draw 0 is ``first[K]``, the others seeded samples."""
    pool = sorted(available)
    return {k: [list(names)] + [sorted(random.Random(f"{seed}:{k}:{r}").sample(pool, k)) for r in range(1, draws)]
            for k, names in first.items()}


def _by_hash(statements: tuple[str, ...], n: int) -> tuple[str, ...]:
    if len(statements) <= n:
        return statements
    keep = set(sorted(range(len(statements)),
                      key=lambda i: hashlib.sha256(statements[i].encode()).hexdigest())[:n])
    return tuple(s for i, s in enumerate(statements) if i in keep)


def cap(persona: Persona, n: int | None) -> Persona:
    """At most ``n`` statements per cluster (None: all), chosen by content hash, order kept."""
    if n is None:
        return persona
    return Persona(persona.name, _by_hash(persona.aligned, n), _by_hash(persona.misaligned, n))
