"""README's "Write your own claim pack" tutorial runs as printed: its code block, saved as
my_pack.py outside the repository, gives what the README says (lower, upper PROVED; wrong
REFUTED at x = 1, the simplest counterexample) through the CLI and through the Python API."""
import json
import re
import sys
from pathlib import Path

import dpoverify as dv
from dpoverify import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def tutorial() -> str:
    block = README.read_text().split("<!-- tutorial:start -->")[1].split("<!-- tutorial:end -->")[0]
    return re.search(r"```python\n(.*?)```", block, re.S).group(1)


def test_the_readme_tutorial_pack_runs_as_the_readme_says(tmp_path, capsys):
    code = tutorial()
    assert len(code.splitlines()) <= 25
    pack = tmp_path / "my_pack.py"
    pack.write_text(code)
    try:
        assert cli.main(["list", "--claims", str(pack), "--markdown"]) == 0
        assert "| `lemma-1` log(1 + x) between its Taylor polynomials | Lemma 1, eqs. 3 | `my_pack.py` | 3 symbolic |" \
            in capsys.readouterr().out
        assert cli.main(["check", "all", "--claims", str(pack), "--profile", "quick", "--json",
                         "--out", str(tmp_path / "results")]) == 1
        doc = json.loads(capsys.readouterr().out)
        obs = {o["id"]: o for o in doc["claims"][0]["obligations"]}
        assert {k: o["verdict"] for k, o in obs.items()} == {"lower": "PROVED", "upper": "PROVED", "wrong": "REFUTED"}
        assert "x=1;" in obs["wrong"]["summary"]

        mod = sys.modules["my_pack"]
        result = dv.check(mod.CLAIM)
        assert result.verdict is dv.Verdict.REFUTED
        assert result["wrong"].counterexample["point"] == {"x": "1"}
    finally:
        sys.modules.pop("my_pack", None)
