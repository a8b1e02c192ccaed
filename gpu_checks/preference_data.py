"""A practitioner's own preference data in TRL's format, as the audit's values and clusters.

Accepted: a JSONL file (one JSON object a line) or a local ``datasets`` directory
(``Dataset.save_to_disk``; needs the ``datasets`` package), with string columns ``prompt``,
``chosen``, ``rejected`` and a group column named by ``--group-column`` (the value a preference
belongs to). The audit's DPO is the single-answer-token form of Section 3, so the responses must be
two strings in all (e.g. " Yes"/" No" or " A"/" B"), each one token of the model's tokenizer (checked
when the model loads): a row that prefers the first of them (in order of first appearance as
``chosen``) puts its prompt in the group's cluster C_{i,+}, the other in C_{i,-}. Other data are
refused with one line naming file and row: multi-token or more than two distinct responses need
Section 4.3's multi-token form, which the audit does not implement. The prompt is used verbatim
(no Figure 1a template).
"""
from __future__ import annotations

import json
from pathlib import Path

from .personas import Persona, PersonaDataError

COLUMNS = ("prompt", "chosen", "rejected")
MULTI = ("the audit trains the single-answer-token DPO of Section 3; Section 4.3's multi-token form "
         "is not implemented")


def _rows(path: Path):
    if path.is_dir():
        try:
            import datasets
        except ImportError:
            raise PersonaDataError(f"{path}: reading a datasets directory needs the datasets package "
                                   "(pip install datasets), or give a JSONL file") from None
        try:
            ds = datasets.load_from_disk(str(path))
        except (OSError, ValueError, FileNotFoundError) as exc:
            raise PersonaDataError(f"{path}: not a saved datasets directory ({exc})") from None
        if isinstance(ds, datasets.DatasetDict):
            if "train" not in ds:
                raise PersonaDataError(f"{path}: a DatasetDict without a 'train' split")
            ds = ds["train"]
        for i, row in enumerate(ds, 1):
            yield f"{path} row {i}", row
        return
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            where = f"{path}:{lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise PersonaDataError(f"{where}: not UTF-8 text") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PersonaDataError(f"{where}: not valid JSON ({exc.msg})") from None
            yield where, row


def load(path: str | Path, group_column: str) -> tuple[dict[str, Persona], tuple[str, str]]:
    """The groups of a TRL-format preference dataset as personas, and the two responses (y_+, y_-)."""
    p = Path(path)
    if not p.exists():
        raise PersonaDataError(f"no such preference file or directory: {p}")
    answers: list[str] = []
    clusters: dict[str, tuple[list[str], list[str]]] = {}
    for where, row in _rows(p):
        if not isinstance(row, dict):
            raise PersonaDataError(f"{where}: expected a JSON object")
        for col in (*COLUMNS, group_column):
            if col not in row:
                raise PersonaDataError(f"{where}: no '{col}' column (TRL format: prompt, chosen, rejected; "
                                       f"--group-column {group_column})")
        prompt, chosen, rejected, group = (row[c] for c in (*COLUMNS, group_column))
        if not all(isinstance(x, str) for x in (prompt, chosen, rejected)):
            raise PersonaDataError(f"{where}: prompt, chosen and rejected must be strings (conversational "
                                   f"TRL data, lists of messages, is not supported)")
        if not isinstance(group, (str, int)) or isinstance(group, bool) or str(group).strip() == "":
            raise PersonaDataError(f"{where}: '{group_column}' must be a non-empty string or an integer")
        if not prompt.strip():
            raise PersonaDataError(f"{where}: empty prompt")
        if chosen == rejected:
            raise PersonaDataError(f"{where}: chosen and rejected are the same response")
        for resp in (chosen, rejected):
            if resp not in answers:
                answers.append(resp)
        if len(answers) > 2:
            raise PersonaDataError(f"{where}: a third distinct response {answers[2]!r} (after {answers[0]!r}, "
                                   f"{answers[1]!r}): {MULTI}")
        pos, neg = clusters.setdefault(str(group), ([], []))
        (pos if chosen == answers[0] else neg).append(prompt)
    if not clusters:
        raise PersonaDataError(f"{p}: no preferences")
    thin = [g for g, (pos, neg) in clusters.items() if len(pos) < 2 or len(neg) < 2]
    if thin:
        raise PersonaDataError(f"{p}: group(s) {', '.join(thin[:3])} need at least 2 preferences for each "
                               f"response (to split 90/10 and measure a cluster)")
    return ({g: Persona(g, tuple(pos), tuple(neg)) for g, (pos, neg) in sorted(clusters.items())},
            (answers[0], answers[1]))
