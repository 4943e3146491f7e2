"""The linter and the type checker, run by the test command so their findings fail CI like
any test. Rules and exceptions: [tool.ruff] and [tool.mypy] in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing_in_src():
    result = _run("ruff", "check", "--no-cache", "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_src():
    result = _run("mypy", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_public_name_is_there():
    """Each package's __all__ is its public API: every name in it resolves."""
    import importlib

    for package in ("campaign_mock", "campaign_mock.contract", "campaign_mock.world", "campaign_mock.scenario", "campaign_mock.check", "campaign_mock.server", "campaign_mock.exceptions"):
        module = importlib.import_module(package)
        missing = [name for name in module.__all__ if getattr(module, name, None) is None]
        assert missing == [], (package, missing)


def test_every_error_is_a_campaign_mock_error():
    """One class to catch: everything campaign-mock raises on purpose descends from it."""
    import campaign_mock
    from campaign_mock import exceptions

    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), campaign_mock.CampaignMockError), name
