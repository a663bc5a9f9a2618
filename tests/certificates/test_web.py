import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from skillbridge.certificates import codes, services
from skillbridge.certificates.models import Certificate, CreditEntry, VerificationCheck

from .conftest import issue

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def client_for(demo, username):
    client = Client()
    client.force_login(demo.user(username))
    return client


def test_public_verification_by_code_without_login(cz, trainees):
    cert = issue(cz, trainees[0])
    response = Client().get(reverse("certificates:verify_code", args=[cert.verification_code]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "赵*" in text and "赵一" not in text
    assert "有效" in text and "常州市职业技能鉴定指导中心" in text and "电工" in text
    assert "溧阳监狱" not in text  # never the prison
    assert trainees[0].id_number not in text
    check = VerificationCheck.objects.get()
    assert (check.method, check.outcome, check.certificate_id, check.query) == (
        "code",
        "found",
        cert.pk,
        cert.verification_code,
    )


def test_revoked_shows_revoked(cz, trainees):
    cert = issue(cz, trainees[0])
    services.certificate_revoke(actor=cz.user("cz_eval_operator"), certificate=cert, reason="考核舞弊")
    text = Client().get(reverse("certificates:verify_code", args=[cert.verification_code])).content.decode()
    assert "已撤销" in text and "本证书已被发证机构撤销" in text


def test_not_found_is_the_same_neutral_answer_for_everything(cz, trainees):
    cert = issue(cz, trainees[0])
    body = cert.verification_code[:-1]
    wrong_check = body + next(ch for ch in codes.ALPHABET if ch != cert.verification_code[-1])
    valid_unknown = "ABCDEFGHJKL" + codes.check_character("ABCDEFGHJKL")
    client = Client()
    answers = []
    for url in (
        reverse("certificates:verify_code", args=[wrong_check]),
        reverse("certificates:verify_code", args=[valid_unknown]),
        reverse("certificates:verify_code", args=["<script>"]),
        reverse("certificates:verify") + "?name=赵二&number=" + cert.official_number,  # wrong name
        reverse("certificates:verify") + "?name=赵一&number=S320400000000000000099",  # wrong number
        reverse("certificates:verify") + "?name=钱二&number=S320400000000000000099",  # person exists, no cert
    ):
        text = client.get(url).content.decode()
        answers.append(re.search(r'data-testid="verify-message">([^<]*)<', text).group(1))
        assert "赵" not in text.split("持证人姓名")[0].split("</h1>")[1]
    assert set(answers) == {"未查到匹配的证书。请核对查验码，或同时核对持证人姓名与证书编号。"}
    assert VerificationCheck.objects.filter(outcome__in=["not_found", "malformed"]).count() == 6


def test_name_and_number_together(cz, trainees):
    cert = issue(cz, trainees[0])
    url = reverse("certificates:verify") + f"?name=赵一&number={cert.official_number}"
    text = Client().get(url).content.decode()
    assert 'data-testid="verify-result"' in text and "赵*" in text
    text = Client().get(reverse("certificates:verify") + "?name=赵一").content.decode()
    assert "按姓名查验时，须同时填写持证人姓名与证书编号" in text
    assert VerificationCheck.objects.count() == 1


def test_tampered_qr_payload_shows_nothing(cz, trainees):
    from skillbridge.certificates import signing

    cert = issue(cz, trainees[0])
    good = signing.qr_token(cert)
    url = reverse("certificates:verify_code", args=[cert.verification_code])
    text = Client().get(url, {"p": good}).content.decode()
    assert "二维码电子签名校验通过" in text
    record, signature = good.split(".")
    import base64
    import json

    data = json.loads(base64.urlsafe_b64decode(record + "=" * (-len(record) % 4)))
    data["level"] = "一级/高级技师"
    forged = base64.urlsafe_b64encode(signing.canonical_bytes(data)).rstrip(b"=").decode()
    for payload in (f"{forged}.{signature}", good[:-3] + "AAA", "garbage"):
        text = Client().get(url, {"p": payload}).content.decode()
        assert "二维码内容无效（签名校验未通过，可能被篡改）" in text
        assert "赵*" not in text and "电工" not in text and "鉴定指导中心" not in text
    assert VerificationCheck.objects.filter(outcome="bad_signature").count() == 3


def test_flooding_is_rate_limited_per_ip(cz, trainees, settings):
    settings.CERTIFICATE_VERIFY_LIMIT = (3, 600)
    cert = issue(cz, trainees[0])
    url = reverse("certificates:verify_code", args=[cert.verification_code])
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    text = client.get(url).content.decode()
    assert "查验过于频繁，请稍后再试。" in text and "赵*" not in text
    # Another IP is not affected.
    assert Client(REMOTE_ADDR="203.0.113.10").get(url).status_code == 200
    assert VerificationCheck.objects.filter(ip="203.0.113.9", outcome="rate_limited").count() == 3
    assert VerificationCheck.objects.filter(ip="203.0.113.9", outcome="found").count() == 3


def test_public_key_is_published(cz):
    response = Client().get(reverse("certificates:public_key"))
    assert response.status_code == 200
    assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_list_detail_and_export_in_scope(cz, trainees):
    cert = issue(cz, trainees[0])
    for username in ("ly_operator", "cz_eval_operator", "js_bureau_reviewer", "cz_hrss_reviewer"):
        client = client_for(cz, username)
        assert cert.official_number in client.get(reverse("certificates:certificate_list")).content.decode()
        assert client.get(reverse("certificates:certificate_detail", args=[cert.pk])).status_code == 200
    for username in ("cz_operator", "ah_prison_operator", "czjs_operator"):
        client = client_for(cz, username)
        assert (
            cert.official_number not in client.get(reverse("certificates:certificate_list")).content.decode()
        )
        assert client.get(reverse("certificates:certificate_detail", args=[cert.pk])).status_code == 404
        assert client.get(reverse("certificates:certificate_pdf", args=[cert.pk])).status_code == 404
        assert client.get(reverse("certificates:archive_detail", args=[trainees[0].pk])).status_code == 404
    response = client_for(cz, "ly_operator").get(reverse("certificates:certificate_list") + "?export=xlsx")
    content = b"".join(response.streaming_content)
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(content)).active.values)
    assert rows[1][0] == "赵一" and rows[1][1] == trainees[0].masked_id_number
    assert trainees[0].id_number not in str(rows)


def test_out_of_scope_revoke_changes_nothing(cz, trainees):
    cert = issue(cz, trainees[0])
    for username in ("cz_operator", "ly_operator"):
        response = client_for(cz, username).post(
            reverse("certificates:certificate_revoke", args=[cert.pk]), {"reason": "x"}
        )
        assert response.status_code in (403, 404)
    cert.refresh_from_db()
    assert cert.status == "valid" and CreditEntry.objects.filter(source="reversal").count() == 0


def test_revoke_and_reissue_pages(cz, trainees):
    cert = issue(cz, trainees[0])
    client = client_for(cz, "cz_eval_operator")
    page = client.get(reverse("certificates:certificate_detail", args=[cert.pk])).content.decode()
    assert "撤销证书" in page and "换发证书" in page
    response = client.post(
        reverse("certificates:certificate_reissue", args=[cert.pk]),
        {"reason": "原证遗失", "issue_date": "2026-12-01"},
    )
    new = Certificate.objects.get(supersedes=cert)
    assert response.status_code == 302 and response["Location"] == reverse(
        "certificates:certificate_detail", args=[new.pk]
    )
    response = client.post(reverse("certificates:certificate_revoke", args=[new.pk]), {"reason": "考核舞弊"})
    new.refresh_from_db()
    assert new.status == "revoked"
    response = client.post(
        reverse("certificates:certificate_revoke", args=[new.pk]), {"reason": "再次"}, follow=True
    )
    assert "证书已撤销，不能重复撤销" in response.content.decode()


def test_certificate_pdf_renders_with_qr(cz, trainees, tmp_path):
    cert = issue(cz, trainees[0])
    response = client_for(cz, "ly_operator").get(reverse("certificates:certificate_pdf", args=[cert.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "职业技能等级证书" in text and "赵一" in text and "S320400000000000000001" in text
    assert codes.display(cert.verification_code) in text
    SCREENSHOTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(SCREENSHOTS / "certificate_pdf")],
        check=True,
    )
    assert (SCREENSHOTS / "certificate_pdf.png").stat().st_size > 10_000


def test_archive_pages(cz, completed_class, trainees):
    cert = issue(cz, trainees[0], training_class=completed_class)
    client = client_for(cz, "ly_operator")
    text = client.get(reverse("certificates:archive_detail", args=[trainees[0].pk])).content.decode()
    assert "电工" in text and cert.official_number in text
    assert "累计 <strong>21.00</strong> 学分" in text  # 11 (22 课时) + 10 (五级)
    response = client.get(reverse("certificates:archive_detail", args=[trainees[0].pk]) + "?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    response = client.get(reverse("certificates:archive_detail", args=[trainees[0].pk]) + "?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
