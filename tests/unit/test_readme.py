"""README's claim table is generated (`dpoverify list --markdown --from ...`), never hand-written:
its rows must match the registry's concordance in everything but the status column."""
import re
from pathlib import Path

from dpoverify.commands.listing import concordance

README = Path(__file__).resolve().parents[2] / "README.md"


def _rows(text: str) -> list[list[str]]:
    block = text.split("<!-- concordance:start -->")[1].split("<!-- concordance:end -->")[0]
    rows = [line for line in block.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in rows]


def test_readme_concordance_matches_the_registry():
    readme = _rows(README.read_text())
    generated = concordance()
    assert [r[0].split("`")[1] for r in readme] == [g["id"] for g in generated]
    for cells, g in zip(readme, generated):
        assert cells[1:4] == [g["location"], f"`{g['module']}`", g["obligations"]], g["id"]
        assert re.fullmatch(r"PROVED|REFUTED|NO COUNTEREXAMPLE|VACUOUS|UNDECIDED|ERROR|not run", cells[4])
