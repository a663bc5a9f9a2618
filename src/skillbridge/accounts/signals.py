"""Login success and failure are audit events (the only signal receivers in the project)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from skillbridge.audit.models import Outcome
from skillbridge.audit.services import audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    with transaction.atomic():
        audit_record(action="auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        with transaction.atomic():
            audit_record(action="auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    with transaction.atomic():
        audit_record(
            action="auth.login_failed",
            outcome=Outcome.FAILED,
            object_type="accounts.user",
            object_repr=str(credentials.get("username", ""))[:64],
        )
