"""Checks of the arguments every command shares, made before any command runs (a bad value is
one line on stderr and exit 2, with nothing computed, written or overwritten).

* ``--seed``: an integer in [0, 2^32) (numpy's SeedSequence and the simulator's generators take
  32-bit seeds; a negative one used to be accepted and fail later as an engine error).
* ``--out`` of the commands that write a results directory: not empty (which silently meant the
  current directory), not an existing file, and writable: a probe file is created and removed in
  it, or, if it does not exist yet, the directory is created and removed again (so read-only
  mounts, permissions and paths under a file are all found by the system itself).
* ``report --out FILE.html`` / ``--markdown FILE.md``: files, so not empty, not a directory,
  in a writable directory.
* ``--from`` (list, report): not empty (an empty one used to be ignored silently).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError

SEED_LIMIT = 2 ** 32
FILE_OUTPUTS = {"report": ("out", "markdown")}  # commands whose outputs are files, not directories


def seed(value: int) -> int:
    if not 0 <= value < SEED_LIMIT:
        raise UsageError(f"--seed must be an integer in [0, 2^32), got {value}")
    return value


def _probe(path: Path) -> str | None:
    """Why ``path`` (a directory, existing or not) cannot be written; None if it can. Leaves
    nothing behind: a probe file is removed, directories made for the probe are removed."""
    made = []
    try:
        missing = [p for p in [path, *path.absolute().parents] if not p.exists()]
        for p in reversed(missing):
            p.mkdir()
            made.append(p)
        fd, tmp = tempfile.mkstemp(prefix=".dpoverify-probe.", dir=path)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        for p in reversed(made):
            try:
                p.rmdir()
            except OSError:
                pass
    return None


def _nonempty(text: str, flag: str, example: str = "dpoverify-results") -> Path:
    if not text or not text.strip():
        raise UsageError(f"{flag}: empty path (e.g. {flag} {example})")
    if "\0" in text:
        raise UsageError(f"{flag}: the path contains a NUL character")
    return Path(text)


def output_dir(text: str, flag: str = "--out") -> Path:
    """A results directory that exists and is writable, or can be created."""
    path = _nonempty(text, flag)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {text}: exists and is not a directory")
    why = _probe(path)
    if why is not None:
        raise UsageError(f"{flag} {text}: cannot write there ({why})")
    return path


def output_file(text: str, flag: str) -> Path:
    """A file to (over)write: not a directory, in a directory that is or can be made writable."""
    path = _nonempty(text, flag, "report.html" if flag == "--out" else "report.md")
    if path.is_dir():
        raise UsageError(f"{flag} {text}: is a directory (name a file)")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{flag} {text}: not writable")
    output_dir(str(path.parent), f"{flag} {text}: its directory")
    return path


def validate(args) -> None:
    """Check the shared arguments a parsed command line has; raise UsageError on the first bad one."""
    if getattr(args, "seed", None) is not None:
        seed(args.seed)
    for name in ("from_file", "source"):  # --from of list and report: an empty one was ignored
        if getattr(args, name, None) is not None:
            _nonempty(getattr(args, name), "--from", "dpoverify-results")
    files = FILE_OUTPUTS.get(args.command, ())
    for name in files:
        if getattr(args, name, None) is not None:
            output_file(getattr(args, name), f"--{name}")
    if "out" not in files and getattr(args, "out", None) is not None:
        output_dir(args.out)
