"""campaign-mock: the Spaaza get-campaigns and LevelUp v15 campaign contracts, a mock
server that honours them, a fixture generator and a contract checker.

Public names only; see ARCHITECTURE.md for the layers."""

from campaign_mock.exceptions import CampaignMockError, CheckError, ConfigError, ContractError, MockAdminError, ScenarioError, ScenarioRefused

__all__ = ["CampaignMockError", "CheckError", "ConfigError", "ContractError", "MockAdminError", "ScenarioError", "ScenarioRefused", "build_world", "create_app", "load_contract"]


def __getattr__(name: str):
    # Imported on first use: the checker imports campaign_mock.check.* and must not load the
    # generator (nor Faker) it never uses.
    if name == "build_world":
        from campaign_mock.world.build import build_world

        return build_world
    if name == "load_contract":
        from campaign_mock.contract import load_contract

        return load_contract
    raise AttributeError(f"module 'campaign_mock' has no attribute {name!r}")


def create_app(*args, **kwargs):
    """The mock's Flask app factory (imported lazily: the contract and world layers do not need Flask)."""
    from campaign_mock.server.app import create_app as factory

    return factory(*args, **kwargs)
