from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import AuditEvent


def events_for(user, *, actor="", action="", outcome="", object_id="", date_from=None, date_to=None):
    """The audit log as the auditor may read it, filtered; newest first."""
    events = AuditEvent.objects.for_user(user).select_related("organisation")
    if actor:
        events = events.filter(actor_name__contains=actor)
    if action:
        events = events.filter(action__startswith=action)
    if outcome:
        events = events.filter(outcome=outcome)
    if object_id:
        events = events.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        events = events.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return events.order_by("-id")
