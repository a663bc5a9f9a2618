"""Helpers shared by the employment pages."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone

from .. import selectors
from ..services import UNIT_TYPES, WRITERS


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
