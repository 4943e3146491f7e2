"""Servers for the check tests, on threads of the test process (mockserver.serve_in_thread):
no interpreter to start and no world to build per server. The seed-0 mock is the
session-wide `mock_server` process from tests/conftest.py."""

from __future__ import annotations

import pytest
from faulty_server import create_faulty_app, with_fault

from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig
from mockserver import ThreadServer, serve_in_thread


@pytest.fixture(scope="session")
def mock_seed_1():
    with serve_in_thread(create_app(ServerConfig(seed=1))) as server:
        yield server


@pytest.fixture(scope="session")
def fault_url():
    """fault_url(fault) -> the base URL of a server that answers as the mock with that fault
    planted (faulty_server.py). One front and one mock serve every fault, each fault on a
    port of its own, opened on first use: a proxy holds no state to share by mistake."""
    front = create_faulty_app()
    servers: dict[str, ThreadServer] = {}

    def url(fault: str) -> str:
        if fault not in servers:
            servers[fault] = serve_in_thread(with_fault(front, fault))
        return servers[fault].url

    yield url
    for server in servers.values():
        server.stop()
