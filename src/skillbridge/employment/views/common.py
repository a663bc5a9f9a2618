"""Helpers shared by the employment pages."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone

from skillbridge.errors import ServiceError

from .. import selectors
from ..services import UNIT_TYPES, WRITERS


def form_error(form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    for detail in exc.details[1:]:
        form.add_error(detail.get("field") if detail.get("field") in form.fields else None, detail["message"])


def is_writer_of(user, org_id) -> bool:
    return user.organisation_id == org_id and user.has_role(*WRITERS)


def is_unit_writer(user) -> bool:
    return user.organisation.org_type in UNIT_TYPES and user.has_role(*WRITERS)


def today() -> date:
    return timezone.localdate()


@login_required
def index(request):
    if selectors.is_service_org(request.user):
        return redirect("employment:handover_list")
    return redirect("employment:people")
