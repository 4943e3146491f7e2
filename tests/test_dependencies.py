"""Users' environments pick versions within our ranges; CI installs exactly constraints.txt,
a set inside every range."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _pins() -> dict[str, str]:
    pins = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"constraints.txt:{number}: not name==version: {line!r}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_what_users_install_is_ranges():
    """The base install and the redis extra: a lower and an upper bound each, never a pin."""
    for text in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["redis"]:
        operators = {spec.operator for spec in Requirement(text).specifier}
        assert operators == {">=", "<"}, text


def test_the_constraints_pin_a_version_inside_every_range():
    pins = _pins()
    for text in PROJECT["dependencies"] + [d for extra in PROJECT["optional-dependencies"].values() for d in extra]:
        dep = Requirement(text)
        if dep.name == PROJECT["name"]:
            continue
        version = pins.get(canonicalize_name(dep.name))
        assert version is not None, f"{dep.name} is not in constraints.txt"
        assert dep.specifier.contains(version, prereleases=True), f"constraints.txt has {dep.name}=={version}, outside {dep.specifier}"


def test_the_base_install_has_no_faker_redis_or_test_tools():
    names = {canonicalize_name(Requirement(d).name) for d in PROJECT["dependencies"]}
    assert not names & {"faker", "redis", "openapi-spec-validator", "pytest", "hypothesis"}
