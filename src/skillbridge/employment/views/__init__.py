"""Pages of the employment services: people approaching release, profiles, handovers, events, agreements,
follow-ups due and the employment rate. Thin: scope → form → one service → redirect. Lists are paginated
with filters and an xlsx export (ID numbers masked)."""

from .agreements import agreement_create, agreement_list, agreement_status, rate
from .common import index
from .events import event_attendance, event_create, event_detail, event_list
from .handovers import follow_up_create, follow_up_due, handover_action, handover_detail, handover_list
from .people import handover_create, people, profile_detail, profile_edit

__all__ = [
    "agreement_create",
    "agreement_list",
    "agreement_status",
    "event_attendance",
    "event_create",
    "event_detail",
    "event_list",
    "follow_up_create",
    "follow_up_due",
    "handover_action",
    "handover_create",
    "handover_detail",
    "handover_list",
    "index",
    "people",
    "profile_detail",
    "profile_edit",
    "rate",
]
