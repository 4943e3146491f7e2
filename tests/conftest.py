import os

import pytest
from hypothesis import settings

from mockserver import start_mock

# By default every run draws the same Hypothesis cases, so a red CI build can be re-run and
# reproduced on any clone; HYPOTHESIS_PROFILE=explore draws fresh ones to hunt for new bugs.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def mock_server():
    """One real mock (seed 0, default world) for the whole run; it holds no state to reset."""
    server = start_mock()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(mock_server) -> str:
    return mock_server.url
