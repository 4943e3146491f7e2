"""Schemathesis against a real mock's admin API, described by admin-openapi.yaml: no 5xx, every
answer as documented, every error a JSON body naming what is wrong. The check is shown to catch
a server whose refusals are HTML."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from campaign_mock.contract.files import admin_spec_path
from mockserver import start_mock

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,admin_error_names_what_is_wrong"


def schemathesis(url: str, *extra: str) -> subprocess.CompletedProcess:
    config = Path(__file__).with_name("schemathesis-admin.toml")
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(admin_spec_path()), "--url", url, "--checks", CHECKS]
    argv += ["--max-examples", "15", "--seed", "0", "--generation-database", "none", "--workers", "1", *extra]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, cwd=Path(__file__).parent)


def test_the_admin_api_honours_its_document():
    server = start_mock()
    try:
        run = schemathesis(server.url)
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


class _HtmlRefusals(BaseHTTPRequestHandler):
    def _refuse(self):
        body = b"<h1>Bad Request</h1>"
        self.send_response(400)
        self.send_header("Content-Type", "application/json")  # the type is right, the body is not
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _refuse

    def log_message(self, *args):
        pass


def test_a_refusal_that_names_nothing_is_caught():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlRefusals)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        run = schemathesis(f"http://127.0.0.1:{server.server_address[1]}", "--include-operation-id", "getClock", "--phases", "examples,fuzzing")
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 1
    assert "Admin error without a JSON body naming what is wrong" in run.stdout
