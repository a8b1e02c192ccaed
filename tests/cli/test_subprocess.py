"""The CLI as a separate process, for what in-process runs cannot show: inputs that used to hang
(here a hang is a timeout, not a stuck test suite) and Ctrl-C (exit 130, one line, no traceback).
Both processes run at once to keep the wall time near one interpreter start-up."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.cli

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 240  # seconds; the refusals below take well under one on a warm interpreter

HANG_CASES = [  # each used to hang (issue 12 §4)
    ["check", "theorem-4.2", "--profile", "quick", "--param", "Q=1e100000000"],
    ["check", "theorem-4.2", "--profile", "quick", "--param", "v=1e-400"],
    ["check", "theorem-4.2", "--profile", "quick", "--param", "Q=" + "9" * 5000],
]
RUN_ALL = f"""
import sys
from dpoverify import cli
codes = [cli.main(argv + ["--out", "out"]) for argv in {HANG_CASES!r}]
print(codes)
"""


def _env():
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_inputs_that_used_to_hang_are_refused_and_ctrl_c_exits_130(tmp_path):
    hang = subprocess.Popen([sys.executable, "-c", RUN_ALL], cwd=tmp_path, env=_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    work = tmp_path / "interrupted"
    work.mkdir()
    long_run = subprocess.Popen([sys.executable, "-m", "dpoverify", "check", "theorem-4.2", "--profile", "ci",
                                 "--out", "out"], cwd=work, env=_env(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        header = long_run.stderr.readline()  # printed once the arguments are checked and the run starts
        assert header.startswith("dpoverify check: 1 claim(s)"), header
        time.sleep(1.0)
        long_run.send_signal(signal.SIGINT)
        _, err = long_run.communicate(timeout=TIMEOUT)
        assert long_run.returncode == 130, err
        assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("dpoverify: interrupted")

        out, err = hang.communicate(timeout=TIMEOUT)
        assert hang.returncode == 0 and out.strip() == "[2, 2, 2]", (out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 3 and all(ln.startswith("dpoverify check: error: --param") for ln in lines), err
        assert not (tmp_path / "out").exists()
    finally:
        for p in (hang, long_run):
            if p.poll() is None:
                p.kill()
                p.communicate()
