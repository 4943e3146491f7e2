"""Helpers of the check tests (a module of its own: conftest names collide across folders)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from campaign_mock.world import documented

HERE = Path(__file__).parent
REPO = HERE.parent.parent
CHECK = [sys.executable, "-m", "campaign_mock", "check"]


def run_check(*args: str, timeout: float = 240, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`campaign-mock check ...` as a subprocess. Output: stdout + stderr together."""
    return subprocess.run([*CHECK, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)


def check_in_process(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """`campaign-mock check ...` in this process (cli_runner.run_cli), Schemathesis' run too
    (runner.execute replaced by schemathesis_in_process): no interpreter to start, and the
    hooks read each run's settings afresh. Output as run_check's (stdout, then stderr)."""
    from unittest import mock

    from cli_runner import run_cli

    from campaign_mock.check import runner

    def execute(argv: list[str], env: dict[str, str]) -> int:
        assert argv[:3] == [sys.executable, "-m", "schemathesis.cli"], argv
        code, output = schemathesis_in_process(argv[3:], env)
        sys.stdout.write(output)  # into the command's output, as the subprocess's would be
        return code

    with mock.patch.object(runner, "execute", execute):
        result = run_cli("check", *args, timeout=timeout)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout + result.stderr)


def schemathesis_in_process(args: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[int, str]:
    """Schemathesis' CLI (`schemathesis.cli` with `args`) in this process, with `env` as the
    whole environment and `cwd` as the working directory, as its own process would have them,
    and Hypothesis' default settings (this suite loads a profile of its own, a subprocess
    does not). (exit code, output); a traceback is raised."""
    import schemathesis.cli
    from click.testing import CliRunner
    from hypothesis import settings

    overrides: dict[str, str | None] = {k: v for k, v in env.items() if os.environ.get(k) != v}
    overrides.update({k: None for k in os.environ if k not in env})
    profile, here = settings.get_current_profile_name(), Path.cwd()
    settings.load_profile("default")
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(schemathesis.cli.schemathesis, args, env=overrides)
    finally:
        os.chdir(here)
        settings.load_profile(profile)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def positive_outcomes(events: Path) -> tuple[int, int]:
    """(positive cases sent, those answered 2xx) in a run's NDJSON report. A case counts when
    checks ran on its answer: the requests checks send themselves (ignored_auth resends a
    case without credentials) are not generated cases."""
    sent = ok = 0
    for line in events.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        for case_id, interaction in recorder.get("interactions", {}).items():
            case = recorder["cases"].get(case_id)
            if case is None or case_id not in recorder.get("checks", {}) or not interaction.get("response"):
                continue
            if case["value"]["meta"]["generation"]["mode"] != "positive":
                continue
            sent += 1
            ok += 200 <= interaction["response"]["status_code"] < 300
    return sent, ok


def plain_argv(url: str, *args: str) -> list[str]:
    """`schemathesis run openapi.yaml --url URL` with the documented credentials, as a user
    would run it from the repo root (the root schemathesis.toml is found, nothing else set)."""
    return [
        "run", "openapi.yaml", "--url", url,
        "-H", f"X-Spaaza-Session-User-Id: {documented.ADMIN_USER_ID}", "-H", f"X-Spaaza-Session-Key: {documented.ADMIN_SESSION_KEY}",
        "-H", f"Authorization: token {documented.LEVELUP_TOKEN}", *args,
    ]


def plain_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("CAMPAIGN_MOCK_", "SCHEMATHESIS_"))}


def run_plain(url: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Plain `schemathesis run` (plain_argv) as a process of its own, from the repo root."""
    argv = [sys.executable, "-m", "schemathesis.cli", *plain_argv(url, *args)]
    return subprocess.run(argv, cwd=REPO, env=plain_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)


def plain_in_process(url: str, *args: str) -> subprocess.CompletedProcess:
    """Plain `schemathesis run` (plain_argv) in this process, from the repo root: the hooks
    as Schemathesis loads them from schemathesis.toml. Output as run_plain's."""
    argv = plain_argv(url, *args)
    code, output = schemathesis_in_process(argv, plain_environment())
    return subprocess.CompletedProcess(["schemathesis", *argv], code, output)


def reached(events: Path) -> tuple[set[str], set[str], set[str]]:
    """(campaign types in 200 answers, LevelUp representations answered 200, campaign types
    shown with user_progress) in a run's NDJSON report."""
    import base64

    types: set[str] = set()
    representations: set[str] = set()
    with_progress: set[str] = set()
    for line in events.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        for interaction in finished["recorder"].get("interactions", {}).values():
            response = interaction.get("response")
            if not response or response["status_code"] != 200:
                continue
            path = interaction["request"]["uri"].split("?")[0]
            if "/v15/campaigns/" in path:
                representations.add(path.rsplit("/", 1)[1])
                continue
            try:
                results = json.loads(base64.b64decode(response["content"]["$base64"])).get("results", {})
            except (KeyError, TypeError, ValueError):
                continue
            for campaign in [*results.get("campaigns", []), *([results["campaign"]] if "campaign" in results else [])]:
                types.add(campaign["type"])
                if "user_progress" in campaign:
                    with_progress.add(campaign["type"])
    return types, representations, with_progress
