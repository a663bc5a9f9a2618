"""Pages: build from a class, the claim page, scope (another unit / city sees nothing), forms, public notice."""

import io

from openpyxl import load_workbook

from skillbridge.subsidies import services
from skillbridge.subsidies.models import Claim

from .conftest import approve_all


def login(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_institution_builds_claim_from_class(client, cz, certified_class):
    login(client, cz, "czjs_operator")
    page = client.get("/subsidies/new/")
    assert page.status_code == 200 and "电工" in page.content.decode()
    response = client.post("/subsidies/new/", {"training_class": certified_class.pk})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/subsidies/{claim.pk}/"
    detail = client.get(f"/subsidies/{claim.pk}/").content.decode()
    assert "赵一" in detail and "3600.00" in detail and "附件8 申领明细与核查结果" in detail
    # A second POST (double submit) makes no second claim.
    client.post("/subsidies/new/", {"training_class": certified_class.pk})
    assert Claim.objects.count() == 1


def test_scope_other_unit_and_institution_cannot_see(client, cz, claim):
    for username in ("xk_operator", "tn_operator", "hf_hrss"):
        client.force_login(cz.user(username))
        assert client.get(f"/subsidies/{claim.pk}/").status_code == 404
        assert client.get(f"/subsidies/{claim.pk}/form.xlsx").status_code == 404
        assert (
            str(claim.pk)
            not in client.get("/subsidies/").content.decode().split("<tbody>")[1].split("</tbody>")[0]
        )
        response = client.post(f"/subsidies/{claim.pk}/submit/")
        assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == "draft"
    for username in ("ly_operator", "cz_hrss_reviewer", "js_bureau_reviewer"):
        client.force_login(cz.user(username))
        assert client.get(f"/subsidies/{claim.pk}/").status_code == 200
    # The lead prison (常州监狱) sees 溧阳监狱's claim only once it has a stage in its review.
    client.force_login(cz.user("cz_reviewer"))
    assert client.get(f"/subsidies/{claim.pk}/").status_code == 404
    services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    assert client.get(f"/subsidies/{claim.pk}/").status_code == 200


def test_forms_export_with_exact_fields(client, cz, claim):
    login(client, cz, "czjs_operator")
    response = client.get(f"/subsidies/{claim.pk}/form.xlsx")
    book = load_workbook(
        io.BytesIO(
            b"".join(response.streaming_content)
            if hasattr(response, "streaming_content")
            else response.content
        )
    )
    form, detail = book.worksheets
    assert form["A1"].value == "江苏省特殊人群职业技能培训补贴资金申领表"
    labels = [form.cell(row=r, column=1).value for r in range(3, 19)]
    assert labels[:13] == [
        "培训机构名称", "组织机构代码", "法定代表人姓名", "开户银行名称", "银行账号", "联系人姓名", "联系电话",
        "培训工种", "培训等级", "培训时间", "培训人数", "补贴标准", "申领金额",
    ]  # fmt: skip
    assert labels[13:16] == [
        "监狱(戒毒所)审核意见",
        "省监狱管理局(省戒毒管理局)审核意见",
        "市人力资源和社会保障局审核意见",
    ]
    assert detail["A1"].value == "江苏省特殊人群职业技能培训补贴申领明细"
    assert [c.value for c in detail[3]][:4] == ["序号", "姓名", "身份证号码", "证书类型"]
    assert detail["C4"].value.count("*") == 8  # masked
    pdf = client.get(f"/subsidies/{claim.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_public_notice_without_login_masks_names_and_ids(client, cz, claim):
    services.claim_submit(actor=cz.user("czjs_operator"), claim=claim)
    approve_all(cz, claim)
    page = client.get("/subsidies/notice/").content.decode()
    assert "赵*" in page and "赵一" not in page
    person = claim.lines.first().person
    assert person.id_number not in page and person.id_number[-4:] in page
    export = client.get("/subsidies/notice/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    names = sorted(sheet.cell(row=r, column=5).value for r in range(2, 5))
    assert names == ["孙*", "赵*", "钱*"]
