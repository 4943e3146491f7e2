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


@pytest.fixture(scope="session")
def faulty_server():
    """start(fault) -> the faulty front for that fault, started once per session: a proxy
    holds no state, and the check and plain-Schemathesis tests of one fault share it."""
    started: dict[str, MockServer] = {}

    def start(fault: str) -> MockServer:
        if fault not in started:
            started[fault] = start_faulty(fault)
        return started[fault]

    yield start
    for server in started.values():
        server.stop()
