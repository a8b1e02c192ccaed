"""One results directory for the whole session (check.json from the real runner on planted
claims, the other inputs hand-made in their documented formats) and the report built from it, so
the slow part (the in-process trajectory simulation and the figures) runs once."""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

from dpoverify import registry
from dpoverify.report.build import build, write
from dpoverify.results import write_json
from tests.report.inputs import (CLAIMS, boundary_doc, scaling_doc, tightness_doc, write_audit, write_check,
                                 write_fuzz)

os.environ.setdefault("OMP_NUM_THREADS", "1")


class Built(NamedTuple):
    results: Path
    check: dict
    audit: dict
    html: Path
    md: Path
    fuzz: dict
    boundary: dict
    tightness: dict
    scaling: dict


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A report from every input: check, fuzz, boundary, tightness, scaling and audit JSON."""
    root = tmp_path_factory.mktemp("report")
    results = root / "results"
    results.mkdir()
    check = write_check(results)
    audit = write_audit(results)
    fuzz = write_fuzz(results)
    boundary, tightness, scaling = boundary_doc(), tightness_doc(), scaling_doc()
    write_json(results / "boundary.json", boundary)
    write_json(results / "tightness.json", tightness)
    write_json(results / "scaling.json", scaling)
    with pytest.MonkeyPatch.context() as mp:  # the page shows the claims' maths from the registry
        mp.setattr(registry, "all_claims", lambda: {c.id: c for c in CLAIMS})
        report, _ = build(results, seed=0)
    html_path, md_path = write(report, root / "report.html", root / "twin" / "report.md")
    return Built(results, check, audit, html_path, md_path, fuzz, boundary, tightness, scaling)
