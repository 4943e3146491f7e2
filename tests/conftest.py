import pytest

from mockserver import start_mock


@pytest.fixture(scope="session")
def mock_server():
    """One real mock (seed 0, default world) for the whole run; it holds no state to reset."""
    server = start_mock()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(mock_server) -> str:
    return mock_server.url
