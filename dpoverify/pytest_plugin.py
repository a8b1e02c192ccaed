"""pytest plugin: a paper's claims as tests (entry point ``pytest11``, name ``dpoverify``).

    pytest --dpoverify                   # every obligation of the installed packs
    pytest --dpoverify-claims PATH       # the pack at PATH (folder or .py file); repeatable
           --dpoverify-profile quick     # effort (quick, ci, thorough; default quick)
           --dpoverify-seed 0            # seed of every random search
           --dpoverify-strict            # UNDECIDED fails too (otherwise it is skipped, with why)
           --dpoverify-out DIR           # where counterexample files go (default: a fresh temp dir)

One test item per obligation, ``CLAIM/OBLIGATION``. It fails on REFUTED (the failure text has the
counterexample, its file and the ``dpoverify replay`` command) and on ERROR; UNDECIDED is skipped
with the engine's reason, or fails under ``--dpoverify-strict``; PROVED, NO COUNTEREXAMPLE and
VACUOUS pass. The fixture ``dpoverify_check`` is :func:`dpoverify.check` with the session's
profile and seed as defaults.

Without ``--dpoverify`` or ``--dpoverify-claims`` the plugin collects nothing and imports nothing
beyond this module.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("dpoverify", "claims of a paper checked by dpoverify")
    group.addoption("--dpoverify", action="store_true", default=False,
                    help="collect one test per obligation of the installed claim packs")
    group.addoption("--dpoverify-claims", action="append", default=[], metavar="PATH",
                    help="collect one test per obligation of the claim pack at PATH (folder or .py file)")
    group.addoption("--dpoverify-profile", default="quick", metavar="NAME",
                    help="effort profile of the checks: quick (default), ci or thorough")
    group.addoption("--dpoverify-seed", type=int, default=0, metavar="N", help="seed of every random search")
    group.addoption("--dpoverify-strict", action="store_true", default=False,
                    help="an UNDECIDED obligation fails (default: skipped with the reason)")
    group.addoption("--dpoverify-out", default=None, metavar="DIR",
                    help="directory for counterexample files (default: a new temporary directory)")


def _active(config) -> bool:
    return bool(config.getoption("dpoverify") or config.getoption("dpoverify_claims"))


class ObligationFailed(Exception):
    """The obligation's verdict fails the test; the message is the failure text."""


class ObligationItem(pytest.Item):
    def __init__(self, *, claim, obligation, pack_paths, **kw):
        super().__init__(**kw)
        self.claim, self.obligation, self.pack_paths = claim, obligation, pack_paths

    def runtest(self) -> None:
        from dpoverify import api
        from dpoverify.verdicts import Verdict

        cfg = self.config
        profile, seed = cfg.getoption("dpoverify_profile"), cfg.getoption("dpoverify_seed")
        res = api.check(self.claim, profile=profile, seed=seed, obligations=[self.obligation.id]).obligations[0]
        v = res.verdict
        head = f"{self.claim.id}/{res.id} ({self.obligation.cites}): {v.value}: {res.summary}"
        if v is Verdict.REFUTED:
            raise ObligationFailed(head + self._counterexample(res))
        if v is Verdict.ERROR:
            raise ObligationFailed(head + "\n" + str(res.evidence.get("traceback", "")))
        if v is Verdict.UNDECIDED:
            if cfg.getoption("dpoverify_strict"):
                raise ObligationFailed(head + "\n(--dpoverify-strict: UNDECIDED fails)")
            pytest.skip(head)

    def _counterexample(self, res) -> str:
        if res.counterexample is None:
            return ""
        from dpoverify.results import save_counterexample

        out = _out_dir(self.config)
        path = save_counterexample(out, self.claim.id, res.id, res.counterexample, res.seed, res.profile)
        claims = "".join(f" --claims {p}" for p in self.pack_paths)
        payload = json.dumps(res.counterexample, indent=2, sort_keys=True, default=str)
        if len(payload) > 2000:
            payload = payload[:2000] + "\n... (the whole counterexample is in the file)"
        return (f"\ncounterexample ({path}):\n{payload}\n"
                f"replay: dpoverify replay {path}{claims}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ObligationFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"dpoverify {self.claim.id}/{self.obligation.id}"


def _out_dir(config) -> Path:
    out = getattr(config, "_dpoverify_out", None)
    if out is None:
        given = config.getoption("dpoverify_out")
        out = Path(given) if given else Path(tempfile.mkdtemp(prefix="dpoverify-pytest-"))
        config._dpoverify_out = out
    return out


def _items(session) -> list[ObligationItem]:
    from dpoverify import packs, profiles, registry

    config = session.config
    try:
        profiles.get(config.getoption("dpoverify_profile"))
        paths = [str(Path(p).resolve()) for p in config.getoption("dpoverify_claims")]
        loaded = list(packs.installed()) if config.getoption("dpoverify") else []
        if paths:
            registry.use_paths(paths)
            loaded += list(registry.loaded())
        packs.merge(loaded)  # an id in two packs is one usage error
    except (ValueError, packs.PackError) as exc:
        raise pytest.UsageError(f"dpoverify: {exc}") from None
    items = []
    for lp in loaded:
        where = Path(lp.location)
        for claim in lp.claims.values():
            for ob in claim.obligations:
                items.append(ObligationItem.from_parent(
                    session, name=f"{claim.id}/{ob.id}", nodeid=f"{lp.pack.name}::{claim.id}/{ob.id}",
                    path=where, claim=claim, obligation=ob,
                    pack_paths=paths))
    return items


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    if _active(config):
        items.extend(_items(session))


@pytest.fixture
def dpoverify_check(request):
    """:func:`dpoverify.check` with this session's ``--dpoverify-profile`` and ``--dpoverify-seed``
    as defaults: ``dpoverify_check(claim_or_id, **kw) -> CheckResult``."""
    from dpoverify import api

    cfg = request.config

    def run(claim_or_id, **kw):
        kw.setdefault("profile", cfg.getoption("dpoverify_profile"))
        kw.setdefault("seed", cfg.getoption("dpoverify_seed"))
        return api.check(claim_or_id, **kw)

    return run
