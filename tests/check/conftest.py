"""Servers for the check tests: real processes on loopback ports. The seed-0 mock is the
session-wide `mock_server` fixture from tests/conftest.py."""

from __future__ import annotations

import pytest
from check_helpers import start_faulty

from mockserver import MockServer, start_mock


@pytest.fixture(scope="session")
def mock_seed_1():
    server = start_mock("--seed", "1")
    yield server
    server.stop()


@pytest.fixture
def faulty_server():
    started: list[MockServer] = []

    def start(fault: str) -> MockServer:
        server = start_faulty(fault)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
