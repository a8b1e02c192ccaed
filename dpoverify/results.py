"""Writing results: atomic JSON files, counterexample files, run provenance, the hash of the code
that computed a result, and the lock on a results directory.

Every file is written to a temporary name in the same directory and moved into place with
``os.replace``, so an interrupted run never leaves a half-written file and loses nothing
already finished. Wall-clock facts (when, how long, on which machine) live only in a document's
``timing`` block: everything else is a function of what determines the result.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import importlib.util
import json
import math
import os
import platform
import re
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

import sympy as sp

COUNTEREXAMPLE_SCHEMA = "dpoverify.counterexample/1"
COUNTEREXAMPLE_MAX_BYTES = 16 * 2 ** 20
_UMASK = os.umask(0)
os.umask(_UMASK)


def _default(obj: Any):
    if isinstance(obj, sp.Basic):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


def _finite(obj: Any) -> Any:
    """Non-finite numbers (inf, -inf, nan), which JSON cannot hold, spelled as strings."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):  # numpy arrays and scalars
        return _finite(obj.tolist())
    return obj


def dumps(doc: Any) -> str:
    return json.dumps(_finite(doc), indent=2, default=_default, allow_nan=False)


def write_atomic(path: str | os.PathLike, text: str | bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | os.PathLike, doc: Any) -> Path:
    return write_atomic(path, dumps(doc) + "\n")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


def counterexample_name(claim_id: str, obligation_id: str) -> str:
    """Where a counterexample is saved, relative to the results directory."""
    return f"counterexamples/{slug(claim_id)}__{slug(obligation_id)}.json"


def save_counterexample(out_dir: str | os.PathLike, claim_id: str, obligation_id: str,
                        payload: dict[str, Any], seed: int, profile: str) -> Path:
    """Save an engine's counterexample payload as a file that ``dpoverify replay`` re-runs, at
    ``out_dir / counterexample_name(...)``; returns that path."""
    doc = {
        "schema": COUNTEREXAMPLE_SCHEMA,
        "claim": claim_id,
        "obligation": obligation_id,
        "seed": seed,
        "profile": profile,
        "payload": payload,
        "timing": {"created": now()},
    }
    return write_json(Path(out_dir) / counterexample_name(claim_id, obligation_id), doc)


def load_counterexample(path: str | os.PathLike) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"no such counterexample file: {p}")
    try:
        if p.stat().st_size > COUNTEREXAMPLE_MAX_BYTES:
            raise ValueError(f"{p}: larger than a counterexample file can be "
                             f"({COUNTEREXAMPLE_MAX_BYTES // 2 ** 20} MiB)")
        doc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{p}: not a text file (not UTF-8); a counterexample file is JSON") from None
    except OSError as exc:
        raise ValueError(f"{p}: cannot read it ({exc.strerror})") from None
    except RecursionError:
        raise ValueError(f"{p}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("schema") != COUNTEREXAMPLE_SCHEMA:
        raise ValueError(f"{p}: not a dpoverify counterexample (expected schema {COUNTEREXAMPLE_SCHEMA})")
    for key in ("claim", "obligation", "payload"):
        if key not in doc:
            raise ValueError(f"{p}: counterexample lacks '{key}'")
    return doc


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def provenance(packages=("dpoverify", "sympy", "mpmath", "numpy", "scipy", "hypothesis",
                         "python-flint", "torch", "transformers")) -> dict[str, Any]:
    """Package versions and machine facts recorded with every result file."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "packages": _versions(packages),
    }


def _versions(packages) -> dict[str, str | None]:
    """Installed version of each package (None where it is not installed)."""
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


# The packages whose versions can change a result (with the Python version): part of every
# result's key, so ``check --resume`` recomputes after an upgrade.
RESULT_PACKAGES = ("sympy", "mpmath", "numpy", "scipy", "hypothesis", "python-flint", "torch",
                   "transformers")


@lru_cache(maxsize=1)
def environment() -> dict[str, Any]:
    """The Python and package versions a result depends on (no machine facts, no times)."""
    return {"python": sys.version.split()[0], "packages": _versions(RESULT_PACKAGES)}


@lru_cache(maxsize=None)
def package_hash(package: str) -> str | None:
    """sha256 over the relative paths and bytes of every ``.py`` file of a top-level package
    (None when it cannot be found): the code version that computed a result."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        return None
    roots = [Path(p) for p in spec.submodule_search_locations or ()] or \
        ([Path(spec.origin)] if spec.origin and spec.origin.endswith(".py") else [])
    if not roots:
        return None
    h = hashlib.sha256()
    for root in roots:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for f in files:
            if "__pycache__" in f.parts:
                continue
            rel = f.relative_to(root).as_posix() if root.is_dir() else f.name
            data = f.read_bytes()
            h.update(f"{rel}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


def file_hash(path: str | os.PathLike) -> str | None:
    """sha256 of a file's bytes, None when it does not exist."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def digest(obj: Any) -> str:
    """sha256 of a JSON value written canonically (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"),
                                     default=_default).encode()).hexdigest()


class DirectoryBusy(Exception):
    """Another process holds the lock on a results directory."""


@contextmanager
def locked(directory: str | os.PathLike, what: str = "dpoverify") -> Iterator[Path]:
    """Hold an exclusive lock on ``directory/.lock`` for the block; raises DirectoryBusy at once
    when another process holds it. The lock is the kernel's (fcntl.flock): it ends with the
    process that held it, so a killed run never blocks the next. The lock file is removed when the
    block ends (a run leaves nothing behind); a process that locked a file just removed retries."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    path = d / ".lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            busy = exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() if busy else ""
            os.close(fd)
            if not busy:
                raise
            raise DirectoryBusy(f"{d} is in use by another run ({holder or 'unknown process'})") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed this file as we opened it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{what}, pid {os.getpid()}\n".encode(), 0)
        yield path
    finally:
        path.unlink(missing_ok=True)  # while still locked: no one can hold this inode any more
        os.close(fd)  # closing the descriptor releases the lock
