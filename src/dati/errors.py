"""Domain errors. Each knows its HTTP status and RFC 9457 problem type; one handler renders them."""

from __future__ import annotations

PROBLEM_BASE = "https://dati.gov.lv/problems/"


class DatiError(Exception):
    status = 500
    type = "internal"
    title = "Internal error"

    def __init__(self, detail: str = "", *, errors: dict[str, str] | None = None, **extra: object):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.type


class NotFound(DatiError):
    status, type, title = 404, "not-found", "Not found"


class NotAuthenticated(DatiError):
    status, type, title = 401, "not-authenticated", "Authentication required"


class Forbidden(DatiError):
    status, type, title = 403, "forbidden", "Forbidden"


class Conflict(DatiError):
    status, type, title = 409, "conflict", "Conflict"


class Invalid(DatiError):
    """Input failed validation; ``errors`` maps each field to its message."""

    status, type, title = 422, "invalid", "Invalid input"


class PreconditionFailed(DatiError):
    status, type, title = 412, "precondition-failed", "Precondition failed"


class TooManyRequests(DatiError):
    status, type, title = 429, "too-many-requests", "Too many requests"


class PayloadTooLarge(DatiError):
    status, type, title = 413, "payload-too-large", "Payload too large"


ERROR_CLASSES: tuple[type[DatiError], ...] = (
    NotFound,
    NotAuthenticated,
    Forbidden,
    Conflict,
    Invalid,
    PreconditionFailed,
    TooManyRequests,
    PayloadTooLarge,
)
