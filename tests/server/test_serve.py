"""`campaign-mock serve` and the address it listens on: a host name resolves, an unusable
address is a one-line message and exit 2 before granian starts, never a traceback."""

from __future__ import annotations

import subprocess
import threading
from urllib.parse import urlsplit

import pytest
import requests
from mockserver import CLI, LEVELUP_AUTH, MockServer, free_port, start_mock, start_server


def serve(*args: str) -> tuple[int, str]:
    """Exit status and stderr of a serve that must refuse to start."""
    process = subprocess.Popen([*CLI, "serve", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        MockServer(process, "").stop()  # it started after all: stop it and its workers, and fail
        raise
    return process.returncode, stderr


def test_a_port_in_use_is_refused(mock_server):
    """granian binds with SO_REUSEPORT: without the check, two mocks would share the port."""
    port = str(urlsplit(mock_server.url).port)
    status, stderr = serve("--port", port)
    assert status == 2
    assert stderr.strip() == f"campaign-mock: cannot listen on 127.0.0.1:{port}: Address already in use"


@pytest.mark.parametrize("host, says", [("999.1.1.1", "'999.1.1.1': not an IP address nor a host name"), ("no such host", "not an IP address"), ("192.0.2.1", "cannot listen on 192.0.2.1")])
def test_an_unusable_host_is_refused(host, says):
    status, stderr = serve("--host", host, "--port", str(free_port()))
    assert status == 2
    assert says in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_a_host_name_is_resolved():
    port = free_port()
    server = start_server([*CLI, "serve", "--host", "localhost", "--port", str(port)], port)
    try:
        assert requests.get(f"{server.url}/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH, timeout=10).status_code == 200
    finally:
        server.stop()


def test_the_banner_gives_every_credential_a_scenario_world_needs():
    """A scenario's chain is read by its own admin; serve alone must say who that is."""
    from pathlib import Path

    from campaign_mock.server.config import ServerConfig
    from campaign_mock.server.run import banner

    scenario = Path(__file__).parents[2] / "fixtures" / "scenarios" / "many-assignments.yaml"
    config = ServerConfig(scenarios=(str(scenario),))
    world = config.build_world()
    text = banner("http://127.0.0.1:8080", config, world)
    for session in world.spaaza.sessions.values():
        if session.role == "admin" and session.user_id != 1548854:  # the documented admin has its own curl
            assert f"chain {min(session.chain_ids)}: {session.user_id} / {session.key}" in text
    for token in world.levelup.tokens.values():
        assert f"user {token.user_id}: {token.token}" in text
    assert "(lacks manage_user_campaigns)" in text


def test_serve_explains_its_threads_and_granian_does_not_warn_of_them():
    port = free_port()
    process = subprocess.Popen([*CLI, "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)  # (its workers are killed with it if it will not stop)
    server = MockServer(process, f"http://127.0.0.1:{port}")
    deadline = threading.Timer(60, process.kill)  # a server that never starts ends the read
    deadline.start()
    try:
        seen = []
        for line in process.stdout:
            seen.append(line)
            if "Started worker" in line or len(seen) > 200:
                break
    finally:
        deadline.cancel()
        server.stop()
    text = "".join(seen)
    assert "Started worker" in text, text
    assert "Threads per worker: 4 for requests, 64 more that only wait out forced delays" in text
    assert "Python threads" not in text, text


def test_ctrl_c_stops_serve_soon_with_a_delayed_answer_in_flight():
    """granian waits for the requests a worker holds: an answer waiting out a forced delay held
    Ctrl-C for the whole delay. A worker that has not stopped after STOP_TIMEOUT_S is killed."""
    import signal
    import time

    from campaign_mock.server.run import STOP_TIMEOUT_S

    server = start_mock()
    outcome: list[object] = []

    def delayed():
        try:
            outcome.append(requests.get(server.url + "/get-campaigns?chain_id=1743", headers={"X-Mock-Delay-Ms": "30000"}, timeout=60).status_code)
        except requests.RequestException as e:
            outcome.append(type(e).__name__)

    waiting = threading.Thread(target=delayed)
    waiting.start()
    try:
        time.sleep(0.5)  # (the request is in: a delay slot held)
        started = time.monotonic()
        server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=STOP_TIMEOUT_S + 15)  # (before: 29.5 s, the rest of the delay)
        print(f"stopped after {time.monotonic() - started:.1f} s")
    finally:
        server.stop()  # (kills it and its workers if it did not stop)
        waiting.join(timeout=60)
    assert outcome and outcome[0] != 200, outcome  # the delayed answer was cut, not sent
