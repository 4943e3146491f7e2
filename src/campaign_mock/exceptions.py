"""Python-side errors. API errors are not exceptions of ours: they are catalogue entries
(contract/catalogue.py) rendered by the server."""


class CampaignMockError(Exception):
    """Base class; the CLI turns it into a one-line message and exit code 2."""


class ContractError(CampaignMockError):
    """The contract files are missing or inconsistent."""


class ScenarioError(CampaignMockError):
    """A scenario file is broken. The message names file:line and the field."""
