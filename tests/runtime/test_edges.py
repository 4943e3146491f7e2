"""Edges of the runtime layer a careless client or CI job finds: bodies nested without end,
faults without number, tokens no header can carry, state files others can read or that are
damaged, a token on a command line."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest
import requests
from click.testing import CliRunner

from campaign_mock.cli import main
from campaign_mock.client import MockServerProcess
from campaign_mock.runtime import control
from campaign_mock.runtime.store import SQLiteStore
from campaign_mock.server.app import create_app
from mockserver import serve_in_thread


@pytest.fixture(scope="module")
def mock():
    with serve_in_thread(create_app()) as server:
        yield server.url


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"operation": ' * 40 + "1" + "}" * 40])
def test_a_deeply_nested_admin_body_is_a_400_naming_the_bound(mock, body):
    response = requests.post(f"{mock}/__mock/ns/deep/faults", data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400 and "nests deeper than 32 levels" in response.json()["error"]["message"]


def test_armed_faults_are_bounded_per_namespace_and_spent_ones_make_room(mock, monkeypatch):
    monkeypatch.setattr(control, "MAX_FAULTS", 3)
    url = f"{mock}/__mock/ns/many/faults"
    for _ in range(3):
        assert requests.post(url, json={"operation": "getCampaigns", "error": 217, "times": None}, timeout=10).status_code == 201
    refused = requests.post(url, json={"operation": "getCampaigns", "error": 217}, timeout=10)
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "faults" and "3 armed faults" in refused.json()["error"]["message"]
    assert len(requests.get(url, timeout=10).json()["faults"]) == 3  # nothing half-applied
    requests.delete(f"{url}/f1", timeout=10)
    assert requests.post(url, json={"operation": "getCampaigns", "error": 217}, timeout=10).status_code == 201


@pytest.mark.parametrize("token", ["tökén", "two words", "tab\there"])
def test_an_admin_token_no_header_can_carry_is_refused(token):
    result = CliRunner().invoke(main, ["serve", "--admin-token", token])
    assert result.exit_code == 2 and "visible ASCII" in result.output and "Traceback" not in result.output


def test_a_state_file_is_its_owners_only(tmp_path):
    store = SQLiteStore(tmp_path / "state.sqlite")
    store.update("ns", lambda state: (state, None, True))
    store.append([("ns", "GET", "/p", "", ((), ()), 200, None, None, None, 1.0, 0.0, "[]")])
    store.close()
    for name in ("state.sqlite", "state.sqlite-wal", "state.sqlite-generation", "state.sqlite-lock"):
        if (tmp_path / name).exists():
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_a_state_file_damaged_mid_file_is_refused_at_start_in_one_line(tmp_path):
    path = tmp_path / "state.sqlite"
    store = SQLiteStore(path)
    for i in range(200):  # a file of many pages
        store.update(f"ns{i}", lambda state: ({**state, "scenarios": [{"name": "x" * 500}]}, None, True))
    store.close()
    with sqlite3.connect(path) as conn:  # (the WAL into the file)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    assert len(data) > 20 * 4096
    middle = len(data) // 4096 // 2 * 4096
    data[middle + 8 : middle + 4096] = b"\xa5" * (4096 - 8)
    path.write_bytes(bytes(data))
    done = subprocess.run([sys.executable, "-m", "campaign_mock", "serve", "--port", "1", "--state", str(path)], capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "damaged" in lines[0] and str(path) in lines[0], done.stderr[-2000:]


def test_the_plugins_server_gets_its_admin_token_without_a_command_line():
    token = "tkn-" + os.urandom(6).hex()
    with MockServerProcess.start(["--seed", "0"], admin_token=token) as server:
        cmdline = open(f"/proc/{server.process.pid}/cmdline", "rb").read()
        assert token.encode() not in cmdline
        assert requests.get(f"{server.url}/__mock/ns/default/faults", timeout=10).status_code == 401
        assert requests.get(f"{server.url}/__mock/ns/default/faults", headers={"X-Mock-Admin-Token": token}, timeout=10).status_code == 200
