from django.core import checks
from django.db import DatabaseError
from django.db.models import Count


@checks.register(checks.Tags.database)
def separation_of_duties(app_configs, **kwargs):
    """三权分立: report any user who holds more than one platform role."""
    from .models import PLATFORM_ROLES, RoleGrant

    try:
        offenders = list(
            RoleGrant.objects.filter(role__in=PLATFORM_ROLES)
            .values("user__username")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("user__username", flat=True)
        )
    except DatabaseError:
        return []
    return [
        checks.Error(f"用户 {name} 同时拥有两个以上平台管理角色，违反三权分立", id="accounts.E001")
        for name in offenders
    ]
