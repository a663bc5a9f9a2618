"""Pages: certificate list / detail / PDF / revoke / reissue, the personal training archive, the
certification-before-release figures (also a home-page panel), and the PUBLIC verification pages.

The public pages (`verify`, `verify_code`, `public_key`) carry no login decorator: the project applies
login per view (`login_required`), not by middleware, so they are reachable anonymously.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from skillbridge.accounts.scope import UNIT_TYPES, get_in_scope
from skillbridge.audit.services import audit_record
from skillbridge.errors import ServiceError
from skillbridge.registry.models import Person
from skillbridge.web.exports import xlsx_response
from skillbridge.web.forms import form_error
from skillbridge.web.pdf import pdf_response

from . import codes, documents, selectors, services, signing, verification
from .forms import (
    ArchiveSearchForm,
    CertificateFilterForm,
    ReissueForm,
    ReleaseFilterForm,
    RevokeForm,
    VerifyForm,
)
from .models import Certificate, CertificateStatus


def _is_issuer_staff(user, certificate: Certificate) -> bool:
    return user.organisation_id == certificate.issuer_id and user.has_role(*services.ISSUER_ROLES)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# ---- certificates --------------------------------------------------------------------------------------

LIST_HEADERS = [
    "姓名", "身份证号", "单位", "证书类型", "职业（工种）/项目", "等级", "证书编号", "编号格式提示", "发证机构",
    "发证日期", "状态", "查验码",
]  # fmt: skip


def _filtered(request, form):
    rows = selectors.certificates(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            rows = rows.filter(Q(person__name__startswith=data["q"]) | Q(official_number=data["q"]))
        if data["certificate_type"]:
            rows = rows.filter(certificate_type=data["certificate_type"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["year"]:
            rows = rows.filter(issue_date__year=data["year"])
    return rows.order_by("-issue_date", "-id")


@login_required
def certificate_list(request):
    form = CertificateFilterForm(request.GET or None)
    rows = _filtered(request, form)
    if request.GET.get("export") == "xlsx":
        from django.db import transaction

        with transaction.atomic():
            audit_record(
                action="certificates.certificate.export",
                actor=request.user,
                object_type="certificates.certificate",
                changes={"filters": {k: v for k, v in request.GET.items() if k != "export"}},
            )
        return xlsx_response(
            "证书清单.xlsx",
            "证书清单",
            LIST_HEADERS,
            (
                (
                    c.person.name,
                    c.person.masked_id_number,
                    c.unit.name,
                    c.certificate_type.name,
                    selectors.subject_display(c),
                    str(c.level) if c.level_id else "",
                    c.official_number,
                    c.number_warning,
                    c.issuer.name,
                    c.issue_date,
                    c.get_status_display(),
                    codes.display(c.verification_code),
                )
                for c in rows.iterator(chunk_size=1000)
            ),
        )
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request, "certificates/certificate_list.html", {"form": form, "page": page, "page_title": "证书"}
    )


@login_required
def certificate_detail(request, pk: int):
    certificate = get_in_scope(Certificate, request.user, pk=pk)
    certificate = selectors.certificates(request.user).get(pk=certificate.pk)
    events = certificate.events.select_related("actor").order_by("id")
    credits = certificate.credit_entries.order_by("id")
    can_act = _is_issuer_staff(request.user, certificate) and certificate.status == CertificateStatus.VALID
    superseded_by = Certificate.objects.filter(supersedes=certificate).first()
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "c": certificate,
            "events": events,
            "credits": credits,
            "can_act": can_act,
            "superseded_by": superseded_by,
            "code_display": codes.display(certificate.verification_code),
            "verify_url": _base_url(request) + documents.verification_path(certificate, with_payload=False),
            "revoke_form": RevokeForm(),
            "page_title": f"{certificate.certificate_type.name} {certificate.official_number}",
        },
    )


@login_required
def certificate_pdf(request, pk: int):
    certificate = get_in_scope(Certificate, request.user, pk=pk)
    certificate = selectors.certificates(request.user).get(pk=certificate.pk)
    content = documents.certificate_pdf(certificate, _base_url(request))
    return pdf_response(f"{certificate.certificate_type.name}-{certificate.official_number}.pdf", content)


@login_required
@require_POST
def certificate_revoke(request, pk: int):
    certificate = get_in_scope(Certificate, request.user, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因")
        return redirect("certificates:certificate_detail", pk=pk)
    services.certificate_revoke(
        actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"]
    )
    messages.success(request, "证书已撤销，公开查验将显示“已撤销”。")
    return redirect("certificates:certificate_detail", pk=pk)


@login_required
def certificate_reissue(request, pk: int):
    certificate = get_in_scope(Certificate, request.user, pk=pk)
    form = ReissueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.certificate_reissue(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                official_number=form.cleaned_data["official_number"] or None,
                issue_date=form.cleaned_data["issue_date"],
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(request, "已换发新证书，原证书状态为“已被换发”。")
            return redirect("certificates:certificate_detail", pk=new.pk)
    return render(
        request,
        "certificates/reissue_form.html",
        {"form": form, "c": certificate, "page_title": "换发证书"},
    )


# ---- archive -------------------------------------------------------------------------------------------


@login_required
def archive_search(request):
    form = ArchiveSearchForm(request.GET or None)
    people = []
    if form.is_valid() and form.cleaned_data["q"]:
        people = list(
            Person.objects.for_user(request.user)
            .filter(name__startswith=form.cleaned_data["q"])
            .order_by("name", "id")[:50]
        )
    return render(
        request,
        "certificates/archive_search.html",
        {"form": form, "people": people, "page_title": "培训档案"},
    )


@login_required
def archive_detail(request, person_id: int):
    archive = selectors.archive(request.user, person_id)
    fmt = request.GET.get("format")
    if fmt in ("pdf", "xlsx"):
        from django.db import transaction

        with transaction.atomic():
            audit_record(
                action="certificates.archive.export",
                actor=request.user,
                obj=archive.person,
                changes={"format": fmt},
            )
    if fmt == "pdf":
        return pdf_response(f"{archive.person.name}培训档案.pdf", documents.archive_pdf(archive))
    if fmt == "xlsx":
        return _archive_xlsx(archive)
    return render(
        request,
        "certificates/archive.html",
        {"archive": archive, "page_title": f"{archive.person.name}的培训档案"},
    )


def _archive_xlsx(archive) -> HttpResponse:
    import io
    from urllib.parse import quote

    from xlsxwriter import Workbook

    rows = documents.archive_rows(archive)
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    person = archive.person
    for title, headers, data in (
        ("培训经历", documents.ARCHIVE_CLASS_HEADERS, rows["classes"]),
        ("取得证书", documents.ARCHIVE_CERT_HEADERS, rows["certificates"]),
        ("学分", documents.ARCHIVE_CREDIT_HEADERS, rows["credits"]),
    ):
        sheet = book.add_worksheet(title)
        sheet.write(0, 0, f"{person.name}（{person.masked_id_number}）")
        for col, header in enumerate(headers):
            sheet.write(1, col, header, bold)
            sheet.set_column(col, col, max(10, len(header) * 2 + 2))
        for r, row in enumerate(data, start=2):
            for col, value in enumerate(row):
                sheet.write(r, col, value)
    book.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(person.name + '培训档案.xlsx')}"
    return response


# ---- certification before release ---------------------------------------------------------------------


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@login_required
def before_release(request):
    units = selectors.units_in_scope(request.user)
    today = timezone.localdate()
    initial = {"year": today.year, "unit": units.first()}
    form = ReleaseFilterForm(request.GET or None, units=units, initial=initial)
    figures, overview = None, []
    if form.is_valid():
        unit, year = form.cleaned_data["unit"], form.cleaned_data["year"]
    else:
        unit, year = initial["unit"], initial["year"]
    if unit is not None:
        start, end = _year_range(year)
        figures = selectors.release_figures(
            request.user, unit=unit, date_from=start, date_to=end, today=today
        )
        if units.count() > 1:
            overview = [
                selectors.release_figures(request.user, unit=u, date_from=start, date_to=end, today=today)
                for u in units[:50]
            ]
    return render(
        request,
        "certificates/before_release.html",
        {"form": form, "figures": figures, "overview": overview, "year": year, "page_title": "刑释前获证率"},
    )


def release_panel(request) -> str | None:
    """Home-page panel for a unit's users: this year's certification-before-release figures."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or user.organisation.org_type not in UNIT_TYPES:
        return None
    today = timezone.localdate()
    start, end = _year_range(today.year)
    figures = selectors.release_figures(
        user, unit=user.organisation, date_from=start, date_to=end, today=today
    )
    return render_to_string(
        "certificates/_release_panel.html",
        {"figures": figures, "missing": figures.missing_upcoming[:10]},
        request,
    )


# ---- public verification (no login) --------------------------------------------------------------------


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def verify(request):
    """查验 by code or by name + number (GET, so a result page can be bookmarked and no CSRF is needed)."""
    form = VerifyForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        if data["code"]:
            return redirect("certificates:verify_code", code=codes.normalise(data["code"]) or "-")
        result = verification.verify_name_number(
            data["name"], data["number"], ip=_ip(request), user_agent=_agent(request)
        )
    response = render(
        request, "certificates/verify.html", {"form": form, "result": result, "page_title": "证书查验"}
    )
    if result is not None and result.outcome == "rate_limited":
        response.status_code = 429
    return response


def verify_code(request, code: str):
    result = verification.verify_code(
        code, ip=_ip(request), payload=request.GET.get("p", ""), user_agent=_agent(request)
    )
    response = render(
        request,
        "certificates/verify.html",
        {"form": VerifyForm(), "result": result, "code": code, "page_title": "证书查验"},
    )
    if result.outcome == "rate_limited":
        response.status_code = 429
    return response


def public_key(request):
    response = HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")
    response["X-Key-Id"] = signing.key_id()
    return response
