"""No client starves the others: idle and slow connections are closed after --header-timeout,
and delayed answers are bounded (--max-delays a worker, on threads of their own); one more
delay is refused at once in the vendor's shape. Not timed: the latency target is in
benchmarks/starvation.py."""

from __future__ import annotations

import socket
import threading
import time

import requests
from mockserver import LEVELUP_AUTH, SPAAZA_ADMIN, start_mock

from campaign_mock.world import documented


def _closed_by_server(url: str, first: bytes) -> bool:
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        if first:
            s.sendall(first)
        return s.recv(100) == b""  # the server closed it (a timeout would raise instead)


def test_idle_and_slow_connections_are_closed_and_extra_delays_refused():
    server = start_mock("--chains", "0", "--header-timeout", "1", "--max-delays", "2", "--threads", "2")
    try:
        assert _closed_by_server(server.url, b"")  # connected, never sent a byte
        assert _closed_by_server(server.url, b"GET /get-campaigns HTTP/1.1\r\nHo")  # a head that never ends

        spaaza = f"{server.url}/get-campaigns?chain_id={documented.CHAIN_ID}"
        started, answers = threading.Barrier(3), []

        def held():
            started.wait()
            for _ in range(50):  # a probe below may hold a slot for its 1 ms: then try again
                status = requests.get(spaaza, headers={**SPAAZA_ADMIN, "X-Mock-Delay-Ms": "2500"}, timeout=30).status_code
                if status != 503:
                    break
            answers.append(status)

        holders = [threading.Thread(target=held) for _ in range(2)]
        for t in holders:
            t.start()
        started.wait()
        # Wait until both delays hold their slot: a third is then refused at once.
        for _ in range(200):
            busy = requests.get(spaaza, headers={**SPAAZA_ADMIN, "X-Mock-Delay-Ms": "1"}, timeout=30)
            if busy.status_code == 503:
                break
            time.sleep(0.02)
        assert busy.status_code == 503 and busy.json()["error"]["code"] == 9503 and busy.json()["error"]["name"] == "mock_delays_busy", busy.text
        levelup = requests.get(f"{server.url}/v15/campaigns/20/basic_v1", headers={**LEVELUP_AUTH, "X-Mock-Delay-Ms": "1"}, timeout=30)
        assert levelup.status_code == 503 and levelup.json()[0]["error"]["code"] == "mock_delays_busy"
        # A delay armed through the admin API takes the same slots: refused at once too.
        armed = requests.post(f"{server.url}/__mock/ns/default/faults", json={"path": "/v15/campaigns/20/basic_v1", "delay_ms": 2500}, timeout=30)
        assert armed.status_code == 201, armed.text
        t0 = time.monotonic()
        faulted = requests.get(f"{server.url}/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH, timeout=30)
        assert faulted.status_code == 503 and faulted.json()[0]["error"]["code"] == "mock_delays_busy" and time.monotonic() - t0 < 1, faulted.text
        assert "delay fault" in faulted.json()[0]["error"]["message"]
        # Ordinary requests still get threads of their own meanwhile.
        assert requests.get(spaaza, headers=SPAAZA_ADMIN, timeout=30).status_code == 200
        for t in holders:
            t.join()
        assert answers == [200, 200]
    finally:
        server.stop()
