import os
import sys

# The suite's processes keep their bytecode. Where the machine sets PYTHONDONTWRITEBYTECODE (ours
# does), every process compiled campaign-mock from source, and pytest re-wrote the assertions of
# every module of every pytest plugin's package (ours, Schemathesis, Hypothesis: 524 modules,
# 8 s of CPU) in each xdist worker and each pytest it runs. Loaded before the workers start, so
# they, and every server and command the tests start, inherit it.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import pytest  # noqa: E402
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
