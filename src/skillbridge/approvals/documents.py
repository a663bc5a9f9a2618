"""Hooks a document app registers for its doc types (from its AppConfig.ready()):

- where the document behind a review case lives (its page's URL);
- the deadline of each stage, so the inbox shows the stage's own due date as the case moves on;
- what follows the final approval (e.g. an approved class application opens its class), run in the same
  transaction as the approving decision.
"""

from collections.abc import Callable
from datetime import date

from .models import ReviewCase, ReviewStage

_URL_BUILDERS: dict[str, Callable[[ReviewCase], str | None]] = {}
_STAGE_DEADLINES: dict[str, Callable[[ReviewCase, ReviewStage], date | None]] = {}
_ON_APPROVED: dict[str, Callable[[ReviewCase, object], None]] = {}


def register_document_url(doc_type: str, build: Callable[[ReviewCase], str | None]) -> None:
    """Called from an AppConfig.ready(): `build(case)` returns the document page's URL (or None)."""
    _URL_BUILDERS[doc_type] = build


def document_url(case: ReviewCase) -> str | None:
    build = _URL_BUILDERS.get(case.doc_type)
    return build(case) if build else None


def register_stage_deadline(
    doc_type: str, deadline: Callable[[ReviewCase, ReviewStage], date | None]
) -> None:
    """`deadline(case, stage)` returns the date by which `stage` must act, or None to keep the current one."""
    _STAGE_DEADLINES[doc_type] = deadline


def stage_deadline(case: ReviewCase, stage: ReviewStage) -> date | None:
    deadline = _STAGE_DEADLINES.get(case.doc_type)
    return deadline(case, stage) if deadline else None


def register_on_approved(doc_type: str, follow_up: Callable[[ReviewCase, object], None]) -> None:
    """`follow_up(case, actor)` runs inside the transaction of the final approval (a service call)."""
    _ON_APPROVED[doc_type] = follow_up


def on_approved(case: ReviewCase, actor) -> None:
    follow_up = _ON_APPROVED.get(case.doc_type)
    if follow_up:
        follow_up(case, actor)
