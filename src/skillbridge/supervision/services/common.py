from skillbridge.accounts.models import Organisation
from skillbridge.accounts.scope import CITY_SCOPE, UNIT_TYPES
from skillbridge.errors import Forbidden

from ..models import SUPERVISOR_ORG_TYPES

WRITE_ROLES = ("operator", "reviewer", "unit_head")


def is_supervisor(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.organisation.org_type in SUPERVISOR_ORG_TYPES
        and user.has_role(*WRITE_ROLES)
    )


def supervises(user, org: Organisation) -> bool:
    """An authority supervises the units it can see, and the institutions located in its city / province."""
    if not is_supervisor(user):
        return False
    if org.org_type in UNIT_TYPES:
        return Organisation.objects.visible_units(user).filter(pk=org.pk).exists()
    if org.org_type in ("training_institution", "evaluation_institution"):
        mine = user.organisation
        prefix = mine.city_prefix if mine.org_type in CITY_SCOPE else mine.province_prefix
        return org.region_code.startswith(prefix)
    return False


def require_supervisor(user, org: Organisation | None = None) -> None:
    if not is_supervisor(user):
        raise Forbidden("仅市、省级监督部门（司法、人社、财政、监狱/戒毒管理局）可执行此操作")
    if org is not None and not supervises(user, org):
        raise Forbidden(f"{org.name}不在您的监督范围内", field="target")
