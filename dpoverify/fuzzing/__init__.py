"""Simulation properties: the engine that decides them at one regime (:mod:`.engine`), the
Hypothesis search over regimes (:mod:`.strategies`, :mod:`.properties`), exact binomial tests
(:mod:`.stats`), and the where-it-breaks, tightness and scaling-law products (:mod:`.maps`,
:mod:`.tightness`, :mod:`.scaling`)."""
