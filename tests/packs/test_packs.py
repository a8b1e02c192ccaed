"""Claim packs from outside the repository: a pack written into a temporary folder is listed,
checked, explained, replayed, reported and run as pytest items; load errors name file and field;
the extension points (observables, losses, fuzz ranges, engines) work from a pack."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import dpoverify as dv
from dpoverify import cli, packs, profiles, registry
from dpoverify.fuzzing import strategies

REPO = Path(__file__).resolve().parents[2]

PACK_INIT = '''
import dpoverify as dv
from . import toy_model  # noqa: F401  (registers the observable)

PACK = dv.Pack("toy-pack", dv.Paper("Toy paper", "toy v1", "https://example.org/toy", "Doe, 2026"),
               notes="Toy notes for the report.")
'''

TOY_MODEL = '''
from dataclasses import dataclass
import numpy as np
import dpoverify as dv


@dataclass(eq=False)
class Decay(dv.Observation):
    t: np.ndarray = None
    y: np.ndarray = None

    def summary(self):
        return {"seed": self.seed, "horizon": self.horizon}


def decay(values, options, seed, horizon, loss):
    """y(t) = y0 exp(-a t), y0 drawn from the seed."""
    y0 = np.random.default_rng(seed).uniform(0.5, 1.0)
    t = np.linspace(0.0, horizon, 11)
    return Decay(dataset=None, seed=int(seed), horizon=horizon, t=t, y=y0 * np.exp(-values["a"] * t))


dv.register_observable("toy_decay", decay)
'''

CLAIMS = '''
import sympy as sp
import dpoverify as dv

x = dv.Param("x", dv.Domain(0, 1), "a number in [0, 1]")
a = dv.Param("a", dv.Domain(0, 5, lo_closed=False), "decay rate")
T = dv.Param("T", dv.Domain(0, 10, lo_closed=False), "horizon")
X = x.symbol


def positive(obs, params):
    low = float(obs.y.min())
    return low > 0, low, {{"min": low}}


CLAIM = dv.Claim(
    "toy-1.squares", "squares and a decay", dv.Source("Toy Lemma 1", ("2",)),
    "x^2 <= x on [0, 1]; an exponential decay stays positive.", params=(x, a, T),
    obligations=(
        dv.symbolic("true-step", "x^2 <= x", "eq. 2", [x], [], X**2 <= X),
        dv.symbolic("false-step", "x <= x^2 (false)", "eq. 3", [x], [], X <= X**2),
        dv.Obligation("decay-positive", dv.Kind.SIMULATION, "y stays positive", "eq. 4",
                      dv.SimulationProperty(regime={{"a": 1, "T": {horizon_value}}}, hypotheses=(),
                                            observable="{observable}", horizon={horizon}, check=positive)),
    ),
)
'''


def write_pack(root: Path, name="toy_pack", observable="toy_decay", horizon='sp.Symbol("T")',
               horizon_value="2") -> Path:
    pack = root / name
    pack.mkdir(parents=True)
    (pack / "__init__.py").write_text(PACK_INIT)
    (pack / "toy_model.py").write_text(TOY_MODEL)
    (pack / "claims.py").write_text(CLAIMS.format(observable=observable, horizon=horizon,
                                                  horizon_value=horizon_value))
    return pack


@pytest.fixture
def outside(tmp_path_factory) -> Path:
    """A folder outside the repository, its own name space for modules."""
    root = tmp_path_factory.mktemp("packs")
    assert REPO not in root.parents
    yield root
    for name, mod in list(sys.modules.items()):  # forget the modules loaded from here
        path = getattr(mod, "__path__", None)
        where = [getattr(mod, "__file__", None) or "", *(path if isinstance(path, list) else [])]
        if any(str(w).startswith(str(root)) for w in where):
            del sys.modules[name]


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_pack_outside_the_repository_through_every_command(outside, capsys):
    pack = write_pack(outside / "src")
    out_dir = outside / "results"
    code, out, err = run(capsys, "list", "--claims", pack, "--markdown")
    assert code == 0, err
    assert "`toy-1.squares`" in out and "`toy_pack/claims.py`" in out and "theorem-4.2" not in out

    code, out, err = run(capsys, "check", "all", "--claims", pack, "--profile", "quick", "--json", "--out", out_dir)
    assert code == 1, err
    doc = json.loads(out)
    verdicts = {o["id"]: o["verdict"] for o in doc["claims"][0]["obligations"]}
    # the plain sympy Symbol horizon is substituted by name (it used to end in ERROR)
    assert verdicts == {"true-step": "PROVED", "false-step": "REFUTED", "decay-positive": "NO COUNTEREXAMPLE"}
    assert doc["paper"] == "toy v1 (Doe, 2026)" and doc["claims"][0]["source"]["version"] == "toy v1"

    # spawned --jobs workers load the same pack, and give the same document (timing apart)
    code, out, err = run(capsys, "check", "all", "--claims", pack, "--profile", "quick", "--json",
                         "--jobs", "2", "--out", outside / "results-jobs")
    assert code == 1, err
    assert {k: v for k, v in json.loads(out).items() if k != "timing"} == {k: v for k, v in doc.items() if k != "timing"}

    code, out, err = run(capsys, "explain", "toy-1.squares", "--claims", pack)
    assert code == 0 and "false-step" in out and "toy v1, Toy Lemma 1" in out

    cex = out_dir / "counterexamples" / "toy-1.squares__false-step.json"
    code, out, err = run(capsys, "replay", cex, "--claims", pack)
    assert code == 1 and "REFUTED" in out
    code, out, err = run(capsys, "replay", cex)  # the installed packs do not have the claim
    assert code == 2 and "unknown claim id 'toy-1.squares'" in err

    html = outside / "report.html"
    code, out, err = run(capsys, "report", "--claims", pack, "--from", out_dir, "--out", html)
    assert code == 0, err
    page = html.read_text()
    assert "Toy paper" in page and "Toy notes for the report." in page and "toy-1.squares" in page
    assert "Can DPO Learn" not in page  # this paper's own sections and title stay out

    # after the commands, the installed (here: the test session's) packs are in use again
    assert "theorem-4.2" in registry.all_claims()


def test_pytest_plugin_fails_exactly_on_the_false_step(outside):
    pack = write_pack(outside / "src")
    (outside / "mytests").mkdir()
    (outside / "mytests" / "test_with_fixture.py").write_text(textwrap.dedent('''
        def test_the_fixture_checks_a_step_by_id(dpoverify_check):
            result = dpoverify_check("toy-1.squares", obligations=["true-step"])
            assert result.verdict.value == "PROVED" and result.obligations[0].profile == "quick"
    '''))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "dpoverify.pytest_plugin", "--dpoverify-claims", str(pack),
         "-p", "no:cacheprovider", "-q", "-rA", "--rootdir", str(outside), str(outside / "mytests")],
        cwd=outside, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "1 failed, 3 passed" in out
    assert "PASSED mytests/test_with_fixture.py::test_the_fixture_checks_a_step_by_id" in out
    assert "FAILED toy-pack::toy-1.squares/false-step" in out
    assert "PASSED toy-pack::toy-1.squares/true-step" in out
    assert "PASSED toy-pack::toy-1.squares/decay-positive" in out
    assert "replay: dpoverify replay " in out and f"--claims {pack}" in out and '"point"' in out


def test_pytest_plugin_without_its_options_collects_and_imports_nothing(tmp_path):
    (tmp_path / "test_plain.py").write_text(textwrap.dedent('''
        import sys

        def test_nothing_of_dpoverify_was_imported():
            assert "dpoverify.registry" not in sys.modules and "sympy" not in sys.modules
    '''))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "dpoverify.pytest_plugin", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_claim_id_in_two_packs_is_one_clear_error(outside, capsys):
    first, second = outside / "pack_one.py", outside / "pack_two.py"
    for i, f in enumerate((first, second)):
        f.write_text(f"import sympy as sp\nimport dpoverify as dv\nPACK = dv.Pack('p{i}', dv.Paper('P{i}'))\n"
                     "CLAIM = dv.Claim('toy-1.squares', 't', dv.Source('s'), 's', obligations=(\n"
                     "    dv.symbolic('s', 's', 'c', [], [], sp.true),))\n")
    code, out, err = run(capsys, "list", "--claims", first, "--claims", second)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "claim id toy-1.squares is in two packs" in err, err


@pytest.mark.parametrize("change,field,words", [
    (dict(observable="toy_decya"), "observable", "unknown observable 'toy_decya'"),
    (dict(horizon='sp.Symbol("S")'), "horizon", "uses S"),
    (dict(horizon_value='"2*b"'), "regime", "uses b"),
])
def test_a_typo_in_a_spec_is_a_load_error_naming_file_and_field(outside, capsys, change, field, words):
    pack = write_pack(outside / "src", **change)
    code, out, err = run(capsys, "list", "--claims", pack)
    assert code == 2 and err.count("\n") == 1, err
    assert str(pack / "claims.py") in err and f"field '{field}'" in err and words in err, err


def test_an_unknown_regime_key_or_loss_is_a_load_error():
    def spec(**kw):
        base = dict(regime={"beta": 1, "tua": 1}, hypotheses=(), observable="train_margins",
                    check=lambda o, p: (True, 1.0, {}))
        return dv.SimulationProperty(**{**base, **kw})

    claim = dv.Claim("toy-2", "t", dv.Source("s"), "s", params=(dv.Param("beta", dv.Domain(0)),),
                     obligations=(dv.Obligation("o", dv.Kind.SIMULATION, "o", "c", spec()),))
    with pytest.raises(dv.PackError, match=r"mine.py: claim toy-2, obligation o, field 'regime': keys tua"):
        packs.validate_claim(claim, "mine.py")
    lossy = dv.Claim("toy-2", "t", dv.Source("s"), "s", obligations=(
        dv.Obligation("o", dv.Kind.SIMULATION, "o", "c", spec(regime={}, loss="ipoo")),))
    with pytest.raises(dv.PackError, match="field 'loss': unknown loss 'ipoo'"):
        packs.validate_claim(lossy, "mine.py")


def test_a_bad_claim_id_or_a_missing_pack_declaration_is_a_load_error(outside, capsys):
    folder = outside / "nopack"
    folder.mkdir()
    (folder / "claims.py").write_text("CLAIMS = []\n")
    code, _, err = run(capsys, "list", "--claims", folder)
    assert code == 2 and "declares no PACK" in err
    code, _, err = run(capsys, "list", "--claims", outside / "absent")
    assert code == 2 and "no such file or folder" in err
    step = dv.symbolic("s", "s", "c", [], [], sp.true)
    with pytest.raises(dv.PackError, match="field 'id'"):
        packs.validate_claim(dv.Claim("Lemma 1", "t", dv.Source("s"), "s", obligations=(step,)), "f.py")


def test_a_symbol_with_other_assumptions_in_a_step_is_a_load_error():
    x = dv.Param("x", dv.Domain(0, 1))
    plain = sp.Symbol("x")  # not x.symbol (real): the prover would never substitute it
    claim = dv.Claim("toy-3", "t", dv.Source("s"), "s", params=(x,),
                     obligations=(dv.symbolic("s", "s", "c", [x], [], plain <= 1),))
    with pytest.raises(dv.PackError, match="field 'goal': symbol x is not the parameter's symbol"):
        packs.validate_claim(claim, "f.py")


def test_check_in_memory_gives_results_and_replayable_counterexamples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x = dv.Param("x", dv.Domain(0, 2))
    claim = dv.Claim("toy-4", "t", dv.Source("s"), "s", params=(x,), obligations=(
        dv.symbolic("s", "x^2 <= 2x", "c", [x], [], x.symbol**2 <= 2 * x.symbol),))
    assert dv.check(claim).verdict is dv.Verdict.PROVED
    with pytest.raises(dv.UsageError, match="outside the domain"):
        dv.check(claim, params={"x": 3})
    assert dv.check(claim, params={"x": "1/2"}).verdict is dv.Verdict.PROVED
    assert list(tmp_path.iterdir()) == []  # nothing written
    with pytest.raises(dv.UsageError, match="no counterexample"):
        dv.replay(dv.check(claim)["s"])


def test_this_papers_claims_by_id_through_the_api():
    res = dv.check("definition-c.1")
    assert res.claim.source.version == "arXiv 2408.03459v5"
    assert all(o.verdict is not dv.Verdict.ERROR for o in res.obligations)


def test_registered_loss_drives_the_simulator_like_the_built_in_one():
    from dpoverify.simulator import Regime, sample_dataset, simulate
    from dpoverify.simulator.losses import register_loss

    register_loss("ipo-again", lambda r: 2.0 * (1.0 - r))
    ds = sample_dataset(Regime(K=2, Q=3, d=8, v=0.05, l_b=0.3, Z=1, beta=1.0, tau=1.0), 0)
    mine = simulate(ds, 0.5, loss="ipo-again", t_eval=np.linspace(0, 0.5, 5)).r
    ipo = simulate(ds, 0.5, loss="ipo", t_eval=np.linspace(0, 0.5, 5)).r
    assert np.array_equal(mine, ipo)
    with pytest.raises(ValueError, match="already registered"):
        register_loss("ipo-again", lambda r: 1.0 - r)


def test_fuzz_ranges_of_the_paper_cannot_be_replaced():
    with pytest.raises(ValueError, match="fixed by dpoverify"):
        strategies.register_axis("beta", strategies.Axis(0, 1))
    strategies.register_axis("toy_p", strategies.Axis(0, 1))
    assert strategies.axes(strategies.limits(profiles.get("quick")))["toy_p"] == strategies.Axis(0, 1)


def test_public_api_names_resolve_and_doctests_pass():
    import doctest

    import dpoverify.api
    import dpoverify.claims
    import dpoverify.packs

    for name in dv.__all__:
        assert getattr(dv, name) is not None, name
    for mod in (dv, dpoverify.api, dpoverify.packs, dpoverify.claims):
        failed, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert tried > 0 and failed == 0, mod.__name__
