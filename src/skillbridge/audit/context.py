"""Who is acting and under which request id, for audit events written deep inside services."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""
    user_id: int | None = None


current = ContextVar("skillbridge_request_context", default=RequestContext())  # noqa: B039 (frozen)
