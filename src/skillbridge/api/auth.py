"""API authentication: bearer tokens for machines, the Django session (with CSRF) for the browser."""

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from skillbridge.accounts.models import ApiToken
from skillbridge.accounts.services import token_digest
from skillbridge.errors import Forbidden


def _usable(user):
    if not user.is_active:
        return None
    if user.must_change_password and not settings.DEMO_MODE:
        raise Forbidden("请先登录网页修改初始密码", code="password_change_required")
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user", "user__organisation")
            .filter(digest=token_digest(token), expires_at__gt=timezone.now())
            .first()
        )
        if found is None:
            return None
        user = _usable(found.user)
        if user is not None:
            # Token use is tracked at most once a minute, to keep reads cheap.
            if not found.last_used_at or (timezone.now() - found.last_used_at).total_seconds() > 60:
                ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return _usable(user) if user is not None else None
