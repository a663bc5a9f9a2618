from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from skillbridge.api.pagination import PageNumber

from .models import Organisation
from .scope import get_in_scope

router = Router(tags=["组织与用户"])


class OrganisationOut(Schema):
    id: int
    name: str
    org_type: str
    org_type_display: str = Field(alias="get_org_type_display")
    region_code: str
    parent_id: int | None
    is_lead_unit: bool
    policy_pack: str
    is_active: bool


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    organisation: OrganisationOut


class OrganisationFilter(Schema):
    org_type: str | None = None
    region_code: str | None = Field(None, description="行政区划代码前缀，如 3204")
    q: str | None = Field(None, description="名称包含")


@router.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "roles": sorted(user.roles),
        "organisation": user.organisation,
    }


@router.get("/organisations", response=list[OrganisationOut], summary="组织机构（按数据权限）")
@paginate(PageNumber)
def organisation_list(request, filters: Query[OrganisationFilter]):
    orgs = Organisation.objects.for_user(request.user)
    if filters.org_type:
        orgs = orgs.filter(org_type=filters.org_type)
    if filters.region_code:
        orgs = orgs.filter(region_code__startswith=filters.region_code)
    if filters.q:
        orgs = orgs.filter(name__contains=filters.q)
    return orgs.order_by("region_code", "id")


@router.get("/organisations/{org_id}", response=OrganisationOut, summary="组织机构详情")
def organisation_detail(request, org_id: int):
    return get_in_scope(Organisation, request.user, pk=org_id)
