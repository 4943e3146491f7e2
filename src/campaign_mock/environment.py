"""The one reader of CAMPAIGN_MOCK_* environment variables: how `serve` hands its settings to
worker processes (server/config.ServerConfig, CAMPAIGN_MOCK_<FIELD>), `check` to its
Schemathesis hooks (check/settings.CheckSettings, CAMPAIGN_MOCK_CHECK_<FIELD>), and users to
the pytest plugin. A settings dataclass's field is its variable, read by the field's type; a
bad value is a ConfigError naming the variable, never a traceback about int()."""

from __future__ import annotations

import dataclasses
import os
import typing
from typing import Any, Callable, Iterable, Mapping, TypeVar

from campaign_mock.exceptions import ConfigError

__all__ = ["STOP_WITH_STDIN", "env_flag", "env_int", "env_str", "read_settings", "settings_environment"]

FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
# Field metadata: how a field is read when its type is not enough.
PARSE = "environment.parse"  # (variable name, raw value) -> value
SIGNED = "environment.signed"  # an int that may be negative
WRITE = "environment.write"  # value -> raw value

S = TypeVar("S")

# Set by client.MockServerProcess, which holds the other end of the server's stdin: `serve`
# stops when that end closes (its owner ended, however), server/run.py.
STOP_WITH_STDIN = "CAMPAIGN_MOCK_STOP_WITH_STDIN"


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


def env_str(environ: Mapping[str, str], name: str) -> str | None:
    """A text setting; unset and empty are both None."""
    return environ.get(name) or None


def read_settings(cls: type[S], prefix: str, environ: Mapping[str, str] = os.environ, only: Iterable[str] | None = None) -> S:
    """`cls` (a dataclass) with each field (of `only`, if given) whose PREFIX+FIELD variable is
    set read from it; the others keep their defaults."""
    hints = typing.get_type_hints(cls)
    wanted = None if only is None else set(only)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = prefix + f.name.upper()
        if (wanted is not None and f.name not in wanted) or name not in environ:
            continue
        kind = hints[f.name]
        if environ[name] == "" and type(None) in typing.get_args(kind):
            values[f.name] = None  # (as settings_environment writes None)
        elif PARSE in f.metadata:
            values[f.name] = f.metadata[PARSE](name, environ[name])
        elif kind is bool:
            values[f.name] = env_flag(environ, name, False)
        elif kind in (int, int | None):
            values[f.name] = env_int(environ, name, 0, minimum=None if f.metadata.get(SIGNED) else 0)
        else:
            values[f.name] = env_str(environ, name)
    return cls(**values)


def settings_environment(settings: Any, prefix: str) -> dict[str, str]:
    """The variables `read_settings` reads `settings` back from (None as empty: set, so that
    a variable the parent process had does not count)."""
    env = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if value is None:
            env[prefix + f.name.upper()] = ""
            continue
        write: Callable[[Any], str] = f.metadata.get(WRITE, str)
        env[prefix + f.name.upper()] = ("1" if value else "0") if isinstance(value, bool) else write(value)
    return env
