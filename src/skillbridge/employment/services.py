"""Every write of the employment app: keyword-only ``<entity>_<action>`` functions, one transaction each,
with its audit event. The unit (prison) writes profiles, handovers and events; the public employment
service that received a person writes the handover's progress, agreements and follow-ups."""

import re
from datetime import date

from django.db import IntegrityError, transaction

from skillbridge.accounts.models import Organisation, Role
from skillbridge.audit.services import audit_record
from skillbridge.errors import Conflict, Forbidden, ServiceError
from skillbridge.policy.errors import PolicyError
from skillbridge.policy.loader import get_pack
from skillbridge.policy.rules import follow_up_schedule, follow_up_state, pre_release_window_start
from skillbridge.policy.schema import ORG_TYPES
from skillbridge.registry import services as registry
from skillbridge.registry.models import Episode, EpisodeStatus, Person

from .models import (
    EMPLOYED_FORMS,
    HANDOVER_MOVES,
    AgreementStatus,
    AssistanceAgreement,
    EmploymentForm,
    EmploymentProfile,
    EventAttendance,
    EventKind,
    FollowUp,
    Handover,
    HandoverStatus,
    HandoverStep,
    Need,
    Sector,
    ServiceEvent,
)
from .selectors import released_on

WRITERS = (Role.OPERATOR, Role.UNIT_HEAD)
UNIT_TYPES = ("prison", "rehab_centre", "community_correction_office")
ORGANISER_TYPES = ("public_employment_service", "city_hrss", "city_justice")


def _fmt(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def require_unit_writer(actor, unit: Organisation) -> None:
    if not actor.has_role(*WRITERS):
        raise Forbidden("需要经办或负责人角色")
    if actor.organisation_id != unit.pk:
        raise Forbidden(f"只有“{unit.name}”的经办人员可以办理")


def require_recipient_writer(actor, organisation: Organisation) -> None:
    if not actor.has_role(*WRITERS):
        raise Forbidden("需要经办或负责人角色")
    if actor.organisation_id != organisation.pk:
        raise Forbidden(f"只有接收机构“{organisation.name}”可以办理")


def _employment_rules(unit: Organisation):
    try:
        return get_pack(unit.policy_pack).employment
    except PolicyError as exc:
        raise ServiceError(f"“{unit.name}”的政策包不可用：{exc}", field="unit") from None


def _text(data: dict, key: str, label: str, *, required=False, limit=500) -> str:
    value = (data.get(key) or "").strip()
    if required and not value:
        raise ServiceError(f"请填写{label}", field=key)
    if len(value) > limit:
        raise ServiceError(f"{label}不能超过{limit}字", field=key)
    return value


# ---- profiles ------------------------------------------------------------------------------------------


@transaction.atomic
def profile_save(*, actor, episode: Episode, data: dict) -> EmploymentProfile:
    """Create or update the employment profile of an episode; the intention is written to the episode."""
    require_unit_writer(actor, episode.unit)
    if episode.status not in (EpisodeStatus.IN_CUSTODY, EpisodeStatus.RELEASED):
        raise Conflict(f"该记录状态为“{episode.get_status_display()}”，不能建立就业档案", field="episode")
    region = (data.get("destination_region") or "").strip()
    if not re.fullmatch(r"\d{6}", region):
        raise ServiceError("释放后去向须为6位行政区划代码", field="destination_region")
    needs = list(dict.fromkeys(data.get("needs") or []))
    unknown = [n for n in needs if n not in Need.values]
    if unknown:
        raise ServiceError(f"未知的就业需求：{'、'.join(unknown)}", field="needs")
    intention = _text(data, "employment_intention", "就业意向", limit=100)
    fields = {
        "destination_region": region,
        "destination_address": _text(data, "destination_address", "去向地址", limit=200),
        "needs": needs,
        "needs_note": _text(data, "needs_note", "需求说明"),
    }
    profile = EmploymentProfile.objects.select_for_update().filter(episode=episode).first()
    if profile is None:
        profile = EmploymentProfile.objects.create(
            episode=episode, person_id=episode.person_id, unit=episode.unit, created_by=actor, **fields
        )
        action, changes = "employment.profile.create", fields
    else:
        changes = {k: v for k, v in fields.items() if getattr(profile, k) != v}
        for key, value in fields.items():
            setattr(profile, key, value)
        profile.save()
        action = "employment.profile.update"
    if intention != episode.employment_intention:
        registry.episode_update(actor=actor, episode=episode, fields={"employment_intention": intention})
        changes = {**changes, "employment_intention": intention}
    audit_record(action=action, actor=actor, obj=profile, changes=changes)
    return profile


# ---- handovers -----------------------------------------------------------------------------------------


@transaction.atomic
def handover_create(
    *, actor, profile: EmploymentProfile, recipient: Organisation, handed_over_on: date, note: str = ""
) -> Handover:
    """Hand a person over to the public employment service of the destination city (五(五))."""
    require_unit_writer(actor, profile.unit)
    rules = _employment_rules(profile.unit)
    if not rules.handover_to:
        raise ServiceError(f"“{profile.unit.name}”的政策包未规定就业服务移交对象", field="recipient")
    wanted = rules.handover_to.value
    if recipient.org_type != wanted or not recipient.is_active:
        raise ServiceError(
            f"接收机构须为{ORG_TYPES[wanted]}（{rules.handover_to.source}）", field="recipient"
        )
    if recipient.city_prefix != profile.destination_region[:4]:
        raise ServiceError(
            f"接收机构“{recipient.name}”不在释放后去向地（{profile.destination_region}）所在的市",
            field="recipient",
        )
    episode = Episode.objects.select_for_update().get(pk=profile.episode_id)
    if episode.status == EpisodeStatus.IN_CUSTODY and rules.pre_release_window_months:
        start = pre_release_window_start(episode.expected_release_date, get_pack(profile.unit.policy_pack))
        if handed_over_on < start:
            raise ServiceError(
                f"刑释前{rules.pre_release_window_months.value}个月起方可移交（预计释放"
                f"{_fmt(episode.expected_release_date)}，最早{_fmt(start)}；"
                f"{rules.pre_release_window_months.source}）",
                field="handed_over_on",
            )
    elif episode.status != EpisodeStatus.RELEASED:
        raise Conflict(f"该记录状态为“{episode.get_status_display()}”，不能移交", field="episode")
    if Handover.objects.filter(profile=profile).exclude(status=HandoverStatus.CLOSED).exists():
        raise Conflict("该人员已有未结束的移交", field="recipient")
    handover = Handover.objects.create(
        profile=profile,
        person_id=profile.person_id,
        unit=profile.unit,
        recipient=recipient,
        handed_over_on=handed_over_on,
        note=_text({"note": note}, "note", "移交说明"),
        created_by=actor,
    )
    HandoverStep.objects.create(
        handover=handover,
        to_status=HandoverStatus.HANDED_OVER,
        on=handed_over_on,
        note=handover.note,
        actor=actor,
        organisation=actor.organisation,
    )
    audit_record(
        action="employment.handover.create",
        actor=actor,
        obj=handover,
        changes={"recipient": recipient.pk, "handed_over_on": handed_over_on, "person": profile.person_id},
    )
    return handover


def _move(handover: Handover, to_status: str, *, actor, on: date, note: str = "") -> Handover:
    handover = Handover.objects.select_for_update().select_related("recipient", "unit").get(pk=handover.pk)
    if to_status not in HANDOVER_MOVES[HandoverStatus(handover.status)]:
        raise Conflict(
            f"移交状态不能从“{handover.get_status_display()}”变为“{HandoverStatus(to_status).label}”",
            field="status",
        )
    if on < handover.handed_over_on:
        raise ServiceError(f"日期不能早于移交日期{_fmt(handover.handed_over_on)}", field="on")
    HandoverStep.objects.create(
        handover=handover,
        from_status=handover.status,
        to_status=to_status,
        on=on,
        note=note,
        actor=actor,
        organisation=actor.organisation,
    )
    previous = handover.status
    handover.status = to_status
    if to_status == HandoverStatus.RECEIVED:
        handover.received_on = on
    if to_status == HandoverStatus.CLOSED:
        handover.closed_on, handover.close_reason = on, note
    handover.save()
    audit_record(
        action=f"employment.handover.{to_status}",
        actor=actor,
        obj=handover,
        changes={"from": previous, "to": to_status, "on": on, "note": note},
    )
    return handover


@transaction.atomic
def handover_receive(*, actor, handover: Handover, on: date, note: str = "") -> Handover:
    require_recipient_writer(actor, handover.recipient)
    return _move(handover, HandoverStatus.RECEIVED, actor=actor, on=on, note=_text({"n": note}, "n", "说明"))


@transaction.atomic
def handover_start_service(*, actor, handover: Handover, on: date, note: str = "") -> Handover:
    require_recipient_writer(actor, handover.recipient)
    return _move(
        handover, HandoverStatus.IN_SERVICE, actor=actor, on=on, note=_text({"n": note}, "n", "说明")
    )


@transaction.atomic
def handover_close(*, actor, handover: Handover, on: date, reason: str) -> Handover:
    """The recipient ends the service; the sending unit may withdraw a handover not yet received."""
    if actor.organisation_id == handover.unit_id:
        require_unit_writer(actor, handover.unit)
        if handover.status != HandoverStatus.HANDED_OVER:
            raise Conflict("接收机构已接收，移交单位不能再撤回", field="status")
    else:
        require_recipient_writer(actor, handover.recipient)
    reason = _text({"reason": reason}, "reason", "结束原因", required=True, limit=300)
    return _move(handover, HandoverStatus.CLOSED, actor=actor, on=on, note=reason)


# ---- service events ------------------------------------------------------------------------------------


@transaction.atomic
def event_create(*, actor, data: dict) -> ServiceEvent:
    unit = actor.organisation
    if unit.org_type not in UNIT_TYPES:
        raise Forbidden("就业服务活动由举办活动的监狱（戒毒所）登记")
    require_unit_writer(actor, unit)
    if data.get("kind") not in EventKind.values:
        raise ServiceError("请选择活动类型", field="kind")
    if not data.get("held_on"):
        raise ServiceError("请填写活动日期", field="held_on")
    organiser = data.get("organiser")
    if organiser is not None and organiser.org_type not in ORGANISER_TYPES:
        raise ServiceError("服务机构须为公共就业服务机构、市人社局或市司法局", field="organiser")
    event = ServiceEvent.objects.create(
        unit=unit,
        organiser=organiser,
        kind=data["kind"],
        title=_text(data, "title", "活动名称", required=True, limit=100),
        held_on=data["held_on"],
        venue=_text(data, "venue", "地点", limit=100),
        content=_text(data, "content", "活动内容", limit=1000),
        created_by=actor,
    )
    audit_record(
        action="employment.event.create",
        actor=actor,
        obj=event,
        changes={
            "kind": event.kind,
            "held_on": event.held_on,
            "organiser": organiser.pk if organiser else None,
        },
    )
    return event


@transaction.atomic
def attendance_add(*, actor, event: ServiceEvent, people: list[Person]) -> list[EventAttendance]:
    """Record who attended: all of the listed people or, if any cannot be, none (each problem in details)."""
    require_unit_writer(actor, event.unit)
    if not people:
        raise ServiceError("请选择参加人员", field="people")
    present = set(event.attendances.values_list("person_id", flat=True))
    at_unit = set(
        Episode.objects.filter(unit=event.unit, person__in=people, term_start__lte=event.held_on).values_list(
            "person_id", flat=True
        )
    )
    details = []
    for person in people:
        if person.pk in present:
            details.append({"field": "people", "message": f"{person.name}已登记参加本次活动"})
        elif person.pk not in at_unit:
            details.append({"field": "people", "message": f"{person.name}在活动日期不在{event.unit.name}"})
    if details:
        raise ServiceError(details[0]["message"], field="people", details=details)
    rows = [EventAttendance.objects.create(event=event, person=p) for p in dict.fromkeys(people)]
    audit_record(
        action="employment.event.attendance",
        actor=actor,
        obj=event,
        changes={"added": [p.pk for p in dict.fromkeys(people)]},
    )
    return rows


# ---- assistance agreements -----------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, actor, profile: EmploymentProfile, data: dict) -> AssistanceAgreement:
    """个性化就业帮扶协议, signed by the public employment service the person was handed to."""
    handover = (
        Handover.objects.filter(profile=profile)
        .exclude(status=HandoverStatus.CLOSED)
        .select_related("recipient")
        .first()
    )
    if handover is None:
        raise Conflict("须先将该人员移交公共就业服务机构，再签订帮扶协议", field="profile")
    require_recipient_writer(actor, handover.recipient)
    signed_on, valid_until = data.get("signed_on"), data.get("valid_until")
    if not signed_on:
        raise ServiceError("请填写签订日期", field="signed_on")
    if not valid_until or valid_until < signed_on:
        raise ServiceError("帮扶期限须不早于签订日期", field="valid_until")
    number = _text(data, "number", "协议编号", required=True, limit=40)
    if AssistanceAgreement.objects.filter(number=number).exists():
        raise Conflict(f"协议编号{number}已存在", field="number")
    try:
        with transaction.atomic():
            agreement = AssistanceAgreement.objects.create(
                profile=profile,
                person_id=profile.person_id,
                unit=profile.unit,
                provider=handover.recipient,
                number=number,
                signed_on=signed_on,
                valid_until=valid_until,
                goals=_text(data, "goals", "帮扶目标", required=True),
                measures=_text(data, "measures", "帮扶措施", required=True, limit=1000),
                contact=_text(data, "contact", "帮扶联系人", limit=50),
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(f"协议编号{number}已存在", field="number") from None
    audit_record(
        action="employment.agreement.create",
        actor=actor,
        obj=agreement,
        changes={"number": number, "signed_on": signed_on, "valid_until": valid_until},
    )
    return agreement


@transaction.atomic
def agreement_set_status(*, actor, agreement: AssistanceAgreement, status: str) -> AssistanceAgreement:
    require_recipient_writer(actor, agreement.provider)
    agreement = AssistanceAgreement.objects.select_for_update().get(pk=agreement.pk)
    if status not in (AgreementStatus.COMPLETED, AgreementStatus.TERMINATED):
        raise ServiceError("状态须为已完成或已终止", field="status")
    if agreement.status != AgreementStatus.IN_FORCE:
        raise Conflict(f"协议已{agreement.get_status_display()}", field="status")
    agreement.status = status
    agreement.save(update_fields=["status"])
    audit_record(action="employment.agreement.status", actor=actor, obj=agreement, changes={"status": status})
    return agreement


# ---- follow-ups ----------------------------------------------------------------------------------------


@transaction.atomic
def follow_up_record(
    *, actor, handover: Handover, milestone_months: int, data: dict, today: date
) -> FollowUp:
    """Record the follow-up at one milestone after release (pack ``employment.follow_up_months``)."""
    require_recipient_writer(actor, handover.recipient)
    handover = (
        Handover.objects.select_for_update().select_related("unit", "profile__episode").get(pk=handover.pk)
    )
    if handover.status not in (HandoverStatus.RECEIVED, HandoverStatus.IN_SERVICE):
        raise Conflict(f"移交状态为“{handover.get_status_display()}”，不能登记回访", field="status")
    released = released_on(handover.profile.episode)
    if released is None:
        raise Conflict("该人员尚未释放，释放后方可回访", field="milestone_months")
    pack = get_pack(handover.unit.policy_pack)
    schedule = dict(follow_up_schedule(released, pack))
    if milestone_months not in schedule:
        choices = "、".join(str(m) for m in schedule) or "无"
        raise ServiceError(f"回访节点须为释放后{choices}个月", field="milestone_months")
    due = schedule[milestone_months]
    done_on = data.get("done_on")
    if not done_on:
        raise ServiceError("请填写回访日期", field="done_on")
    if done_on > today:
        raise ServiceError("回访日期不能晚于今天", field="done_on")
    if follow_up_state(due, done_on, pack) == "not_due":
        window = pack.employment.follow_up_window_days
        raise ServiceError(
            f"释放后{milestone_months}个月回访应于{_fmt(due)}前后进行"
            + (f"，最多提前{window.value}日（{window.source}）" if window else ""),
            field="done_on",
        )
    form = data.get("employment_form")
    if form not in EmploymentForm.values:
        raise ServiceError("请选择就业状态", field="employment_form")
    employer = _text(data, "employer_name", "就业单位", limit=100)
    sector = data.get("employer_sector") or ""
    uses_trained = data.get("uses_trained_occupation")
    if form in EMPLOYED_FORMS:
        if sector not in Sector.values:
            raise ServiceError("已就业的请选择行业", field="employer_sector")
        if uses_trained is None:
            raise ServiceError("已就业的请选择是否从事所培训职业（工种）", field="uses_trained_occupation")
    elif employer or sector or uses_trained is not None:
        raise ServiceError("未就业的不填写就业单位、行业和是否从事所培训职业", field="employment_form")
    if FollowUp.objects.filter(handover=handover, milestone_months=milestone_months).exists():
        raise Conflict(f"释放后{milestone_months}个月回访已登记", field="milestone_months")
    follow_up = FollowUp.objects.create(
        handover=handover,
        milestone_months=milestone_months,
        due_on=due,
        done_on=done_on,
        employment_form=form,
        employer_name=employer,
        employer_sector=sector,
        uses_trained_occupation=uses_trained,
        note=_text(data, "note", "回访情况"),
        created_by=actor,
    )
    if handover.status == HandoverStatus.RECEIVED:
        _move(handover, HandoverStatus.IN_SERVICE, actor=actor, on=done_on, note="首次回访")
    audit_record(
        action="employment.follow_up.record",
        actor=actor,
        obj=follow_up,
        changes={
            "handover": handover.pk,
            "months": milestone_months,
            "done_on": done_on,
            "employment_form": form,
            "employer_sector": sector,
            "uses_trained_occupation": uses_trained,
        },
    )
    return follow_up
