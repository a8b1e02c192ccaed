"""Embeddings drawn from the theory's own model, N(b ± c_i, v² I_d) (Section 3), for tests."""
import numpy as np


def theory_groups(K=4, d=60, n=120, l_b=1 / 3, v=None, seed=0, scale=1.0):
    """Per value i: aligned ~ N(b + c_i, v² I), misaligned ~ N(b - c_i, v² I), c_i = e_{i+1}, b = l_b e_0."""
    rng = np.random.default_rng(seed)
    q = round(0.9 * n)
    v = 0.5 / (32 * np.sqrt(q)) if v is None else v
    b = l_b * np.eye(d)[0]
    groups = {}
    for i in range(K):
        c = np.eye(d)[i + 1]
        groups[f"value-{i:02d}"] = tuple(scale * (b + s * c + v * rng.standard_normal((n, d))) for s in (1, -1))
    return groups, q, v


def doc_for(groups, q, seed=0, **extra):
    """A minimal audit results document holding the geometry of ``groups``."""
    from gpu_checks import geometry, results

    geo = geometry.audit(groups, q, seed, shuffles=10)
    geo["readout"] = "synthetic"
    return {"schema": results.SCHEMA, "seed": seed, "complete": True,
            "config": {"model": "/synthetic/theory-model", "readout": "synthetic", "dataset": "/synthetic",
                       "mode": "last-layer", "optimizer": "Adam", "steps": 0},
            "data": {"n_personas": len(groups)}, "geometry": geo, **extra}


def figure3_doc(groups, seed=0):
    """Only what Figure 3 and its thresholds read (quick at a hundred personas: no bootstrap)."""
    import numpy as np

    from gpu_checks import geometry

    fig3a, fig3b = geometry.figure3(groups)
    C, _ = geometry.concept_directions(groups)
    U = C / np.linalg.norm(C, axis=1, keepdims=True)
    pc = np.abs(U @ U.T)[~np.eye(len(C), dtype=bool)]
    concept = {"cos_matrix": U @ U.T, "max_abs_cos": pc.max(), "noise_floor": geometry.noise_floor(groups, 3, seed)}
    geo = {"personas": list(groups), "readout": "synthetic", "figure3a": fig3a, "figure3b": fig3b,
           "concept_directions": concept,
           "token_sharing": geometry.token_sharing({n: [(" Yes", " No"), (" No", " Yes")] for n in groups})}
    return {"config": {"model": "/synthetic/theory-model"}, "geometry": geo}
