"""Python-side errors: catch `CampaignMockError` for all of them. API errors are not
exceptions of ours: they are catalogue entries (contract/catalogue.py) rendered by the server."""

__all__ = ["CampaignMockError", "CheckError", "ConfigError", "ContractError", "ScenarioError"]


class CampaignMockError(Exception):
    """Base class; the CLI turns it into a one-line message and exit code 2."""


class ContractError(CampaignMockError):
    """The contract files are missing or inconsistent."""


class ScenarioError(CampaignMockError):
    """A scenario file is broken. The message names file:line and the field."""


class ConfigError(CampaignMockError):
    """A setting (an option or a CAMPAIGN_MOCK_* environment variable) has a bad value; the
    message names it."""


class CheckError(CampaignMockError):
    """`check` cannot run as asked (an unknown check, phase or operation, an unusable
    --fixtures manifest); the message names the option."""
