"""Assemble the report from a results directory and write the HTML page and the Markdown twin.

``run_missing`` first produces what is absent, in-process and with the quick profile: ``check all``
through dpoverify.checker.run_checks, the other inputs through their commands (the audit first, so
that check's empirical obligations can read it). Every file is written atomically
(dpoverify.results.write_atomic).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from .. import __version__, engines, profiles, registry
from ..checker import run_checks
from ..results import now, write_atomic
from . import html, markdown
from .audit_section import audit_section
from .breaks_section import boundary_section, tightness_section
from .doc import Report
from .findings import findings_section, missing_section
from .fuzz_section import fuzz_section
from .load import INPUTS, Inputs, load_inputs
from .provenance import inputs_section, provenance_section
from .scaling import scaling_section
from .trajectories import trajectory_section
from .verdict_table import claims_section, verdict_section

RUN_MISSING_PROFILE = "quick"


def _check(directory: Path, seed: int, say: Callable[[str], None]) -> None:
    claims = registry.resolve(["all"])
    ctx = engines.Context(profiles.get(RUN_MISSING_PROFILE), seed, {}, results_dir=str(directory))

    def done(claim, ob, entry) -> None:
        if ob is claim.obligations[-1]:
            say(f"  checked {claim.id}")

    doc = run_checks(claims, ctx, directory, done)
    say(f"check all: {doc['verdict']} ({len(claims)} claims)")


def _command(*words: str) -> Callable[[Path, int, Callable[[str], None]], None]:
    """A producer that runs a dpoverify command in-process into the results directory."""
    def produce(directory: Path, seed: int, say: Callable[[str], None]) -> None:
        from ..cli import main

        code = main([*words, "--seed", str(seed), "--out", str(directory)])
        if code not in (0, 1):  # 1: the command refuted something, which is a result
            say(f"  `dpoverify {' '.join(words)}` exited {code}; its section will say the input is missing")
    return produce


# In dependency order: check's empirical obligations read audit.json from the results directory.
PRODUCERS: dict[str, tuple[str, Callable]] = {
    "audit": ("dpoverify audit (embedded default: MiniLM, embedded personas; minutes on a CPU)",
              _command("audit")),
    "check": (f"dpoverify check all --profile {RUN_MISSING_PROFILE}", _check),
    "fuzz": (f"dpoverify fuzz all --profile {RUN_MISSING_PROFILE}",
             _command("fuzz", "all", "--profile", RUN_MISSING_PROFILE)),
    "boundary": (f"dpoverify boundary all --profile {RUN_MISSING_PROFILE}",
                 _command("boundary", "all", "--profile", RUN_MISSING_PROFILE)),
    "tightness": (f"dpoverify tightness all --profile {RUN_MISSING_PROFILE}",
                  _command("tightness", "all", "--profile", RUN_MISSING_PROFILE)),
    "scaling": (f"dpoverify scaling --profile {RUN_MISSING_PROFILE}",
                _command("scaling", "--profile", RUN_MISSING_PROFILE)),
}


def run_missing(directory: Path, seed: int, say: Callable[[str], None]) -> list[str]:
    """Produce every absent input in-process (quick profiles), in dependency order; returns what ran."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {spec.key: spec.filename for spec in INPUTS}
    ran = []
    own = registry.report_sections()
    for key, (what, produce) in PRODUCERS.items():
        if (directory / files[key]).is_file() or (key in ("audit", "scaling") and key not in own):
            continue
        say(f"{files[key]} missing: running `{what}` (seed {seed}) into {directory}")
        produce(directory, seed, say)
        ran.append(key)
    return ran


def build(directory: Path, seed: int = 0) -> tuple[Report, Inputs]:
    inputs = load_inputs(directory)
    facts = {"generated": now(), "seed": seed, "tool_version": __version__, "from": str(directory)}
    own = registry.report_sections()  # sections that belong to a paper appear when its pack asks
    traj = None
    if "trajectories" in own:
        traj, traj_facts = trajectory_section(inputs, seed)
        facts.update(traj_facts)
    missing = missing_section(inputs)
    sections = [findings_section(inputs), *([missing] if missing else []), verdict_section(inputs),
                claims_section(inputs), traj, fuzz_section(inputs), boundary_section(inputs),
                tightness_section(inputs),
                scaling_section(inputs) if "scaling" in own else None,
                audit_section(inputs) if "audit" in own else None,
                provenance_section(inputs, facts), inputs_section(inputs)]
    titles = "; ".join(f"\"{lp.pack.paper.title}\"" for lp in registry.loaded())
    notes = "".join(f" {lp.pack.notes}" for lp in registry.loaded() if lp.pack.notes)
    report = Report(f"dpoverify report — {registry.paper()}",
                    f"Machine verification of {titles}.{notes} "
                    f"Generated {facts['generated']} by dpoverify {__version__} from {directory}.",
                    [s for s in sections if s is not None])
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
