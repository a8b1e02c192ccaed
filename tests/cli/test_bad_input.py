"""The hostile inputs of issue 12 §4, each as an explicit case: one line on stderr, exit 2, within a
few seconds, and nothing written or overwritten (every case runs in-process, in a fresh directory
whose whole tree is compared before and after)."""
import json
import os
import shutil

import pytest

from gpu_checks import personas

from .hostile import GRAD_CEX, PROVER_CEX, SIM_CEX, counterexample, one_line_error, run, snapshot

pytestmark = pytest.mark.cli

OUT_COMMANDS = [  # every command that writes a results directory, with its cheapest arguments
    ["check", "theorem-4.2", "--profile", "quick"],
    ["fuzz", "theorem-4.2", "--profile", "quick"],
    ["boundary", "theorem-4.2", "--profile", "quick"],
    ["tightness", "theorem-4.2", "--profile", "quick"],
    ["scaling", "--profile", "quick"],
    ["audit", "--k", "1"],
]
SEED_COMMANDS = OUT_COMMANDS + [["report"]]


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A fresh working directory; yields it, then checks nothing in it changed."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "a-file").write_text("keep me\n")
    (work / "results").mkdir()
    (work / "results" / "check.json").write_text('{"kept": true}\n')
    monkeypatch.chdir(work)
    before = snapshot(work)
    yield work
    assert snapshot(work) == before, "a refused command changed files"


def refused(capsys, argv, needle=None, seconds=20.0):
    code, out, err, took = run(capsys, argv)
    assert one_line_error(code, err), (code, err)
    if needle is not None:
        assert needle in err, err
    assert took < seconds, f"took {took:.1f} s"
    return err


@pytest.mark.parametrize("argv", OUT_COMMANDS, ids=lambda a: a[0])
@pytest.mark.parametrize("out, needle", [
    ("a-file", "exists and is not a directory"),
    ("", "empty path"),
    ("a-file/sub", "cannot write there"),
    ("/proc/dpoverify-no-such-dir", "cannot write there"),
])
def test_out_that_cannot_be_a_results_directory(place, capsys, argv, out, needle):
    refused(capsys, argv + ["--out", out], needle)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_out_read_only_directory(place, capsys):
    ro = place / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        refused(capsys, ["check", "theorem-4.2", "--out", str(ro)], "cannot write there")
    finally:
        ro.chmod(0o755)
        ro.rmdir()


def test_out_read_only_directory_as_seen_by_the_system(place, capsys, monkeypatch):
    """Whatever the user, the check asks the system itself: a directory where creating a file
    fails (here: mkstemp raising EACCES, as on a read-only mount) is refused."""
    import tempfile

    def deny(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", deny)
    refused(capsys, ["check", "theorem-4.2", "--out", "results"], "Permission denied")


@pytest.mark.parametrize("argv", [["list", "--from", ""], ["report", "--from", ""]], ids=["list", "report"])
def test_empty_from_is_refused_not_ignored(place, capsys, argv):
    refused(capsys, argv, "--from: empty path")


def test_report_outputs_are_files(place, capsys):
    refused(capsys, ["report", "--from", "results", "--out", "results"], "is a directory (name a file)")
    refused(capsys, ["report", "--from", "results", "--out", ""], "empty path")
    refused(capsys, ["report", "--from", "results", "--markdown", "a-file/x.md"], "is not a directory")


@pytest.mark.parametrize("argv", SEED_COMMANDS, ids=lambda a: a[0])
@pytest.mark.parametrize("seed", ["-1", str(2 ** 32)])
def test_seed_outside_32_bits(place, capsys, argv, seed):
    refused(capsys, argv + ["--seed", seed, "--out", "results"] if argv[0] != "report" else
            argv + ["--seed", seed], "--seed must be an integer in [0, 2^32)")


@pytest.mark.parametrize("param, needle", [
    ("Q=1e309", "exponent out of range"),
    ("Q=1e100000000", "exponent out of range"),
    ("v=1e-400", "exponent out of range"),
    ("Q=" + "9" * 5000, "too long"),
    ("Q=1" + "0" * 100, "too long"),  # 10^100 written in digits
    ("Q=1000000000", "outside the domain of Q in theorem-4.2/vacuous-below"),  # 10^9: a step's own domain
    ("Q=nan", "not a finite number"),
    ("Q=inf", "not a finite number"),
    ("Q=1/0", "division by zero"),
    ("Q=__import__('os')", "not a finite number"),
])
def test_param_values_beyond_limits(place, capsys, param, needle):
    refused(capsys, ["check", "theorem-4.2", "--profile", "quick", "--param", param, "--out", "results"], needle)


# theorem-4.2/4.3 refuse Q = 10^9 earlier: it is outside a step's own domain (above)
@pytest.mark.parametrize("claim", ["theorem-c.5", "lemma-b.2"])
def test_a_regime_beyond_the_machine_is_refused_with_its_size(place, capsys, claim):
    """Q = 10^9 would allocate N x d = 4e9 x 5e9 floats in the simulator: refused up front."""
    err = refused(capsys, ["check", claim, "--profile", "quick", "--param", "Q=1000000000", "--out", "results"],
                  "GiB of memory")
    assert "N = 2KQ = 4e+09" in err


def test_a_regime_within_the_machine_passes_the_memory_check():
    from dpoverify.fuzzing import regime as rg

    values = rg.resolve({"K": 2, "Q": 40, "d": "5*Q"})
    need, _ = rg.memory_needed(values, "train_margins", 65)
    assert need < 2 ** 30  # the default regime needs well under a GiB
    rg.require_memory(values, "train_margins", 65)
    with pytest.raises(ValueError, match="GiB of memory"):
        rg.require_memory(rg.resolve({"K": 2, "Q": 10 ** 6, "d": "5*Q"}), "train_margins", 65)


@pytest.mark.parametrize("changes, needle", [
    ({"claim": ["lemma-c.4"]}, "'claim' must be a string"),
    ({"obligation": 7}, "'obligation' must be a string"),
    ({"seed": "abc"}, "'seed' must be an integer"),
    ({"seed": -1}, "'seed' must be an integer"),
    ({"seed": True}, "'seed' must be an integer"),
    ({"profile": "turbo"}, "unknown profile 'turbo'"),
    ({"payload": {}}, "malformed counterexample payload"),
    ({"payload": []}, "'payload' must be an object"),
    ({"payload": {"point": {"l_b": "1"}}}, "are not the step's variables"),
    ({"payload": {"point": {"delta": "0", "eps": "1", "v": "1", "l_b": "1e100000000"}}}, "exponent out of range"),
    ({"payload": {"point": {"delta": "0", "eps": "1", "v": "1", "l_b": "sqrt(2)"}}}, "exact rational"),
    ({"claim": "no-such-claim"}, "no-such-claim"),
    ({"claim": "x" * 100_000}, "unknown claim"),
    ({"schema": None}, "not a dpoverify counterexample"),
])
def test_replay_of_a_malformed_counterexample(place, capsys, changes, needle):
    path = counterexample(place / "results" / "cex.json", **changes)
    refused(capsys, ["replay", str(path)], needle)
    path.unlink()


@pytest.mark.parametrize("regime, needle", [
    ({"Q": "1000000000", "N": "4000000000", "d": "5000000000"}, "GiB of memory"),
    ({"v": "__import__('os').getcwd()"}, "unknown name '__import__'"),
    ({"v": [1]}, "must be a number or an expression"),
    ({"Q": "(10^1000)^1000"}, "more than 1000 digits"),
    ({"os": "1"}, "unknown parameter(s) ['os']"),
])
def test_replay_of_a_malformed_simulated_regime(place, capsys, regime, needle):
    doc = json.loads(SIM_CEX.read_text())
    doc["payload"]["regime"].update(regime)
    path = counterexample(place / "results" / "cex.json", SIM_CEX, payload=doc["payload"])
    refused(capsys, ["replay", str(path)], needle)
    path.unlink()


def test_replay_of_a_binary_file_names_it(place, capsys):
    path = place / "results" / "binary.json"
    path.write_bytes(bytes(range(256)) * 4)
    refused(capsys, ["replay", str(path)], f"{path}: not a text file")
    path.unlink()


def test_replay_of_a_point_where_the_step_holds_says_so(place, capsys):
    doc = json.loads(PROVER_CEX.read_text())
    doc["payload"]["point"]["l_b"] = "1/2"  # lemma C.3 asks l_b <= 1/2
    path = counterexample(place / "results" / "cex.json", payload=doc["payload"])
    code, out, err, _ = run(capsys, ["replay", str(path), "--json"])
    result = json.loads(out)
    assert code == 0 and result["verdict"] == "NO COUNTEREXAMPLE", (code, out, err)
    assert "no longer a counterexample" in result["summary"] and "the goal holds" in result["summary"]
    doc["payload"]["point"]["l_b"] = "-1"  # outside l_b's domain: the step says nothing there
    counterexample(path, payload=doc["payload"])
    code, out, _, _ = run(capsys, ["replay", str(path), "--json"])
    assert code == 0 and json.loads(out)["verdict"] == "VACUOUS"
    path.unlink()


def test_replay_of_a_gradient_instance_where_the_identity_holds_says_so(capsys):
    code, out, err, _ = run(capsys, ["replay", str(GRAD_CEX), "--json"])
    result = json.loads(out)
    assert code == 0 and result["verdict"] == "NO COUNTEREXAMPLE" and "no longer" in result["summary"], (out, err)


def test_replay_of_the_saved_counterexample_still_refutes(capsys):
    code, out, err, _ = run(capsys, ["replay", str(PROVER_CEX)])
    assert code == 1 and "re-verified exactly" in out, (out, err)


def _personas(root, *extra: tuple[str, str | bytes], keep: int = 3):
    d = root / "personas"
    d.mkdir()
    for f in sorted(personas.EMBEDDED_DIR.glob("*.jsonl"))[:keep]:
        shutil.copy(f, d)
    for name, content in extra:
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return d


def _rows(n_yes, n_no):
    return "".join(json.dumps({"statement": f"statement {i}", "answer_matching_behavior": a}) + "\n"
                   for i, a in enumerate([" Yes"] * n_yes + [" No"] * n_no))


@pytest.mark.parametrize("extra, keep, needle", [
    (("bin.jsonl", bytes(range(256)) * 4), 3, "bin.jsonl: not UTF-8 text"),
    (("big.jsonl", '{"statement": "' + "a" * 10_000_000 + '", "answer_matching_behavior": " Yes"}\n'), 3,
     "big.jsonl:1: a line longer than"),
    (("long.jsonl", _rows(12, 12).replace("statement 0", "s" * 5000)), 3, "a statement of"),
    (("deep.jsonl", "[" * 5000 + "]" * 5000 + "\n"), 3, "deep.jsonl:1:"),
    (("small.jsonl", _rows(2, 2)), 3, "small (2 Yes, 2 No); each cluster needs at least 10"),
    (("one-sided.jsonl", _rows(30, 0)), 3, "needs statements in both clusters"),
    (None, 1, "needs at least 2 personas"),
    (None, 0, "no <persona>.jsonl files"),
])
def test_audit_refuses_persona_data_before_loading_a_model(tmp_path, place, capsys, extra, keep, needle):
    d = _personas(tmp_path, *([extra] if extra else []), keep=keep)
    refused(capsys, ["audit", "--personas", str(d), "--out", "results", "--k", "1"], needle, seconds=10)
