"""Bad admin input: the admin API answers it as a 4xx JSON error naming the field."""

from __future__ import annotations

__all__ = ["AdminInputError"]


class AdminInputError(Exception):
    def __init__(self, status: int, field: str | None, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.status, self.field, self.message, self.errors = status, field, message, errors

    def body(self) -> dict:
        error: dict[str, object] = {"field": self.field, "message": self.message}
        if self.errors is not None:
            error["errors"] = self.errors
        return {"error": error}
