import pytest

from dpoverify.engines import Context
from dpoverify.profiles import get


@pytest.fixture
def ctx():
    return Context(get("ci"), seed=3)


@pytest.fixture
def quick():
    return Context(get("quick"), seed=3)
