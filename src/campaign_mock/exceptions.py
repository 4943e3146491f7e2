"""Python-side errors: catch `CampaignMockError` for all of them. API errors are not
exceptions of ours: they are catalogue entries (contract/catalogue.py) rendered by the server."""

__all__ = ["CampaignMockError", "CheckError", "ConfigError", "ContractError", "InputError", "MockAdminError", "ScenarioError", "ScenarioRefused"]


class CampaignMockError(Exception):
    """Base class; the CLI turns it into a one-line message and exit code 2."""


class ContractError(CampaignMockError):
    """The contract cannot be used as asked: its files are missing or inconsistent, or a
    document or an operation name fits none of it."""


class ScenarioError(CampaignMockError):
    """Scenario documents are refused. `problems` holds every problem found, each one line
    `file.yaml:LINE: $.json.path: what is wrong` (a document's own, or those of the documents
    together, or of the world they describe: see campaign_mock.scenario); the message is
    those lines, one a line."""

    MAX_PROBLEMS = 50  # listed at once (every caller); past it one more line says how many were left out
    # A document refused on its own: what it declares in the parts that passed (a
    # campaign_mock.scenario.Document), so the checks across documents can still find theirs.
    partial: object = None

    def __init__(self, message: str = "", problems: "tuple[str, ...] | list[str]" = ()):
        lines = list(dict.fromkeys(problems)) or [message]
        if len(lines) > self.MAX_PROBLEMS:
            lines = [*lines[: self.MAX_PROBLEMS], f"... and {len(lines) - self.MAX_PROBLEMS} more problems (at most {self.MAX_PROBLEMS} are listed); fix these first"]
        self.problems = tuple(lines)
        super().__init__("\n".join(self.problems))


class ConfigError(CampaignMockError):
    """A setting (an option or a CAMPAIGN_MOCK_* environment variable) has a bad value; the
    message names it."""


class CheckError(CampaignMockError):
    """`check` cannot run as asked (an unknown check, phase or operation, an unusable
    --fixtures manifest); the message names the option."""


class InputError(CampaignMockError):
    """Input the mock refuses: a bad admin request, a namespace key, a fault, a clock, a
    scenario. `field` names what is wrong; `kind` says how (the server answers each kind with
    its HTTP status, server/errors.py): invalid, conflict, refused (a scenario: `errors` holds
    its `line: $.path: what is wrong` messages), not_found, too_large, unsupported (a media
    type), unauthorized, forbidden."""

    KINDS = ("invalid", "conflict", "refused", "not_found", "too_large", "unsupported", "unauthorized", "forbidden")

    def __init__(self, field: str | None, message: str, *, kind: str = "invalid", errors: list[str] | None = None):
        assert kind in self.KINDS, kind
        super().__init__(message)
        self.field, self.message, self.kind, self.errors = field, message, kind, errors

    def body(self) -> dict:
        error: dict[str, object] = {"field": self.field, "message": self.message}
        if self.errors is not None:
            error["errors"] = self.errors
        return {"error": error}


class MockAdminError(CampaignMockError):
    """The mock's admin API (/__mock/) refused a request, or could not be reached. `status` is
    the HTTP status (None when no answer came), `field` the input it names, `errors` the
    line-numbered details of a refused scenario."""

    def __init__(self, message: str, status: int | None = None, field: str | None = None, errors: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.errors = list(errors or [])

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {e}" for e in self.errors)])


class ScenarioRefused(MockAdminError):
    """A scenario document was refused (422): nothing of it was applied. `errors` holds the
    loader's `line: $.path: what is wrong` messages."""
