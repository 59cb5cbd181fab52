"""Errors a service raises when a request cannot be carried out.

Views show :attr:`message` (translated) to people; the API answers ``status`` with
``{"error": {"code", "message"}}`` so clients can act on :attr:`code`.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class Conflict(ServiceError):
    """The request is valid but the current state forbids it (an object in use, a limit reached)."""

    status = 409
