"""Bad input to the CLI gets a clear message and exit code 2, never a traceback. The CLI runs
in the test's process (cli_runner.run_cli) unless a process is what is under test: serve's
start-up refusal, an import made impossible, a WSGI server's worker exiting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_cli

from campaign_mock.contract.validate import MAX_FILE_BYTES
from campaign_mock.world import documented

CLI = [sys.executable, "-m", "campaign_mock"]


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, timeout=60)


@pytest.mark.parametrize(
    "args, says",
    [
        (["serve", "--port", "http"], "'http' is not a valid integer"),
        (["serve", "--colour"], "No such option"),  # how click words the rest varies by version
        (["fixtures"], "Missing option '--out'"),
        (["fixtures", "--out", "x", "--users-per-chain", "100"], "100 is not in the range"),
        (["validate"], "Missing argument 'FILES...'"),
        (["nonsense"], "No such command 'nonsense'"),
    ],
)
def test_wrong_flags(args, says):
    result = run(*args)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr


def test_serve_with_a_broken_scenario_fails_before_listening(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("spaaza:\n  chains:\n    - id: 7001\n      campaigns:\n        - type: cashback\n          assignment_count: many\n", encoding="utf-8")
    # A process: were the scenario accepted, serve would go on to listen.
    result = subprocess.run([*CLI, "serve", "--port", "0", "--scenario", str(broken)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"{broken}:6" in result.stderr and "assignment_count" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_redis_without_the_redis_extra_says_what_to_install():
    """Redis support is an extra: without the redis package (made unimportable here) --state
    redis://... is one line naming the extra, exit 2, before anything listens."""
    code = "import sys; sys.modules['redis'] = None; from campaign_mock.cli import main; main()"
    result = subprocess.run([sys.executable, "-c", code, "serve", "--port", "0", "--state", "redis://127.0.0.1:1/0"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == "campaign-mock: --state redis://127.0.0.1:1/0: Redis support is not installed: pip install 'campaign-mock[redis]'\n"


def test_validate(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(documented.spaaza_response()), encoding="utf-8")
    bad_body = documented.spaaza_response()
    bad_body["results"]["campaigns"][2]["created_date"] = "2022-05-31T19:47:34"
    del bad_body["results"]["campaigns"][3]["title"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_body), encoding="utf-8")
    result = run("validate", str(good), str(bad))
    assert result.returncode == 1
    assert f"{good}: ok (spaaza-get-campaigns.json)" in result.stdout
    assert "$.results.campaigns[2].created_date: '2022-05-31T19:47:34' is not a 'date-time' [format" in result.stdout
    assert "$.results.campaigns[3]: 'title' is a required property [required" in result.stdout
    assert run("validate", str(good)).returncode == 0


@pytest.mark.parametrize(
    "content, says",
    [(None, "no such file"), ("{not json", "not JSON"), ('{"x": 1}', "cannot tell which response"), ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
     ('{"x": ' + "9" * 5000 + "}", "not JSON")],
    ids=["missing", "not-json", "unknown-shape", "deep", "5000-digit-int"],
)
def test_validate_bad_input(tmp_path, content, says):
    path = tmp_path / "in.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("validate", str(path))
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "too-large"])
def test_validate_reads_within_bounds(tmp_path, kind):
    """A pipe would block the read, /dev/zero or a huge file fill memory: each is refused."""
    path = tmp_path / "in.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    else:
        path.write_bytes(b"")
        os.truncate(path, MAX_FILE_BYTES + 1)  # sparse: no disk
    result = run("validate", str(path))
    says = "is larger than" if kind == "too-large" else "not a regular file"
    assert result.returncode == 2 and f"{path}: cannot check: " in result.stderr and says in result.stderr, result.stderr


def test_validate_goes_on_past_an_unreadable_file(tmp_path):
    bad_body = documented.spaaza_response()
    bad_body["results"]["campaigns"][0]["id"] = "one"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_body), encoding="utf-8")
    result = run("validate", str(tmp_path / "missing.json"), str(bad))
    assert result.returncode == 2 and "missing.json: cannot check: no such file" in result.stderr
    assert "$.results.campaigns[0].id: 'one' is not of type 'integer'" in result.stdout


def _error_file(tmp_path, name, body) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


def test_validate_holds_an_error_body_to_the_operations_errors(tmp_path):
    from campaign_mock.contract.catalogue import spaaza_error

    not_present = _error_file(tmp_path, "e245", spaaza_error("campaign_id_not_present").body())
    levelup = _error_file(tmp_path, "levelup", [{"error": {"code": "not_found", "message": "Campaign not found."}}])
    # 245 belongs to get-campaign, not to get-campaigns; each vendor's error only to its own API.
    assert run("validate", "--operation", "getCampaign", not_present).returncode == 0
    wrong_code = run("validate", "--operation", "getCampaigns", not_present)
    assert wrong_code.returncode == 1 and "$.error.code: 245 is not one of" in wrong_code.stdout
    assert run("validate", "--operation", "getCampaignBasicV1", levelup).returncode == 0
    assert run("validate", "--operation", "getCampaignBasicV1", not_present).returncode == 1
    assert run("validate", "--operation", "getCampaigns", levelup).returncode == 1
    odd = _error_file(tmp_path, "odd", {"result": "oops"})
    shaped = run("validate", "--operation", "getCampaigns", odd)
    assert shaped.returncode == 1 and "$.result: 'oops' is not of type 'object'" in shaped.stdout and "Traceback" not in shaped.stderr


def test_validate_with_an_operation(tmp_path):
    body = tmp_path / "spend.json"
    body.write_text(json.dumps(documented.levelup_examples()["spend_based_loyalty_v1"]["body"]), encoding="utf-8")
    assert run("validate", "--operation", "getCampaignSpendBasedLoyaltyV1", str(body)).returncode == 0
    wrong = run("validate", "--operation", "getCampaignVisitBasedLoyaltyV1", str(body))
    assert wrong.returncode == 1 and "'progress_visit_count' is a required property" in wrong.stdout
    unknown = run("validate", "--operation", "getNothing", str(body))
    assert unknown.returncode == 2 and "getCampaigns" in unknown.stderr


@pytest.mark.parametrize("error, says", [
    ({"code": 449, "name": "campaign_id_invalid"}, "$.error.name: code 449 is campaign_not_active, not campaign_id_invalid"),
    ({"code": 9999, "name": "internal_error"}, "$.error.code: code 9999 is not a documented error"),
])
def test_validate_names_a_wrong_error_name_or_an_unknown_code(tmp_path, error, says):
    """Never the first catalogue entry's name ('no_valid_session' was expected)."""
    body = _error_file(tmp_path, "error", {"result": {"code": 2, "status": "error"}, "error": {**error, "description": "x"}})
    result = run("validate", body)
    assert result.returncode == 1 and says in result.stdout, result.stdout
    assert "no_valid_session" not in result.stdout


def test_validate_json_output(tmp_path):
    good = _error_file(tmp_path, "good", documented.spaaza_response())
    bad = _error_file(tmp_path, "bad", {"result": {"code": 2, "status": "error"}, "error": {"code": 9999, "name": "x", "description": "x"}})
    result = run("validate", "--format", "json", good, bad, str(tmp_path / "missing.json"))
    assert result.returncode == 2 and result.stderr == ""
    report = json.loads(result.stdout)
    assert report["violations"] == 1 and report["unreadable"] == 1
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path[good] == {"path": good, "schema": "spaaza-get-campaigns.json", "ok": True, "unreadable": None, "violations": []}
    assert by_path[bad]["ok"] is False and by_path[bad]["schema"] == "spaaza-error.json"
    assert by_path[bad]["violations"] == [{"path": "$.error.code", "message": "code 9999 is not a documented error", "rule": "oneOf at #/properties/error/oneOf"}]
    assert by_path[str(tmp_path / "missing.json")]["unreadable"] == "no such file"


@pytest.mark.parametrize("name, value, says", [
    ("CAMPAIGN_MOCK_SEED", "abc", "CAMPAIGN_MOCK_SEED='abc' is not a whole number"),
    ("CAMPAIGN_MOCK_CHAINS", "-1", "CAMPAIGN_MOCK_CHAINS='-1' must be at least 0"),
    ("CAMPAIGN_MOCK_USERS_PER_CHAIN", "many", "CAMPAIGN_MOCK_USERS_PER_CHAIN='many' is not a whole number"),
    ("CAMPAIGN_MOCK_MERCHANTS", "1.5", "CAMPAIGN_MOCK_MERCHANTS='1.5' is not a whole number"),
    ("CAMPAIGN_MOCK_CACHE_BYTES", "64M", "CAMPAIGN_MOCK_CACHE_BYTES='64M' is not a whole number"),
])
def test_a_bad_environment_variable_is_named_not_a_traceback(name, value, says, monkeypatch, capsys):
    """What a WSGI server runs (granian/gunicorn with campaign_mock.server.wsgi:app_factory):
    in this process, and once in a process of its own, whose exit code the server sees."""
    import os

    if name == "CAMPAIGN_MOCK_SEED":
        code = "from campaign_mock.server.wsgi import app_factory; app_factory()"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={**os.environ, name: value})
        returncode, stderr = result.returncode, result.stderr
    else:
        from campaign_mock.server.wsgi import app_factory

        monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit) as exited:
            app_factory()
        returncode, stderr = exited.value.code, capsys.readouterr().err
    assert returncode == 2 and stderr.strip() == f"campaign-mock: {says}", stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("name, value", [("CAMPAIGN_MOCK_CHECK_CHAIN_ID", "abc"), ("CAMPAIGN_MOCK_CHECK_PROGRESS_USER_ID", "x"), ("CAMPAIGN_MOCK_CHECK_STEER", "maybe")])
def test_a_bad_check_setting_is_named(name, value):
    from campaign_mock.check.settings import CheckSettings
    from campaign_mock.exceptions import ConfigError

    with pytest.raises(ConfigError, match=f"^{name}='{value}' is not a"):
        CheckSettings.from_environment({name: value})


def test_a_forked_worker_starts_from_the_world_serve_built(tmp_path):
    """`serve` builds the world before granian forks its workers; a worker with the same
    settings serves that world instead of building it again, and one with other settings
    builds its own (in a process of its own: app_factory seals the environment)."""
    import os

    code = """if True:
        import os
        from campaign_mock.server.config import ServerConfig
        from campaign_mock.server import wsgi
        config = ServerConfig(seed=3, state=os.environ["STATE"])
        built = config.build_world()
        wsgi.inherit_world(config, built)
        os.environ.update(config.to_environment())
        os.environ["CAMPAIGN_MOCK_SEED"] = os.environ.get("WORKER_SEED", "3")
        app = wsgi.app_factory()
        print(app.runtime.base is built)
    """
    env = {**os.environ, "STATE": str(tmp_path / "state.sqlite")}
    same = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={**env, "WORKER_SEED": "4"})
    assert (same.stdout.strip(), other.stdout.strip()) == ("True", "False"), same.stderr + other.stderr


def test_serve_takes_its_admin_token_and_read_only_flag_from_the_environment_unless_given(monkeypatch):
    """CAMPAIGN_MOCK_ADMIN_TOKEN and CAMPAIGN_MOCK_READ_ONLY_ADMIN are read as every other
    setting (environment.py): an option given wins, a bad value is refused naming its variable."""
    import campaign_mock.server.run as server_run

    started = []
    monkeypatch.setattr(server_run, "run", lambda host, port, config, *rest: started.append(config))
    monkeypatch.setenv("CAMPAIGN_MOCK_ADMIN_TOKEN", "from-env")
    monkeypatch.setenv("CAMPAIGN_MOCK_READ_ONLY_ADMIN", "yes")
    assert run("serve").returncode == 0 and run("serve", "--admin-token", "given").returncode == 0
    assert [(c.admin_token, c.read_only_admin) for c in started] == [("from-env", True), ("given", True)]
    monkeypatch.setenv("CAMPAIGN_MOCK_READ_ONLY_ADMIN", "maybe")
    refused = run("serve")
    assert refused.returncode == 2 and refused.stderr == "campaign-mock: CAMPAIGN_MOCK_READ_ONLY_ADMIN='maybe' is not a flag; use 1 or 0\n"
