"""serve_in_thread, the helper other tests stand their servers on: it serves, and stop()
leaves no listening socket and no serving thread behind."""

from __future__ import annotations

import pytest
import requests

from mockserver import serve_in_thread


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode()]


def test_a_wsgi_app_served_on_a_thread_answers_and_stops():
    server = serve_in_thread(_hello)
    assert server.url.startswith("http://127.0.0.1:")
    assert requests.get(server.url + "/ping", timeout=5).text == "/ping"
    server.stop()
    assert not server.thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/ping", timeout=5)
