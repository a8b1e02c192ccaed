"""Finding and validating the JSON files a report is built from.

Each input is a file the other commands write into the results directory (``--from``, default
``dpoverify-results``). An absent file is not an error: its section says so and names the command
that writes it. A file that is present but unreadable, not JSON, of another schema or invalid
against its JSON schema raises :class:`~dpoverify.errors.UsageError` naming the file and the fault
in one line.
"""
from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jsonschema

from ..errors import UsageError
from .doc import Missing, Section


@dataclass(frozen=True)
class InputSpec:
    key: str
    filename: str
    schema: str  # the value of the file's "schema" field
    what: str  # what the file holds, for the reader
    command: str  # the command that writes it into the results directory
    schema_file: str = ""  # dpoverify/schemas/<schema_file> when the format has a JSON schema
    required: tuple[str, ...] = ()  # top-level keys the report reads (formats without a schema file)


INPUTS: tuple[InputSpec, ...] = (
    InputSpec("check", "check.json", "dpoverify.check/2", "verdicts of every claim and proof step",
              "dpoverify check all", schema_file="check-2.json"),
    InputSpec("fuzz", "fuzz.json", "dpoverify.fuzz/1", "fuzz campaign results",
              "dpoverify fuzz all --profile ci",
              required=("profile", "seed", "started", "complete", "provenance", "obligations")),
    InputSpec("boundary", "boundary.json", "dpoverify.boundary/1", "where-it-breaks maps",
              "dpoverify boundary all", required=("profile", "seed", "draws", "created", "provenance", "maps")),
    InputSpec("tightness", "tightness.json", "dpoverify.tightness/1", "tightness of each bound",
              "dpoverify tightness all", required=("profile", "seed", "draws", "created", "provenance", "rows")),
    InputSpec("scaling", "scaling.json", "dpoverify.scaling/1", "empirical scaling law from the simulator",
              "dpoverify scaling", required=("profile", "seed", "created", "provenance", "setup", "curves")),
    InputSpec("audit", "audit.json", "dpoverify.audit/1", "empirical audit on a real transformer",
              "dpoverify audit", required=("created", "complete", "seed", "provenance", "config", "geometry")),
)


def out_command(command: str, directory: Path) -> str:
    """``command`` writing into ``directory`` (the hints name the folder the report reads)."""
    return f"{command} --out {shlex.quote(str(directory))}"


MALFORMED = (TypeError, ValueError, KeyError, IndexError)  # what reading a malformed document raises


@dataclass
class Loaded:
    spec: InputSpec
    path: Path
    doc: dict[str, Any] | None = None  # None when the file is absent

    @property
    def present(self) -> bool:
        return self.doc is not None

    @property
    def command(self) -> str:
        """The command that writes this input into the results folder the report reads."""
        return out_command(self.spec.command, self.path.parent)

    def malformed(self, exc: Exception) -> UsageError:
        """The one-line error for a file whose contents the report cannot read."""
        return UsageError(f"{self.path}: malformed {self.spec.schema} ({type(exc).__name__}: {exc})")

    def fill(self, sec: Section, build: Callable[[dict[str, Any]], Any]) -> Section:
        """``sec`` filled by ``build(doc)``; a Missing note naming the command when the file is
        absent; a UsageError naming the file when its contents are malformed."""
        if self.doc is None:
            return sec.add(Missing(self.spec.what, self.command, f"no {self.path.name}"))
        try:
            build(self.doc)
        except MALFORMED as exc:
            raise self.malformed(exc) from None
        return sec


@dataclass
class Inputs:
    directory: Path
    items: dict[str, Loaded] = field(default_factory=dict)

    def __getitem__(self, key: str) -> dict[str, Any] | None:
        return self.items[key].doc

    def loaded(self, key: str) -> Loaded:
        return self.items[key]

    def missing(self) -> list[InputSpec]:
        return [item.spec for item in self.items.values() if not item.present]

    def command(self, command: str) -> str:
        """``command`` writing into this results folder."""
        return out_command(command, self.directory)


def _schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files("dpoverify").joinpath("schemas", name).read_text())


def load_file(spec: InputSpec, path: Path) -> dict[str, Any]:
    """Read and validate one input; UsageError names the file and the fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{path}: expected a JSON object with \"schema\": \"{spec.schema}\"")
    if doc.get("schema") != spec.schema:
        raise UsageError(f"{path}: schema is {doc.get('schema')!r}, expected {spec.schema!r} "
                         f"({spec.what}, written by `{spec.command}`)")
    if spec.schema_file:
        try:
            jsonschema.validate(doc, _schema(spec.schema_file))
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
            raise UsageError(f"{path}: invalid {spec.schema} at {where}: {exc.message}") from None
    missing = [k for k in spec.required if k not in doc]
    if missing:
        raise UsageError(f"{path}: {spec.schema} document lacks {', '.join(missing)}")
    return doc


def load_inputs(directory: str | Path, specs: tuple[InputSpec, ...] = INPUTS) -> Inputs:
    """Every input found in ``directory``; raises UsageError if the directory does not exist."""
    d = Path(directory)
    if not d.is_dir():
        raise UsageError(f"results directory {d} does not exist (run `dpoverify check all` first, "
                         f"or pass --run-missing)")
    inputs = Inputs(d)
    for spec in specs:
        path = d / spec.filename
        inputs.items[spec.key] = Loaded(spec, path, load_file(spec, path) if path.is_file() else None)
    return inputs
