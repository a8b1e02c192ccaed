"""One results directory per test module (check.json from the real runner on planted claims, a
hand-made audit.json) and the report built from it, so the slow part (the in-process trajectory
simulation and the figures) runs once per module."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dpoverify.report.build import build, write
from tests.report.inputs import write_audit, write_check

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(results dir, check doc, audit doc, html path, md path) for a report from check + audit."""
    root = tmp_path_factory.mktemp("report")
    results = root / "results"
    results.mkdir()
    check = write_check(results)
    audit = write_audit(results)
    report, _ = build(results, seed=0)
    html_path, md_path = write(report, root / "report.html", root / "twin" / "report.md")
    return results, check, audit, html_path, md_path
