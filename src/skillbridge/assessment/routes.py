"""The assessment route of a subject (002 二(七)), decided from catalogue data only.

- a special-ability item → the national certificate type for special items (专项职业能力证书);
- an occupation whose `national_certificate_type` is recorded (国家职业资格目录 → 职业资格证书; skill-level
  evaluation available → 职业技能等级证书) → that certificate;
- anything else (an occupation without national evaluation, a 创业培训 project) → the non-national type
  (培训合格证书), examined by the training institution that ran the class.

The examiner's organisation type is the certificate type's `issuer_org_type`.
"""

from dataclasses import dataclass

from skillbridge.catalog.models import CertificateType
from skillbridge.errors import ServiceError

from .models import Route


@dataclass(frozen=True)
class RouteDecision:
    route: str
    certificate_type: CertificateType
    examiner_org_type: str
    reason: str

    @property
    def route_display(self) -> str:
        return Route(self.route).label


def _one(queryset, what: str) -> CertificateType:
    found = list(queryset[:2])
    if len(found) != 1:
        raise ServiceError(f"证书类型目录中{what}的证书类型不唯一或不存在，请联系系统管理员", field="route")
    return found[0]


def route_for(*, occupation=None, special_item=None) -> RouteDecision:
    if special_item is not None:
        cert = _one(CertificateType.objects.filter(for_special_items=True, is_national=True), "专项职业能力")
        reason = f"“{special_item.name}”为专项职业能力考核项目"
    elif occupation is not None and occupation.national_certificate_type_id:
        cert = occupation.national_certificate_type
        reason = f"职业目录登记“{occupation.name}”可由评价机构考核颁发{cert.name}"
    else:
        cert = _one(CertificateType.objects.filter(is_national=False), "非国家证书")
        name = f"“{occupation.name}”" if occupation is not None else "该项目"
        reason = f"职业目录未登记{name}的国家职业资格或职业技能等级评价，由培训机构组织结业考核"
    route = Route.EVALUATION if cert.is_national else Route.COMPLETION
    return RouteDecision(route, cert, cert.issuer_org_type, reason)


def route_for_class(training_class) -> RouteDecision:
    a = training_class.application
    return route_for(occupation=a.occupation, special_item=a.special_item)
