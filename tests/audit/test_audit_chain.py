import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from skillbridge.audit.models import AppendOnlyError, AuditEvent
from skillbridge.audit.services import (
    GENESIS,
    AuditOutsideTransaction,
    audit_record,
    audit_verify,
)

pytestmark = pytest.mark.django_db


def write(n, action="test.event"):
    for i in range(n):
        with transaction.atomic():
            audit_record(action=action, object_type="test", object_id=str(i), changes={"i": i})


def test_events_chain_from_genesis():
    write(3)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit_verify().ok
    assert audit_verify().checked == 3


def test_changing_one_row_with_raw_sql_is_found_at_that_row():
    write(5)
    target = AuditEvent.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["篡改", target.pk])
    report = audit_verify()
    assert (report.ok, report.broken_id, report.checked) == (False, target.pk, 2)
    assert report.problem == "事件内容与其哈希不符（该行被改动）"
    with pytest.raises(CommandError, match=f"审计链在事件 #{target.pk} 处断开"):
        call_command("audit-verify")


def test_deleting_a_row_with_raw_sql_breaks_the_next_link():
    write(4)
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[1]])
    report = audit_verify()
    assert (report.broken_id, report.problem) == (
        ids[2],
        "前序哈希与上一条事件不一致（有事件被删除、插入或改动）",
    )


def test_verify_command_reports_an_intact_chain(capsys):
    write(2)
    call_command("audit-verify")
    assert capsys.readouterr().out.strip() == "审计链完整：共校验 2 条事件。"


def test_application_cannot_edit_or_delete_events():
    write(1)
    event = AuditEvent.objects.get()
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.event"]


@pytest.mark.django_db(transaction=True)
def test_event_must_share_the_transaction_of_its_change():
    with pytest.raises(AuditOutsideTransaction):
        audit_record(action="test.outside")
    assert AuditEvent.objects.count() == 0


def test_event_rolls_back_with_its_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back")
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == 0


def test_id_numbers_and_secrets_are_masked_in_stored_changes():
    with transaction.atomic():
        event = audit_record(
            action="test.mask",
            object_repr="张三 320402199001011234",
            changes={
                "id_number": "320402199001011234",
                "note": "核对 32040219900101123X 的档案",
                "password": "x",
            },
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {
        "id_number": "320402********1234",
        "note": "核对 320402********123X 的档案",
        "password": "***",
    }
    assert stored.object_repr == "张三 320402********1234"
    assert audit_verify().ok


def test_request_id_and_actor_come_from_the_request(client, demo):
    client.post(
        "/accounts/login/",
        {"username": "ly_operator", "password": "Skill@2026demo"},
        HTTP_X_REQUEST_ID="req-0123456789abcdef",
    )
    event = AuditEvent.objects.filter(action="auth.login").get()
    assert (event.request_id, event.actor.username, event.organisation.name) == (
        "req-0123456789abcdef",
        "ly_operator",
        "溧阳监狱",
    )
    assert event.ip == "127.0.0.1"
