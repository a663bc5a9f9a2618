import pytest

from skillbridge.approvals import services
from skillbridge.approvals.models import ReviewCase, ReviewStage, ReviewStatus
from skillbridge.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def submitted_plan(demo, username="ly_operator", title="2027年度计划"):
    actor = demo.user(username)
    case = services.review_create(actor=actor, doc_type="annual_plan", title=title, unit=actor.organisation)
    return services.review_submit(actor=actor, case=case)


def test_reviewer_inbox_lists_the_waiting_case(client, demo):
    case = submitted_plan(demo)
    client.force_login(demo.user("cz_reviewer"))
    html = client.get("/").content.decode()
    assert "待办事项" in html
    assert "2027年度计划" in html
    assert f'href="/reviews/{case.pk}/"' in html
    assert "牵头监狱汇总" in html


def test_empty_inbox_says_so(client, demo):
    client.force_login(demo.user("xk_operator"))
    assert "暂无待办事项。" in client.get("/").content.decode()


def test_reviewer_approves_through_the_page(client, demo):
    case = submitted_plan(demo)
    client.force_login(demo.user("cz_reviewer"))
    page = client.get(f"/reviews/{case.pk}/").content.decode()
    assert "办理：牵头监狱汇总" in page
    response = client.post(
        f"/reviews/{case.pk}/action/",
        {"stage_id": case.current_stage_id, "decision": "approve", "opinion": "材料齐全"},
        follow=True,
    )
    assert "审核意见已提交。" in response.content.decode()
    stage = ReviewStage.objects.get(case=case, index=0)
    assert (stage.decision, stage.opinion, stage.reviewer.username) == ("approve", "材料齐全", "cz_reviewer")


def test_refused_page_action_shows_the_reason_and_changes_nothing(client, demo):
    case = submitted_plan(demo)
    client.force_login(demo.user("cz_reviewer"))
    response = client.post(
        f"/reviews/{case.pk}/action/",
        {"stage_id": case.current_stage_id, "decision": "return", "opinion": ""},
        follow=True,
    )
    assert "退回或不同意时必须填写意见" in response.content.decode()
    assert ReviewCase.objects.get(pk=case.pk).status == ReviewStatus.IN_REVIEW
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0


def test_out_of_turn_page_action_is_403_and_audited(client, demo):
    case = submitted_plan(demo)
    client.force_login(demo.user("cz_hrss_reviewer"))
    response = client.post(
        f"/reviews/{case.pk}/action/", {"stage_id": case.current_stage_id, "decision": "approve"}
    )
    assert response.status_code == 403
    assert "应由常州监狱办理" in response.content.decode()
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0
    assert AuditEvent.objects.filter(action="request.denied", outcome="denied").count() == 1


def test_other_units_get_404_for_page_and_action(client, demo):
    case = submitted_plan(demo)
    client.force_login(demo.user("xk_reviewer"))
    assert client.get(f"/reviews/{case.pk}/").status_code == 404
    response = client.post(
        f"/reviews/{case.pk}/action/", {"stage_id": case.current_stage_id, "decision": "approve"}
    )
    assert response.status_code == 404
    assert "页面不存在，或不在您的数据权限范围内。" in response.content.decode()
    assert ReviewStage.objects.filter(case=case).exclude(decision="").count() == 0
    assert AuditEvent.objects.filter(action="scope.denied", actor__username="xk_reviewer").count() == 2


def test_case_list_is_scoped_and_exports(client, demo):
    submitted_plan(demo, "ly_operator", "溧阳计划")
    submitted_plan(demo, "ah_prison_operator", "蜀山计划")
    client.force_login(demo.user("js_bureau_reviewer"))
    html = client.get("/reviews/").content.decode()
    assert "溧阳计划" in html and "蜀山计划" not in html
    response = client.get("/reviews/", {"export": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_author_resubmits_a_returned_case_from_the_page(client, demo):
    case = submitted_plan(demo)
    services.review_return(
        actor=demo.user("cz_reviewer"), case=case, stage_id=case.current_stage_id, opinion="补充附件3"
    )
    client.force_login(demo.user("ly_operator"))
    home = client.get("/").content.decode()
    assert "待修改后重新报送" in home
    assert "退回意见：补充附件3" in home
    client.post(f"/reviews/{case.pk}/action/", {"decision": "submit"})
    case.refresh_from_db()
    assert (case.status, case.round) == (ReviewStatus.IN_REVIEW, 2)


def test_chinese_error_page(client, demo):
    client.force_login(demo.user("ly_operator"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_login_page_is_chinese_and_uses_only_vendored_assets(client):
    html = client.get("/accounts/login/").content.decode()
    assert "特殊人群职业技能培训及评价管理平台" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "http://" not in html and "https://" not in html


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_case_page_links_to_its_document_when_the_app_registers_one(client, demo):
    from skillbridge.approvals import documents

    case = submitted_plan(demo)
    client.force_login(demo.user("cz_reviewer"))
    saved = dict(documents._URL_BUILDERS)
    documents._URL_BUILDERS.clear()
    try:
        assert "查看年度培训计划内容" not in client.get(f"/reviews/{case.pk}/").content.decode()
        documents.register_document_url("annual_plan", lambda c: f"/planning/plans/by-case/{c.pk}/")
        html = client.get(f"/reviews/{case.pk}/").content.decode()
    finally:
        documents._URL_BUILDERS.clear()
        documents._URL_BUILDERS.update(saved)
    assert f'href="/planning/plans/by-case/{case.pk}/">查看年度培训计划内容</a>' in html
