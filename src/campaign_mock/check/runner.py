"""Runs Schemathesis' own CLI (`python -m schemathesis.cli run`) in a subprocess with our
contract and checks.py loaded as hooks. Its output is what the user sees: progress per
phase, each failure with a curl reproduction, a summary, and JUnit when asked. A
subprocess keeps Schemathesis' global hook/check registries out of our process and lets
the settings travel in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from campaign_mock.check.settings import CheckSettings
from campaign_mock.contract.files import schemathesis_config_path, spec_path
from campaign_mock.exceptions import CampaignMockError

# The `check` command's option defaults read these (cli_command.py).
DEFAULT_MAX_EXAMPLES = 20
DEFAULT_SEED = 0
DEFAULT_PHASES = "examples,coverage,fuzzing"
# --safe: for a real vendor. GET only, schema-valid data only, no probing with other methods.
SAFE_PHASES = "examples,fuzzing"
SAFE_RATE_LIMIT = "60/m"


@dataclass
class RunOptions:
    base_url: str
    settings: CheckSettings = field(default_factory=CheckSettings)
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int = DEFAULT_SEED
    phases: str | None = None
    mode: str | None = None  # positive | negative | all
    junit_xml: Path | None = None
    operations: tuple[str, ...] = ()  # operationIds
    checks: tuple[str, ...] = ()  # restrict to these checks (ours or Schemathesis')
    exclude_checks: tuple[str, ...] = ()
    safe: bool = False
    rate_limit: str | None = None
    extra: tuple[str, ...] = ()  # passed to `schemathesis run` as is


def schemathesis_argv(o: RunOptions) -> list[str]:
    # Our configuration, named: never a schemathesis.toml that lies in the user's folder.
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(schemathesis_config_path()), "run", str(spec_path())]
    argv += ["--url", o.base_url.rstrip("/")]
    argv += ["--max-examples", str(o.max_examples), "--seed", str(o.seed), "--generation-database", "none", "--workers", "1"]
    phases = o.phases or (SAFE_PHASES if o.safe else DEFAULT_PHASES)
    argv += ["--phases", phases]
    mode = "positive" if o.safe else o.mode
    if mode:
        argv += ["--mode", mode]
    exclude = list(o.exclude_checks)
    if o.safe:
        # Schemathesis ORs include filters: with operations named, --include-method GET would
        # bring every GET operation back. Every operation of our spec is a GET (tested).
        if not o.operations:
            argv += ["--include-method", "GET"]
        exclude.append("unsupported_method")
    rate_limit = o.rate_limit or (SAFE_RATE_LIMIT if o.safe else None)
    if rate_limit:
        argv += ["--rate-limit", rate_limit]
    for operation_id in o.operations:
        argv += ["--include-operation-id", operation_id]
    if o.checks:
        argv += ["--checks", ",".join(o.checks)]
    if exclude:
        argv += ["--exclude-checks", ",".join(exclude)]
    if o.junit_xml:
        argv += ["--report", "junit", "--report-junit-path", str(o.junit_xml)]
    return argv + list(o.extra)


def environment(o: RunOptions) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_MOCK_CHECK_")}
    env.update(o.settings.to_environment())
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def prepare_report_folder(path: Path) -> None:
    """Create the report's folder now: a path that cannot be one (under a regular file, say)
    is a usage error, better told before the run than as a traceback or a lost report."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CampaignMockError(f"--junit-xml {path}: cannot create its folder ({e.filename}: {e.strerror})") from None


def execute(argv: list[str], env: dict[str, str]) -> int:
    """Run `argv` (schemathesis_argv's) with `env` as its whole environment; its exit code.
    The tests put an in-process run here (tests/check/check_helpers.py)."""
    return subprocess.run(argv, env=env, check=False).returncode


def run(o: RunOptions) -> int:
    """Run Schemathesis; its output goes to ours. Exit code: Schemathesis' (0 = no failures)."""
    if o.junit_xml:
        prepare_report_folder(Path(o.junit_xml))
    return execute(schemathesis_argv(o), environment(o))
