"""Every write of the supervision app (keyword-only, atomic, audited)."""

from .findings import finding_answer, finding_assign, finding_close, finding_return
from .inspections import (
    inspection_follow_up,
    inspection_plan,
    inspection_report,
    inspection_visit,
    notice_issue,
)
from .ratings import rating_compute, rating_facts, rating_revoke_designations
from .scans import scan_claim_on_submit, scan_execute, scan_request

__all__ = [
    "finding_answer",
    "finding_assign",
    "finding_close",
    "finding_return",
    "inspection_follow_up",
    "inspection_plan",
    "inspection_report",
    "inspection_visit",
    "notice_issue",
    "rating_compute",
    "rating_facts",
    "rating_revoke_designations",
    "scan_claim_on_submit",
    "scan_execute",
    "scan_request",
]
