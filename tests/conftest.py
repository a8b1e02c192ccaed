"""Shared pytest set-up: the Hypothesis profile (ci unless DPOVERIFY_PROFILE says otherwise) and
the location of the persona data beside the project."""
import os
from pathlib import Path

import pytest
from hypothesis import settings

import dpoverify.profiles  # noqa: F401  (registers the quick/ci/thorough Hypothesis profiles)
import theorems
from dpoverify import registry

# These tests are about this paper's claims: its pack only, even where other packs (the example
# pack in CI) are installed. tests/packs tests the installed packs and the entry points.
registry.use_paths([Path(theorems.__file__).parent])

settings.load_profile(os.environ.get("DPOVERIFY_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
PERSONAS = REPO.parent / "shared" / "datasets" / "anthropic-persona"


@pytest.fixture
def personas_dir() -> Path:
    if not PERSONAS.is_dir():
        pytest.skip(f"persona data not found at {PERSONAS} (it sits beside the project, not in it)")
    return PERSONAS
