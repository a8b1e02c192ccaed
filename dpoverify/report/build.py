"""Assemble the report from a results directory and write the HTML page and the Markdown twin.

``run_missing`` first produces what is absent, in-process: ``check all`` with the quick profile
(dpoverify.checker.run_checks). Every file is written atomically (dpoverify.results.write_atomic).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from .. import PAPER, __version__, engines, profiles, registry
from ..checker import run_checks
from ..results import now, write_atomic
from . import html, markdown
from .audit_section import audit_section
from .breaks_section import boundary_section, tightness_section
from .doc import Report
from .fuzz_section import fuzz_section
from .load import Inputs, load_inputs
from .provenance import inputs_section, provenance_section
from .scaling import scaling_section
from .trajectories import trajectory_section
from .verdict_table import claims_section, verdict_section

RUN_MISSING_PROFILE = "quick"


def run_missing(directory: Path, seed: int, say: Callable[[str], None]) -> list[str]:
    """Produce the absent inputs that can be produced in-process; returns what was run."""
    directory.mkdir(parents=True, exist_ok=True)
    ran = []
    if not (directory / "check.json").is_file():
        claims = registry.resolve(["all"])
        say(f"check.json missing: running `dpoverify check all --profile {RUN_MISSING_PROFILE} "
            f"--seed {seed}` ({len(claims)} claims) into {directory}")
        ctx = engines.Context(profiles.get(RUN_MISSING_PROFILE), seed, {}, results_dir=str(directory))

        def done(claim, ob, entry) -> None:
            if ob is claim.obligations[-1]:
                say(f"  checked {claim.id}")

        doc = run_checks(claims, ctx, directory, done)
        say(f"check all: {doc['verdict']} ({directory / 'check.json'})")
        ran.append("check")
    return ran


def build(directory: Path, seed: int = 0) -> tuple[Report, Inputs]:
    inputs = load_inputs(directory)
    facts = {"generated": now(), "seed": seed, "tool_version": __version__, "from": str(directory)}
    traj, traj_facts = trajectory_section(inputs, seed)
    facts.update(traj_facts)
    sections = [inputs_section(inputs), verdict_section(inputs), claims_section(inputs), traj,
                fuzz_section(inputs), boundary_section(inputs), tightness_section(inputs),
                scaling_section(inputs), audit_section(inputs),
                provenance_section(inputs, facts)]
    report = Report(f"dpoverify report — {PAPER}",
                    f"Machine verification of \"Can DPO Learn Diverse Human Values? A Theoretical Scaling Law\". "
                    f"Generated {facts['generated']} by dpoverify {__version__} from {directory}.",
                    sections)
    return report, inputs


def _publish(path: Path, content: str | bytes) -> Path:
    """Write atomically, readable by others like any file the user creates (mkstemp makes 0600)."""
    path = write_atomic(path, content)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
    return path


def write(report: Report, html_path: Path | None, md_path: Path | None) -> list[Path]:
    written = []
    if html_path:
        written.append(_publish(html_path, html.render(report)))
    if md_path:
        fig_dir = md_path.parent / f"{md_path.stem}-figures"
        for name, png in markdown.figure_files(report).items():
            _publish(fig_dir / name, png)
        written.append(_publish(md_path, markdown.render(report, fig_dir.name)))
    return written
