"""The contract layer: schemas/ and openapi.yaml, loaded once, plus the facts the rest of
the package reads from them (campaign types, user_progress formats, the error catalogue).
Depends on nothing else in campaign_mock."""

from campaign_mock.contract.loader import Contract, load_contract

__all__ = ["Contract", "load_contract"]
