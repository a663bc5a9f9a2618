from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from skillbridge.audit.services import audit_denied
from skillbridge.errors import Forbidden, NotFound, ServiceError

from .views import error_403, error_404


def audit_forbidden(request, exc: Forbidden) -> None:
    """A refused action is an audit event of its own (the refused change itself was rolled back)."""
    audit_denied(
        action="request.denied",
        actor=request.user,
        object_type="request",
        object_repr=f"{request.method} {request.path}"[:200],
        changes={"reason": exc.message},
    )


class ServiceErrorMiddleware:
    """Turns a service error that escaped a view into a Chinese message or error page.

    The API has its own handler with the JSON error format.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") or not isinstance(exception, ServiceError):
            return None
        if isinstance(exception, NotFound):
            return error_404(request)
        if isinstance(exception, Forbidden):
            audit_forbidden(request, exception)
            return error_403(request, message=exception.message)
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        return redirect(back)
