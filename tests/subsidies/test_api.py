"""API: build, lines with checks, review, notice, disbursement, payment; scope; public notice."""

import datetime as dt

from django.utils import timezone

from skillbridge.subsidies.models import Claim

from .conftest import CHAIN, history_line


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def as_user(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_claim_flow_through_the_api(client, cz, certified_class, trainees):
    for occupation, on in (
        ("6-18-02-04", dt.date(2026, 2, 1)),
        ("4-04-05-01", dt.date(2026, 5, 1)),
        ("4-01-06-01", dt.date(2026, 8, 1)),
    ):
        history_line(cz, trainees[0], occupation=occupation, on=on)
    as_user(client, cz, "czjs_operator")
    response = post(
        client, "/api/v1/subsidies/claims", {"kind": "training", "training_class_id": certified_class.pk}
    )
    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["line_count"] == 3 and claim["accepted_total"] == "3600.00"
    again = post(
        client, "/api/v1/subsidies/claims", {"kind": "training", "training_class_id": certified_class.pk}
    )
    assert again.status_code == 409
    assert Claim.objects.filter(training_class=certified_class).count() == 1
    lines = client.get(f"/api/v1/subsidies/claims/{claim['id']}/lines").json()
    flagged = next(line for line in lines if line["person_name"] == "赵一")
    assert flagged["outcome"] == "flag"
    assert [c["code"] for c in flagged["checks"] if c["outcome"] == "flag"] == ["yearly_cap"]
    assert "*" in flagged["id_number_masked"]
    assert post(client, f"/api/v1/subsidies/claims/{claim['id']}/submit").json()["status"] == "in_review"
    as_user(client, cz, "ly_reviewer")
    bad = post(client, f"/api/v1/subsidies/lines/{flagged['id']}/decide", {"decision": "rejected"})
    assert bad.status_code == 400 and bad.json()["field"] == "reason"
    decided = post(
        client,
        f"/api/v1/subsidies/lines/{flagged['id']}/decide",
        {"decision": "rejected", "reason": "第4次补贴"},
    )
    assert decided.json()["decision"] == "rejected" and decided.json()["is_active"] is False
    for username in CHAIN:
        as_user(client, cz, username)
        result = post(client, f"/api/v1/subsidies/claims/{claim['id']}/review", {"action": "approve"})
        assert result.status_code == 200, result.content
    detail = result.json()
    assert detail["status"] == "notice" and detail["accepted_total"] == "2400.00"
    as_user(client, cz, "cz_hrss_reviewer")
    refused = post(client, f"/api/v1/subsidies/claims/{claim['id']}/close-notice")
    assert refused.status_code == 409 and "公示期内" in refused.json()["message"]
    Claim.objects.filter(pk=claim["id"]).update(notice_end=timezone.localdate() - dt.timedelta(days=1))
    assert post(client, f"/api/v1/subsidies/claims/{claim['id']}/close-notice").json()["status"] == "approved"
    as_user(client, cz, "cz_finance_reviewer")
    today = timezone.localdate().isoformat()
    over = post(
        client,
        f"/api/v1/subsidies/claims/{claim['id']}/disburse",
        {"voucher_no": "V1", "disbursed_on": today, "amount": "2400.01"},
    )
    assert over.status_code == 400 and over.json()["field"] == "amount"
    paid = post(
        client,
        f"/api/v1/subsidies/claims/{claim['id']}/disburse",
        {"voucher_no": "V1", "disbursed_on": today, "amount": "2400.00"},
    )
    assert paid.json()["status"] == "disbursed"
    as_user(client, cz, "ly_operator")
    done = post(
        client, f"/api/v1/subsidies/claims/{claim['id']}/pay", {"paid_on": today, "amount": "2400.00"}
    )
    assert done.json()["status"] == "paid" and done.json()["paid_amount"] == "2400.00"


def test_api_scope(client, cz, claim):
    for username in ("xk_operator", "tn_operator", "hf_hrss"):
        as_user(client, cz, username)
        assert client.get(f"/api/v1/subsidies/claims/{claim.pk}").status_code == 404
        assert client.get("/api/v1/subsidies/claims").json()["count"] == 0
        assert post(client, f"/api/v1/subsidies/claims/{claim.pk}/submit").status_code == 404
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_public_notice_api_needs_no_login(client, cz, claim):
    response = client.get("/api/v1/subsidies/notice")
    assert response.status_code == 200 and response.json() == []
