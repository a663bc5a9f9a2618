"""Demo: a third-quarter report of 溧阳监狱 generated from whatever demo data exist (idempotent).

Dashboards need no demo data of their own: they count what the other apps' demos created, once the rollup is
rebuilt (done here, so this loader should run after the other apps' demos).
"""

from django.utils import timezone

from skillbridge.accounts.models import User

from .models import PeriodicReport
from .periods import parse_period
from .scopes import scope_for
from .services import report_generate, rollup_refresh


def load_demo() -> PeriodicReport | None:
    rollup_refresh(actor=None)
    user = User.objects.filter(username="ly_operator").select_related("organisation").first()
    if user is None:
        return None
    today = timezone.localdate()
    period = parse_period(f"{today.year}Q3", today=today)
    existing = PeriodicReport.objects.filter(author_org=user.organisation, period_code=period.code).first()
    if existing:
        return existing
    return report_generate(
        actor=user,
        scope=scope_for(user),
        period=period,
        kind="quarterly",
        body="（演示）本季度培训、取证和补贴情况见下表。",
        today=today,
    )
