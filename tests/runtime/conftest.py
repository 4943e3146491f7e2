import pytest

from mockserver import start_redis


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server for the run; the tests that need it skip only if it is not installed."""
    started = start_redis()
    if started is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    process, url = started
    yield url
    process.terminate()
    process.wait(timeout=10)
