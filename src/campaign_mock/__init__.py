"""campaign-mock: the Spaaza get-campaigns and LevelUp v15 campaign contracts, a mock
server that honours them, a fixture generator and a contract checker.

Public names only; see ARCHITECTURE.md for the layers."""

from campaign_mock.contract import load_contract
from campaign_mock.world import build_world

__all__ = ["build_world", "create_app", "load_contract"]


def create_app(*args, **kwargs):
    """The mock's Flask app factory (imported lazily: the contract and world layers do not need Flask)."""
    from campaign_mock.server.app import create_app as factory

    return factory(*args, **kwargs)
