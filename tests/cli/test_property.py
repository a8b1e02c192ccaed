"""A property test of the CLI itself (issue 12 §5).

Hypothesis builds command lines from the real commands, claim ids, flags and hostile values, and
files from the real formats (counterexamples, check.json, audit.json, persona JSON lines) with
mutations. Every run, in-process through ``dpoverify.cli.main``, must end with exit 0, 1, 2, 3 or
130, with no traceback or internal error on stderr, exit 2 as exactly one line, within a time
bound, without running code from its input or handing it to sympy's parser, and without changing any file outside the ``--out``
it was given (nothing at all when it refuses). The hostile cases of §4 are explicit examples in
test_bad_input.py.

Budget: ``DPOVERIFY_CLI_EXAMPLES`` examples (default 30), derandomized so CI is reproducible
(``DPOVERIFY_CLI_RANDOM=1`` explores new ones); the
engines it reaches are cheap by construction: ``check`` runs only claims decided in a second or
two with ``--profile quick``, simulated counterexamples replay one draw, heavy commands (fuzz,
boundary, tightness, scaling, report, audit) are only given inputs they must refuse up front.
"""
import json
import os
import tempfile
import time
from pathlib import Path
from unittest import mock

import pytest
import sympy.parsing.sympy_parser as sympy_parser
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dpoverify import registry

from .hostile import EXITS, GRAD_CEX, PROVER_CEX, SIM_CEX, one_line_error, run, snapshot

pytestmark = pytest.mark.cli

EXAMPLES = int(os.environ.get("DPOVERIFY_CLI_EXAMPLES", "30"))
RANDOM = bool(os.environ.get("DPOVERIFY_CLI_RANDOM"))  # explore new examples instead of CI's fixed ones
SECONDS = 60.0  # per command line, in-process, on a loaded 2-core machine
CHEAP_CLAIMS = ["section-7.no-flip", "lemma-c.3"]  # `check --profile quick` in ~1-2 s
SENTINEL = "PWNED"
CODE = f"__import__('pathlib').Path('{SENTINEL}').touch()"
HOSTILE_TEXT = ["", " ", "abc", "-1", "0", "1e309", "1e100000000", "1e-400", "9" * 5000, "nan", "inf",
                "-inf", "1/0", "10^9", "1000000000", CODE, "\x00", "é", "../..", "--help", "-"]
HOSTILE_JSON = [None, True, False, -1, 0, 2 ** 64, 1e308, -1e-308, "", "abc", CODE, "1e100000000",
                "(10^1000)^1000", "sqrt(-1)", [], {}, [1, 2], {"a": 1}, "9" * 5000]


def claim_ids():
    return sorted(registry.all_claims())


def _sim_base() -> dict:
    doc = json.loads(SIM_CEX.read_text())
    seed = doc["payload"]["failing_seeds"][0]
    doc["payload"]["seeds"] = doc["payload"]["failing_seeds"] = [seed]  # one draw: fast to replay
    return doc


_AUDIT = {}


def audit_doc() -> dict:
    if not _AUDIT:
        from dpoverify.results import dumps
        from tests.audit.synthetic import doc_for, theory_groups

        groups, q, _ = theory_groups(K=3, n=40)
        _AUDIT["doc"] = json.loads(dumps(doc_for(groups, q)))
    return json.loads(json.dumps(_AUDIT["doc"]))


def paths_in(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from paths_in(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:5]):
            yield from paths_in(v, prefix + (i,))


def mutate_json(data, doc):
    """A document with a few of its values deleted or replaced by hostile ones."""
    for _ in range(data.draw(st.integers(0, 3), label="mutations")):
        paths = [p for p in paths_in(doc) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            value = data.draw(st.sampled_from(HOSTILE_JSON), label="value")
            parent[path[-1]] = json.loads(json.dumps(value))  # a copy: later mutations must not reach the constant
    return doc


def mutate_text(data, text: str) -> bytes:
    raw = text.encode()
    how = data.draw(st.sampled_from(["as is", "as is", "truncate", "binary", "empty", "garbage"]), label="text")
    if how == "truncate":
        return raw[:data.draw(st.integers(0, len(raw)), label="cut")]
    if how == "binary":
        return bytes(range(256)) + raw
    if how == "empty":
        return b""
    if how == "garbage":
        return data.draw(st.binary(max_size=64), label="bytes")
    return raw


def poison(data, doc, *where):
    """One value under ``doc[where...]`` (a regime, a point, a statistics block) made hostile text:
    the mutations most likely to reach a parser."""
    block = doc
    for k in where:
        if not isinstance(block, dict) or k not in block:
            return doc
        block = block[k]
    leaves = [p for p in paths_in(block) if p and not isinstance(_at(block, p), (dict, list))]
    if leaves and data.draw(st.booleans(), label="poison"):
        path = data.draw(st.sampled_from(leaves), label="poisoned")
        _at(block, path[:-1])[path[-1]] = data.draw(st.one_of(st.just(CODE), st.sampled_from(HOSTILE_TEXT)),
                                                    label="text")
    return doc


def _at(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def write(data, path: Path, doc) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mutate_text(data, json.dumps(mutate_json(data, doc))))
    return path


def out_arg(data, work: Path) -> str:
    return data.draw(st.sampled_from(["out", "out", "existing", "a-file", "a-file/x", "", "/proc/no-such"]),
                     label="--out")


def seed_args(data) -> list[str]:
    return data.draw(st.sampled_from([[], [], ["--seed", "0"], ["--seed", "7"], ["--seed", "-1"],
                                      ["--seed", str(2 ** 32)], ["--seed", "abc"], ["--seed", "1e3"]]),
                     label="--seed")


def profile_args(data, heavy_ok=False) -> list[str]:
    return data.draw(st.sampled_from([["--profile", "quick"], ["--profile", "quick"], ["--profile", "turbo"],
                                      ["--profile", ""]]), label="--profile")


def param_args(data, claim) -> list[str]:
    names = [p.name for p in registry.all_claims()[claim].params] if claim in registry.all_claims() else ["Q"]
    args = []
    for _ in range(data.draw(st.integers(0, 2), label="params")):
        name = data.draw(st.sampled_from(names + ["nope", "", "__class__"]), label="name")
        value = data.draw(st.one_of(st.sampled_from(HOSTILE_TEXT), st.sampled_from(["1/4", "2", "0.3", "1e-3"])),
                          label="value")
        args += ["--param", f"{name}={value}"]
    return args


def must_refuse(data) -> list[str]:
    """Arguments of which at least one is bad, for commands too heavy to run in this test."""
    return data.draw(st.sampled_from([["--seed", "-1"], ["--seed", str(2 ** 32)], ["--out", ""],
                                      ["--out", "a-file"], ["--out", "a-file/x"], ["--profile", "turbo"]]),
                     label="refused")


def personas_dir(data, work: Path) -> Path:
    """A persona directory the audit must refuse (too few personas, or a broken file)."""
    from gpu_checks import personas

    d = work / "personas"
    d.mkdir()
    files = sorted(personas.EMBEDDED_DIR.glob("*.jsonl"))
    keep = data.draw(st.sampled_from([0, 1, 3]), label="personas kept")
    for f in files[:keep]:
        (d / f.name).write_bytes(f.read_bytes())
    if keep == 3:  # then a broken one
        rows = files[3].read_text().splitlines()
        broken = data.draw(st.sampled_from(["few", "binary", "long line", "bad row", "one-sided"]), label="broken")
        text = {"few": "\n".join(rows[:2] + rows[-2:]), "binary": None,
                "long line": '{"statement": "' + "a" * 20_000 + '"}',
                "bad row": "\n".join(rows[:30]) + "\n" + json.dumps(data.draw(st.sampled_from(HOSTILE_JSON))),
                "one-sided": "\n".join(r for r in rows if '"answer_matching_behavior": " Yes"' in r)}[broken]
        (d / "broken.jsonl").write_bytes(bytes(range(128, 256)) if text is None else text.encode())
    return d


def command(data, work: Path) -> tuple[list[str], str | None]:
    """(argv, the --out it may write, or None)."""
    kind = data.draw(st.sampled_from(["list", "explain", "check", "check", "replay", "replay",
                                      "judge", "heavy", "audit", "report"]), label="command")
    ids = claim_ids()
    if kind == "list":
        argv = ["list"] + data.draw(st.sampled_from([[], ["--markdown"]]), label="md")
        if data.draw(st.booleans(), label="from"):
            check = {"schema": "dpoverify.check/1", "claims": [], "verdict": "PROVED"}
            src = work / "given" / "check.json"
            argv += ["--from", str(write(data, src, check))]
        return argv, None
    if kind == "explain":
        return ["explain", data.draw(st.sampled_from(ids + ["nope", "", CODE, "x" * 1000]), label="id")], None
    if kind == "check":
        claim = data.draw(st.sampled_from(CHEAP_CLAIMS + ["no-such-claim", CODE]), label="claim")
        out = out_arg(data, work)
        argv = (["check", claim] + profile_args(data) + seed_args(data) + param_args(data, claim)
                + ["--out", out] + data.draw(st.sampled_from([[], ["--json"]]), label="json"))
        return argv, out
    if kind == "replay":
        base = data.draw(st.sampled_from(["prover", "simulation", "gradient"]), label="counterexample")
        doc = {"prover": lambda: json.loads(PROVER_CEX.read_text()), "simulation": _sim_base,
               "gradient": lambda: json.loads(GRAD_CEX.read_text())}[base]()
        doc = poison(data, doc, "payload", {"prover": "point", "simulation": "regime", "gradient": "instance"}[base])
        path = write(data, work / "given" / "cex.json", doc)
        return ["replay", str(path)] + data.draw(st.sampled_from([[], ["--json"]]), label="json"), None
    if kind == "judge":  # the empirical judges on a mutated audit.json (no model, no training)
        out = work / "existing"
        write(data, out / "audit.json", poison(data, audit_doc(), "geometry"))
        claim = data.draw(st.sampled_from(["section-5.geometry", "appendix-e.gaussian"]), label="claim")
        return ["check", claim, "--out", "existing"], "existing"
    if kind == "heavy":
        name = data.draw(st.sampled_from(["fuzz", "boundary", "tightness", "scaling"]), label="heavy")
        claim = [] if name == "scaling" else [data.draw(st.sampled_from(ids), label="claim")]
        extra = []
        if name == "fuzz":
            for flag in ("--examples", "--jobs", "--placement"):
                if data.draw(st.booleans(), label=flag):
                    extra += [flag, data.draw(st.sampled_from(HOSTILE_TEXT + ["1", "2"]), label="value")]
        return [name, *claim, *extra, *must_refuse(data)], None
    if kind == "audit":
        d = personas_dir(data, work)
        extra = []
        for flag in ("--k", "--only", "--steps", "--lr", "--beta", "--batch-size", "--mode", "--readout"):
            if data.draw(st.booleans(), label=flag):
                extra += [flag, data.draw(st.sampled_from(HOSTILE_TEXT + ["1", "2", "1,2"]), label="value")]
        return ["audit", "--personas", str(d), "--k", "1", "--out", "out"] + extra + seed_args(data), None
    return ["report", "--from", "existing", *must_refuse(data)], None


def allowed_change(path: str, work: Path, out: str | None) -> bool:
    if out is None or not out.strip():
        return False
    root = os.path.realpath(work / out)
    return os.path.realpath(path) == root or os.path.realpath(path).startswith(root + os.sep)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_any_command_line_ends_cleanly(data, capsys):
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="dpoverify-cli-") as tmp:
        work = Path(tmp)
        (work / "a-file").write_text("keep me\n")
        (work / "existing").mkdir()
        (work / "existing" / "check.json").write_text('{"kept": true}\n')
        argv, out = command(data, work)
        before = snapshot(work)
        parsed = []
        real_parse = sympy_parser.parse_expr

        def parse_expr(text, *a, **k):  # what sympify is asked to evaluate
            parsed.append(text)
            return real_parse(text, *a, **k)

        os.chdir(work)
        try:
            with mock.patch.object(sympy_parser, "parse_expr", parse_expr):
                t0 = time.perf_counter()
                code, stdout, err, _ = run(capsys, argv)
                took = time.perf_counter() - t0
        finally:
            os.chdir(cwd)
        after = snapshot(work)
        note = f"argv={[a[:60] for a in argv]} code={code} stderr={err[-600:]!r}"
        event(f"{argv[0]} {argv[1] if argv[0] == 'check' else ''} exit {code}".replace("  ", " "))
        assert code in EXITS, note
        assert "Traceback" not in err and "internal error" not in err, note
        if code == 2:
            assert one_line_error(code, err), note
        assert took < SECONDS, note
        assert not (work / SENTINEL).exists(), note
        assert not [t for t in parsed if isinstance(t, str) and SENTINEL in t], note  # input never reaches sympify
        changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
        if code == 2:
            assert not changed, f"{note} changed={sorted(changed)}"
        else:
            stray = sorted(p for p in changed if not allowed_change(p, work, out))
            assert not stray, f"{note} changed outside --out: {stray}"
