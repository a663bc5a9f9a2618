from functools import wraps

from django.contrib.auth.decorators import login_required

from skillbridge.audit.services import audit_denied

from .views import error_403


def role_required(*roles: str):
    """Page for the given roles only; anyone else gets the 403 page and a denied audit event."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                audit_denied(
                    action="page.denied", actor=request.user, object_type="page", object_repr=request.path
                )
                return error_403(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
