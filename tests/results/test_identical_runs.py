"""`dpoverify check` as a user runs it (a subprocess per run, real claims): the result document is
the same byte for byte apart from its timing block under CPU load, with another PYTHONHASHSEED,
with --jobs 2, and after a kill followed by --resume; a second run into a busy directory refuses.

The claims are small and finish far inside every budget of the quick profile:
section-7.no-flip (symbolic and consistency steps) and definition-c.1 (symbolic and simulated).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO
from tests.unit.test_cli import schema

CLAIMS = ("section-7.no-flip", "definition-c.1")
TIMEOUT = 300


def check(out: Path, *extra: str, hashseed: str = "0", wait: bool = True):
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": hashseed}
    argv = [sys.executable, "-m", "dpoverify", "check", *CLAIMS, "--profile", "quick", "--seed", "3",
            "--out", str(out), *extra]
    proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group: workers can be found
    if not wait:
        return proc
    out_text, err_text = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out_text, err_text


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def without_timing(path: Path) -> str:
    """The file's text up to its timing block, which must be the document's last member."""
    text = path.read_text()
    assert list(json.loads(text))[-1] == "timing"
    head, sep, _ = text.partition('\n  "timing": {')
    assert sep, "no timing block"
    return head


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    code, _, err = check(out)
    assert code == 0, err
    doc = json.loads((out / "check.json").read_text())
    jsonschema.validate(doc, schema())  # among others: no evidence carries "seconds"
    assert doc["complete"] and [c["id"] for c in doc["claims"]] == ["section-7.no-flip", "definition-c.1"]
    assert set(doc["timing"]["obligations"]) == {f"{c['id']}/{o['id']}" for c in doc["claims"]
                                                for o in c["obligations"]}
    return out / "check.json"


def test_the_same_run_beside_a_cpu_burner_is_byte_identical(reference, tmp_path):
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        code, _, err = check(tmp_path)
    finally:
        for b in burners:
            b.kill()
            b.wait()
    assert code == 0, err
    assert without_timing(tmp_path / "check.json") == without_timing(reference)


def test_another_hash_seed_gives_the_same_bytes(reference, tmp_path):
    code, _, err = check(tmp_path, hashseed="4242")
    assert code == 0, err
    assert without_timing(tmp_path / "check.json") == without_timing(reference)


def test_two_jobs_give_the_same_file(reference, tmp_path):
    code, _, err = check(tmp_path, "--jobs", "2", hashseed="random")
    assert code == 0, err
    assert without_timing(tmp_path / "check.json") == without_timing(reference)
    assert json.loads((tmp_path / "check.json").read_text())["timing"]["jobs"] == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_then_resume_finishes_only_what_was_missing(reference, tmp_path, jobs):
    proc = check(tmp_path, "--jobs", jobs, wait=False)
    path, deadline = tmp_path / "check.json", time.monotonic() + TIMEOUT
    first = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            claims = json.loads(path.read_text())["claims"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            claims = []
        if claims:
            proc.send_signal(signal.SIGKILL)
            first = claims[0]["id"]
            break
        time.sleep(0.02)
    proc.wait(timeout=TIMEOUT)
    proc.stdout.close()
    proc.stderr.close()
    assert first is not None and proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    gone = time.monotonic() + 15
    while group_alive(proc.pid) and time.monotonic() < gone:  # --jobs workers end with their parent
        time.sleep(0.2)
    assert not group_alive(proc.pid), "processes of the killed run are left behind"
    killed = json.loads(path.read_text())
    assert killed["complete"] is False and [c["id"] for c in killed["claims"]] == [first]
    finished_before = killed["timing"]["claims"][first]["finished"]

    code, _, err = check(tmp_path, "--resume", "--jobs", jobs)  # the killed run's lock died with it
    assert code == 0, err
    err = " ".join(err.split())
    assert f"{first}: kept (same code, profile, seed, parameters)" in err
    (missing,) = set(CLAIMS) - {first}
    assert missing + ":" not in err  # computed, not kept or "recomputed"
    doc = json.loads(path.read_text())
    assert doc["timing"]["claims"][first]["finished"] == finished_before  # not run again
    assert without_timing(path) == without_timing(reference)


def test_a_second_run_into_a_busy_directory_refuses_with_one_line(reference, tmp_path):
    before = reference.read_bytes()
    (tmp_path / "check.json").write_bytes(before)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from dpoverify.results import locked\n"
        "with locked(sys.argv[1]):\n    print('held', flush=True); time.sleep(600)"), str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, out, err = check(tmp_path)
        assert code == 2 and out == ""
        (line,) = [x for x in err.splitlines() if x.startswith("dpoverify check: error:")]
        assert "in use by another run" in line and f"pid {holder.pid}" in line and "Traceback" not in err
        assert (tmp_path / "check.json").read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # the holder was killed without releasing anything: its lock went with it
    code, _, err = check(tmp_path, "--resume")
    assert code == 0 and err.count("kept") == len(CLAIMS), err
