from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/static/", "/accounts/", "/verify/")


class PasswordChangeRequiredMiddleware:
    """Users created with an initial password must set their own before doing anything else.

    Demo mode keeps the printed demo passwords usable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not settings.DEMO_MODE
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "password_change_required", "message": "请先修改初始密码", "field": None},
                    status=403,
                )
            return redirect(reverse("password_change"))
        return self.get_response(request)
