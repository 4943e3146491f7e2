"""Where the contract files are: inside an installed wheel (copied under _contract/ by the
build, see pyproject.toml) or at the top of a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from campaign_mock.exceptions import ContractError

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def contract_root() -> Path:
    for root in (_PACKAGE / "_contract", _PACKAGE.parent.parent):
        if (root / "openapi.yaml").is_file() and (root / "schemas").is_dir():
            return root
    raise ContractError(f"openapi.yaml and schemas/ not found near {_PACKAGE}; reinstall campaign-mock")


def spec_path() -> Path:
    """The OpenAPI file. Load it from this path: its $refs are relative to it."""
    return contract_root() / "openapi.yaml"


def schemathesis_config_path() -> Path:
    """The Schemathesis configuration shipped beside the spec (hooks, no example database)."""
    return contract_root() / "schemathesis.toml"


def admin_spec_path() -> Path:
    """The admin API's own OpenAPI document (/__mock/), beside the vendors' contract."""
    return contract_root() / "admin-openapi.yaml"


def schemas_dir() -> Path:
    return contract_root() / "schemas"
