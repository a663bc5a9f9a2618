"""The one data-scope mechanism: every list, detail, export and API read starts from `for_user(user)`.

A unit (prison, rehab centre, community-correction office) sees its own data; a provincial bureau the
units of its system in its province; a city bureau the units located in its city; an institution only
what it takes part in (the model names those fields); a public employment service only the people
handed over to it (the employment app's models name it as recipient). Platform roles see no business data.
"""

from django.db import models
from django.db.models import Q

UNIT_TYPES = ("prison", "rehab_centre", "community_correction_office")
PROVINCIAL_SCOPE = {
    "provincial_prison_bureau": ("prison",),
    "provincial_rehab_bureau": ("rehab_centre",),
    "provincial_justice": UNIT_TYPES,
    "provincial_hrss": UNIT_TYPES,
    "provincial_finance": UNIT_TYPES,
}
CITY_SCOPE = {
    "city_hrss": UNIT_TYPES,
    "city_finance": UNIT_TYPES,
    "city_justice": UNIT_TYPES,
}


class OrganisationQuerySet(models.QuerySet):
    def visible_units(self, user):
        """The units (监狱/戒毒所/社区矫正机构) whose business data `user` may read."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        org = user.organisation
        if org.org_type in UNIT_TYPES:
            return self.filter(pk=org.pk)
        if org.org_type in PROVINCIAL_SCOPE:
            return self.filter(
                org_type__in=PROVINCIAL_SCOPE[org.org_type], region_code__startswith=org.province_prefix
            )
        if org.org_type in CITY_SCOPE:
            return self.filter(org_type__in=CITY_SCOPE[org.org_type], region_code__startswith=org.city_prefix)
        return self.none()

    def for_user(self, user):
        """Organisations a user may look at: their own, the units in scope; all for the system admin."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_role("system_admin"):
            return self.all()
        return self.filter(Q(pk=user.organisation_id) | Q(pk__in=self.visible_units(user).values("pk")))


class ScopedQuerySet(models.QuerySet):
    """Base queryset for business data. The model declares:

    - ``scope_unit_field``: lookup path to the owning unit (an Organisation);
    - ``scope_participant_fields`` (optional): lookup paths to organisations taking part (institutions).
    """

    def scope_condition(self, user) -> Q:
        from .models import Organisation

        units = Organisation.objects.visible_units(user).values("pk")
        condition = Q(**{f"{self.model.scope_unit_field}__in": units})
        for field in getattr(self.model, "scope_participant_fields", ()):
            condition |= Q(**{field: user.organisation_id})
        return condition

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(self.scope_condition(user))


def get_in_scope(model, user, **lookup):
    """One object through the user's scope. An object that exists but lies outside the scope is
    reported exactly like a missing one (no probing), and the attempt is audited as denied."""
    from skillbridge.audit.services import audit_denied
    from skillbridge.errors import NotFound

    obj = model.objects.for_user(user).filter(**lookup).first()
    if obj is not None:
        return obj
    hidden = model.objects.filter(**lookup).values_list("pk", flat=True).first()
    if hidden is not None:
        audit_denied(
            action="scope.denied",
            actor=user,
            object_type=model._meta.label_lower,
            object_id=str(hidden),
        )
    raise NotFound(f"{model._meta.verbose_name}不存在或不在您的数据权限范围内")
