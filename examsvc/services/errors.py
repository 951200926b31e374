"""Expected failures of a use case; views turn them into a flash message or a JSON 4xx."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.problems = problems or []


class BadInput(ServiceError):
    status = 400
    code = "bad_request"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
