"""Content hashes that key the audit's caches and its resume (never paths alone).

* :func:`file_sha256` -- SHA-256 of a file's bytes, memoised by (path, size, mtime_ns) in a small
  JSON index (``<out>/cache/file-hashes.json``) so a 100 MB weight file is read once, not per run.
  A changed size or mtime re-reads the file; the memo is an index of content hashes, never a
  substitute for them.
* :func:`model_sha256` -- a model directory (every regular file: weights, config, tokenizer) or a
  single GGUF file, as the hash of the sorted (relative name, content hash) list.
* :func:`persona_sha256` -- a persona's statements as loaded (name, both clusters, in order).
* :func:`code_sha256` -- the source of the modules that compute a result (the code version).
* :func:`digest` -- SHA-256 of any JSON-able value, canonically serialised.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from dpoverify import results as dres

INDEX = "file-hashes.json"


def digest(value: Any) -> str:
    """SHA-256 (hex) of ``value`` as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class HashIndex:
    """Content hashes of files, remembered by (resolved path, size, mtime_ns)."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.entries: dict[str, list] = {}
        self.dirty = False
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text())
                if isinstance(loaded, dict):
                    self.entries = {k: v for k, v in loaded.items()
                                    if isinstance(v, list) and len(v) == 3 and isinstance(v[2], str)}
            except (json.JSONDecodeError, UnicodeDecodeError, OSError):
                self.entries = {}  # a damaged index only costs re-reading the files

    def file_sha256(self, path: str | Path) -> str:
        p = Path(path).resolve()
        st = p.stat()
        key = str(p)
        hit = self.entries.get(key)
        if hit is not None and hit[0] == st.st_size and hit[1] == st.st_mtime_ns:
            return hit[2]
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        self.entries[key] = [st.st_size, st.st_mtime_ns, h.hexdigest()]
        self.dirty = True
        return h.hexdigest()

    def save(self) -> None:
        if self.path is not None and self.dirty:
            dres.write_atomic(self.path, json.dumps(self.entries, sort_keys=True) + "\n")
            self.dirty = False


def model_sha256(model: str | Path, index: HashIndex) -> str:
    """The content of a model: a directory's regular files (recursively, hidden ones skipped) or one file."""
    p = Path(model)
    if p.is_file():
        return digest([[p.name, index.file_sha256(p)]])
    files = sorted(f for f in p.rglob("*") if f.is_file() and not any(
        part.startswith(".") for part in f.relative_to(p).parts))
    return digest([[f.relative_to(p).as_posix(), index.file_sha256(f)] for f in files])


def persona_sha256(persona) -> str:
    return digest([persona.name, list(persona.aligned), list(persona.misaligned)])


def code_sha256(*modules) -> str:
    """The code version of a result: SHA-256 over the source files of ``modules``."""
    h = hashlib.sha256()
    for m in modules:
        h.update(Path(m.__file__).read_bytes())
    return h.hexdigest()
