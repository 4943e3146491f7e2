"""A corpus of hostile and careless scenario files, each with its expected outcome, run against
both `fixtures` and `serve` with a time limit: every one ends, either accepted and served, or
refused with exit 2 and `file:line: $.path: what is wrong` (never a traceback, a hang, a
partial write). Both run in the test's process (the CLI through CliRunner; serve's world as
`create_app` builds it, on a thread), except the cases in REAL_SERVE: a `serve` process of
their own. A new case is a line in CASES (and ADMIN_CASES gets it too)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests
from cli_runner import deadline, run_cli
from mockserver import CLI, free_port, serve_in_thread, start_server

from campaign_mock.exceptions import CampaignMockError, ScenarioError
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig
from campaign_mock.world.build import build_world

LIMIT = 60  # seconds; each case takes a few


def _laughs() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    return "\n".join(lines) + "\n"


def _chain(body: str, chain: int | str = 7001) -> str:
    return f"spaaza:\n  chains:\n    - id: {chain}\n{body}"


def _generated():
    world = build_world()
    token = next(t.token for t in world.levelup.tokens.values() if t.user_id == 1001)
    return world.spaaza.users[176201].member_number, token


MEMBER, TOKEN = _generated()

# name -> (file content (str, bytes, or a special kind), expected: "ok" or (line, text in the error))
CASES = {
    "billion-laughs": (_laughs(), (6, "this value expands (through aliases) to more than")),
    "named-pipe": ("FIFO", (None, "is not a regular file")),
    "dev-zero": ("/dev/zero", (None, "is not a regular file")),
    "too-large": ("# x\n" * 300_000, (None, "is larger than")),
    "nul-byte": (_chain('      name: "a\0b"\n').encode(), (4, "is not allowed in YAML")),
    "5000-digit-int": (_chain("", chain="9" * 5000), (3, "$.spaaza.chains[0].id: the number")),
    "recursive-alias": ("spaaza: &a\n  chains: [*a]\n", (1, "$.spaaza.chains[0]: the YAML refers to itself (a recursive alias)")),
    "10000-levels": ("spaaza: " + "[" * 10_000 + "]" * 10_000 + "\n", (1, "nested more than 50 levels")),
    "clock-year-1": ('clock: "0001-01-01T00:00:00+00:00"\n', (1, "$.clock: '0001-01-01T00:00:00+00:00' is outside the years")),
    "clock-year-9999": ('clock: "9999-12-31T23:00:00+00:00"\n', (1, "$.clock: '9999-12-31T23:00:00+00:00' is outside the years")),
    "clock-year-2999": ('clock: "2999-12-31T23:00:00+00:00"\n', "ok"),
    "binary-tag": (_chain("      name: !!binary aGVsbG8=\n"), (4, "$.spaaza.chains[0].name: the tag '!!binary' is not allowed")),
    "set-tag": (_chain("      campaigns:\n        - type: cashback\n          title: !!set {a, b}\n"), (6, "the tag '!!set' is not allowed")),
    "timestamp-tag": (_chain("      campaigns:\n        - type: cashback\n          active_date_from: !!timestamp 2024-01-01T00:00:00Z\n"), (6, "the tag '!!timestamp' is not allowed")),
    "lone-surrogate": (_chain('      name: "a\\ud800b"\n'), (4, "$.spaaza.chains[0].name: 'a\\ud800b' holds a lone surrogate")),
    "infinity": (_chain("      campaigns:\n        - {type: signup, assignment_count: .inf}\n"), (5, "$.spaaza.chains[0].campaigns[0].assignment_count: inf is not a number JSON can carry")),
    "merge-keys": (_chain("      campaigns:\n        - &base {type: cashback, title: Merged, id: 7001100}\n        - <<: *base\n          id: 7001101\n"), "ok"),
    "same-int-key-two-spellings": (_chain("      campaigns: [{id: 7001200, type: signup}]\n      users:\n        - awards: {7001200: 1, 7_001_200: 2}\n"), (6, '$.spaaza.chains[0].users[0].awards["7001200"]: duplicate key')),
    "identifier-of-a-generated-user": (_chain(f'      users:\n        - {{user_id: 176290, member_number: "{MEMBER}"}}\n', chain=1762), (5, "$.spaaza.chains[0].users[0].member_number: member_number")),
    "token-of-a-generated-user": (f'levelup:\n  users:\n    - {{user_id: 9101, token: "{TOKEN}"}}\n', (3, "$.levelup.users[0].token: is already the token of LevelUp user 1001")),
    "dangling-into-documented-chain": (_chain("      users:\n        - {user_id: 176290, balances: {999999: 5}}\n", chain=1762), (5, "chain 1762 has no campaign 999999")),
    "ungenerated-chain": (_chain("      users:\n        - {user_id: 699901}\n", chain=6999), (3, "$.spaaza.chains[0].id: chain 6999 adds to a generated chain, but --chains 3 generates only 5001..5003")),
    "session-key-newline": (_chain('      users:\n        - session_key: "abc\\n"\n'), (5, "session_key: 'abc\\n' cannot be sent in an HTTP header")),
    "token-newline": ('levelup:\n  users:\n    - {user_id: 9101, token: "9101-abc\\n"}\n', (3, "token: '9101-abc\\n' cannot be sent in an HTTP header")),
    "path-with-colon": (_chain("      name: Colon Coffee\n"), "ok"),
}


def _place(tmp_path: Path, name: str, content) -> Path:
    folder = tmp_path / ("dir:with:colons" if name == "path-with-colon" else "s")
    folder.mkdir(exist_ok=True)
    if content == "/dev/zero":
        return Path("/dev/zero")
    path = folder / f"{name}.yaml"
    if content == "FIFO":
        os.mkfifo(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _check_message(message: str, path: Path, expected) -> None:
    line, text = expected
    assert "Traceback" not in message and len(message) < 1000, message
    assert (f"{path}:{line}: " if line else f"{path}: ") in message and text in message, message


def _check_refusal(result_rc: int, stderr: str, path: Path, expected) -> None:
    assert result_rc == 2, stderr
    _check_message(stderr, path, expected)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixtures(tmp_path, name):
    content, expected = CASES[name]
    path = _place(tmp_path, name, content)
    out = tmp_path / "out"
    result = run_cli("fixtures", "--out", str(out), "--users-per-chain", "1", "--scenario", str(path), timeout=LIMIT)
    if expected == "ok":
        assert result.returncode == 0, result.stderr
        assert (out / "manifest.json").is_file()
    else:
        _check_refusal(result.returncode, result.stderr, path, expected)
        assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# A `serve` process of its own: the refusal as serve prints it (exit 2, one line), and a
# scenario path with colons, which reaches the workers through their environment.
REAL_SERVE = ("billion-laughs", "path-with-colon")


@pytest.mark.parametrize("name", sorted(CASES))
def test_serve(tmp_path, name):
    content, expected = CASES[name]
    path = _place(tmp_path, name, content)
    if name in REAL_SERVE:
        _serve_process(path, name, expected)
        return
    config = ServerConfig(scenarios=(str(path),))
    if expected != "ok":
        with deadline(LIMIT), pytest.raises(CampaignMockError) as refused:
            create_app(config)  # builds the world as serve does before its workers start
        _check_message(str(refused.value), path, expected)
        return
    with deadline(LIMIT):
        app = create_app(config)
    with serve_in_thread(app) as server:
        _assert_served(name, server.url, lambda chain: _world_admin_key(server.url, chain))


def _serve_process(path: Path, name: str, expected) -> None:
    port = free_port()
    argv = [*CLI, "serve", "--port", str(port), "--scenario", str(path)]
    if expected != "ok":
        result = subprocess.run(argv, capture_output=True, text=True, timeout=LIMIT)
        _check_refusal(result.returncode, result.stderr, path, expected)
        return
    server = start_server(argv, port, timeout=LIMIT)
    try:
        _assert_served(name, server.url, lambda chain: _admin_key(server, chain))
    finally:
        server.stop()


def _assert_served(name: str, url: str, admin_key) -> None:
    """The accepted scenario's chain is served (its merged campaign, for merge-keys)."""
    chain = 5001 if name == "clock-year-2999" else 7001
    if name == "merge-keys":
        response = requests.get(f"{url}/get-campaign", params={"campaign_id": "7001101"}, headers={"X-Spaaza-Session-User-Id": "700100", "X-Spaaza-Session-Key": admin_key(7001)}, timeout=10)
        assert response.status_code == 200 and response.json()["results"]["campaign"]["title"] == "Merged", response.text
    else:
        response = requests.get(f"{url}/get-campaigns", params={"chain_id": str(chain)}, headers={"X-Spaaza-Session-User-Id": f"{chain}00", "X-Spaaza-Session-Key": admin_key(chain)}, timeout=10)
        assert response.status_code == 200, response.text


def _world_admin_key(url: str, chain: int) -> str:
    """The chain's admin session key, from GET /__mock/world."""
    chains = requests.get(f"{url}/__mock/world", timeout=10).json()["spaaza"]["chains"]
    return next(c for c in chains if c["chain_id"] == chain)["admin"]["session_key"]


def _admin_key(server, chain: int) -> str:
    """The chain's admin session key, from the banner the server printed."""
    text = b""
    while f"chain {chain}: ".encode() not in text:
        text += server.process.stderr.readline()
    line = next(line for line in text.decode().splitlines() if f"chain {chain}: " in line)
    return line.split(" / ")[1].strip()


# The same corpus POSTed to the runtime admin API: every document ends at once with 201, or a
# 4xx JSON answer whose errors say `LINE: $.path: what is wrong` (413 past 1 MiB).
ADMIN_CASES = {
    **{name: case for name, case in CASES.items() if case[0] not in ("FIFO", "/dev/zero")},
    # JSON as json.dumps writes it: a character beyond the BMP is a surrogate pair of escapes.
    "json-surrogate-pair": ('{"spaaza": {"chains": [{"id": 7001, "name": "Caf\\u00e9 \\ud83d\\ude00"}]}}', "ok"),
    "json-lone-surrogate": ('{"spaaza": {"chains": [{"id": 7001, "name": "a\\udc00\\ud83d"}]}}', (1, "$.spaaza.chains[0].name: 'a\\udc00\\ud83d' holds a lone surrogate")),
    # JSON indented with tabs (jq --tab, Go's MarshalIndent): valid JSON, so accepted.
    "json-tab-indented": ('{\n\t"spaaza": {\n\t\t"chains": [{"id": 7001, "name": "Tabbed"}]\n\t}\n}\n', "ok"),
}


@pytest.fixture(scope="module")
def admin_server():
    with serve_in_thread(create_app(ServerConfig())) as server:
        yield server


@pytest.mark.parametrize("name", sorted(ADMIN_CASES))
def test_admin_api(admin_server, name):
    content, expected = ADMIN_CASES[name]
    body = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    kind = "application/json" if name.startswith("json-") else "application/yaml"
    url = f"{admin_server.url}/__mock/ns/{name}/scenarios"
    response = requests.post(url, data=body, headers={"Content-Type": kind}, timeout=LIMIT)
    try:
        if expected == "ok":
            assert response.status_code == 201, response.text
            chains = requests.get(f"{admin_server.url}/__mock/ns/{name}/world", timeout=LIMIT).json()["spaaza"]["chains"]
            if name.startswith("json-"):
                declared = next(c for c in chains if c["chain_id"] == 7001)
                assert declared["name"] == {"json-surrogate-pair": "Café \U0001f600", "json-tab-indented": "Tabbed"}[name]
            return
        line, text = expected
        error = response.json()["error"]
        if line is None:
            assert response.status_code == 413 and "larger than" in error["message"], response.text
            return
        assert response.status_code == 422 and error["field"] == "scenario", response.text
        assert error["errors"][0].startswith(f"{line}: ") and text in error["errors"][0], response.text
        assert len(response.text) < 1000
        assert requests.get(url, timeout=LIMIT).json() == {"scenarios": []}  # nothing half-loaded
    finally:
        requests.delete(f"{admin_server.url}/__mock/ns/{name}", timeout=LIMIT)


def test_a_mapping_of_45000_unknown_keys_is_refused_in_bounded_time(tmp_path):
    """Each problem's line is looked up by its key: a scan of the mapping per problem took
    minutes here (quadratic); within the limit, every problem is still reported by line."""
    from campaign_mock.scenario import load_scenarios

    path = tmp_path / "keys.yaml"
    path.write_text("spaaza:\n" + "".join(f"  k{i}: 1\n" for i in range(45_000)), encoding="utf-8")
    with deadline(LIMIT), pytest.raises(ScenarioError) as refused:
        load_scenarios([path])
    assert str(refused.value).startswith(f"{path}:2: $.spaaza.k0: unknown key 'k0'") and f"{path}:51: $.spaaza.k49: " in str(refused.value)


def test_25000_refused_users_are_refused_in_bounded_time(tmp_path):
    """Whether a part was refused by the schema is looked up, not found by a scan of every
    refused path for each part declared (quadratic: minutes here)."""
    from campaign_mock.scenario import load_scenarios

    path = tmp_path / "users.yaml"
    path.write_text(_chain("      users:\n" + "".join(f"        - {{user_id: x{i}}}\n" for i in range(25_000))), encoding="utf-8")
    with deadline(LIMIT), pytest.raises(ScenarioError) as refused:
        load_scenarios([path])
    assert str(refused.value).startswith(f"{path}:5: $.spaaza.chains[0].users[0].user_id: expected a whole number")
