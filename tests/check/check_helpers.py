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


def check_in_process(*args: str) -> subprocess.CompletedProcess:
    """`campaign-mock check ...` in this process (click's CliRunner), for what ends before a
    Schemathesis run (usage errors, the drift report): no interpreter to start. Schemathesis'
    own process would write past the runner, so a run needs run_check. Output as run_check's."""
    from click.testing import CliRunner

    from campaign_mock.cli import main

    result = CliRunner().invoke(main, ["check", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # what the command's process would print as a traceback
    return subprocess.CompletedProcess(["campaign-mock", "check", *args], result.exit_code, result.output)


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


def run_plain(url: str, *args: str, cwd: Path = REPO, timeout: float = 240) -> subprocess.CompletedProcess:
    """Plain `schemathesis run openapi.yaml --url URL` with the documented credentials, from the
    repo root as a user would run it (the root schemathesis.toml is found, nothing else set)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPAIGN_MOCK_", "SCHEMATHESIS_"))}
    argv = [
        sys.executable, "-m", "schemathesis.cli", "run", "openapi.yaml", "--url", url,
        "-H", f"X-Spaaza-Session-User-Id: {documented.ADMIN_USER_ID}", "-H", f"X-Spaaza-Session-Key: {documented.ADMIN_SESSION_KEY}",
        "-H", f"Authorization: token {documented.LEVELUP_TOKEN}", *args,
    ]
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)


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
