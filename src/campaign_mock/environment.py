"""Reading CAMPAIGN_MOCK_* environment variables (how `serve` hands its settings to worker
processes, and `check` to its Schemathesis hooks): a bad value is a ConfigError naming the
variable, never a traceback about int()."""

from __future__ import annotations

from typing import Mapping

from campaign_mock.exceptions import ConfigError

__all__ = ["env_flag", "env_int"]

FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


def env_int(environ: Mapping[str, str], name: str, default: int, minimum: int | None = 0) -> int:
    raw = environ.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 20):
        raise ConfigError(f"{name}={raw!r} is not a whole number")
    value = int(text)
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() not in FLAGS:
        raise ConfigError(f"{name}={raw!r} is not a flag; use 1 or 0")
    return FLAGS[raw.strip().lower()]
