"""Reads for import pages and the API; jobs always through `ImportJob.objects.for_user(user)`."""

from skillbridge.errors import Forbidden

from .base import Importer
from .models import ImportJob
from .registry import IMPORTERS


def importers_for_user(user) -> list[type[Importer]]:
    """The importers the user may run (their `check_permission` passes), by title."""
    allowed = []
    for importer in IMPORTERS.values():
        try:
            importer(user).check_permission()
        except Forbidden:
            continue
        allowed.append(importer)
    return sorted(allowed, key=lambda i: i.title)


def job_list(user):
    return ImportJob.objects.for_user(user).select_related("user").order_by("-id")
