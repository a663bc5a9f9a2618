"""The HRSS keeps the assessment route of an occupation on the catalogue's occupation list."""

import io

import pytest
from python_calamine import CalamineWorkbook

from skillbridge.catalog.models import Occupation

pytestmark = pytest.mark.django_db


def test_hrss_sets_the_route_on_the_occupation_list(client, demo):
    cook = Occupation.objects.get(code="4-03-02-03")
    client.force_login(demo.user("cz_hrss_operator"))
    page = client.get("/catalog/occupations/", {"q": "烹调"}).content.decode()
    assert 'aria-label="西式烹调师可评价的国家证书"' in page
    response = client.post(
        f"/catalog/occupations/{cook.pk}/route/",
        {"certificate_type": "skill_level", "next": "/catalog/occupations/?q=烹调"},
    )
    assert response.url == "/catalog/occupations/?q=%E7%83%B9%E8%B0%83"
    cook.refresh_from_db()
    assert cook.national_certificate_type_id == "skill_level"
    rows = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(
                b"".join(
                    client.get(
                        "/catalog/occupations/", {"q": "4-03-02-03", "export": "xlsx"}
                    ).streaming_content
                )
            )
        )
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][-1] == "可评价的国家证书" and rows[1][-1] == "职业技能等级证书"
    client.post(f"/catalog/occupations/{cook.pk}/route/", {"certificate_type": ""})
    cook.refresh_from_db()
    assert cook.national_certificate_type_id is None


def test_others_cannot_set_the_route(client, demo):
    cook = Occupation.objects.get(code="4-03-02-03")
    for username in ("ly_operator", "cz_eval_operator", "cz_hrss_reviewer"):
        client.force_login(demo.user(username))
        if username != "cz_hrss_reviewer":
            assert (
                'aria-label="西式烹调师可评价的国家证书"'
                not in client.get("/catalog/occupations/", {"q": "烹调"}).content.decode()
            )
        response = client.post(f"/catalog/occupations/{cook.pk}/route/", {"certificate_type": "skill_level"})
        if username == "cz_hrss_reviewer":
            assert response.status_code == 302  # a reviewer of the HRSS may keep the catalogue too
            client.post(f"/catalog/occupations/{cook.pk}/route/", {"certificate_type": ""})
        else:
            assert response.status_code == 403, username
    cook.refresh_from_db()
    assert cook.national_certificate_type_id is None
    client.force_login(demo.user("cz_hrss_operator"))
    bad = client.post(f"/catalog/occupations/{cook.pk}/route/", {"certificate_type": "training"})
    cook.refresh_from_db()
    assert bad.status_code == 302  # the refusal is shown as a message (ServiceErrorMiddleware)
    messages = [str(m) for m in bad.wsgi_request._messages]
    assert messages[-1] == "“培训合格证书”不是按职业和等级评价的国家证书"
    assert cook.national_certificate_type_id is None
