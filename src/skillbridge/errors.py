"""Errors a service raises for the caller to show: a code, a Chinese message and the field at fault.

Web views turn them into form errors or messages; the API turns them into its JSON error format.
"""


class ServiceError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []
        if code:
            self.code = code


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    code = "conflict"
    status = 409
