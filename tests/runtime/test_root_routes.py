"""The admin API at the root acts on the default namespace, as the root's vendor paths do;
an unknown /__mock/ route names the routes that exist. A real server on a loopback port."""

from __future__ import annotations

import time

import requests
from mockserver import serve_in_thread

from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig


def test_root_routes_are_the_default_namespace(tmp_path):
    with serve_in_thread(create_app(ServerConfig(state=str(tmp_path / "state.sqlite")))) as server:
        root, ns = f"{server.url}/__mock", f"{server.url}/__mock/ns/default"
        moved = requests.put(f"{root}/clock", json={"now": "2020-01-01T00:00:00+00:00"}, timeout=10)
        assert moved.status_code == 200 and requests.get(f"{ns}/clock", timeout=10).json()["now"] == "2020-01-01T00:00:00+00:00"
        assert requests.delete(f"{root}/clock", timeout=10).status_code == 204
        assert requests.get(f"{ns}/clock", timeout=10).json()["source"] != "set"
        fault = requests.post(f"{root}/faults", json={"operation": "getCampaigns", "error": 217}, timeout=10).json()
        assert [f["id"] for f in requests.get(f"{ns}/faults", timeout=10).json()["faults"]] == [fault["id"]]
        assert requests.delete(f"{root}/faults/{fault['id']}", timeout=10).status_code == 204
        loaded = requests.post(f"{root}/scenarios", data=b"spaaza:\n  chains:\n    - id: 7401\n", headers={"Content-Type": "application/yaml"}, timeout=30)
        assert loaded.status_code == 201 and [s["name"] for s in requests.get(f"{ns}/scenarios", timeout=10).json()["scenarios"]] == loaded.json()["loaded"]
        requests.get(f"{server.url}/get-campaigns", params={"chain_id": "7401"}, timeout=10)
        deadline = time.monotonic() + 10  # a thread writes the journal in batches
        while requests.get(f"{ns}/journal", timeout=10).json()["count"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requests.get(f"{root}/journal", timeout=10).json() == requests.get(f"{ns}/journal", timeout=10).json()
        assert requests.get(f"{root}/journal", timeout=10).json()["count"] == 1


def test_an_unknown_admin_route_names_those_that_exist(tmp_path):
    with serve_in_thread(create_app(ServerConfig(state=str(tmp_path / "state.sqlite")))) as server:
        answer = requests.put(f"{server.url}/__mock/clok", json={}, timeout=10)
        assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/json"
        message = answer.json()["error"]["message"]
        assert message.startswith("PUT /__mock/clok: Not Found; the admin routes are: ")
        for route in ("/__mock/clock", "/__mock/scenarios", "/__mock/faults", "/__mock/journal", "/__mock/ns/<key>/clock"):
            assert f" {route}," in message or message.endswith(f" {route}")
