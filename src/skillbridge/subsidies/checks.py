"""The checks run on every claim line, each with a reason a reviewer can read.

Integrity checks always block (the person belongs to the claim's unit and class, the certificate is valid
and not already held by another active claim line, the amount equals the catalogue standard, the class was
approved). Policy checks do what the unit's pack says (`claim_checks.<code>`: block or flag): at most N
subsidies per person and year, the same occupation and level inside the pack window, the data entered
before the deadline, eligibility warnings at enrolment, the Anhui per-person cap (incl. assessment).

History look-ups are batched: two indexed queries for the whole claim, whatever its size
(see bench/claim_check.py). Lines earlier in the same claim count like history for the later ones.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection

from skillbridge.policy import rules
from skillbridge.policy.schema import PolicyPack

from .models import CheckOutcome, ClaimLine

CHECK_LABELS = {
    "person_scope": "人员属于本单位、本班",
    "certificate_valid": "证书有效、属于本人",
    "certificate_unclaimed": "证书未在其他申领中",
    "amount_standard": "金额符合补贴标准",
    "class_approved": "培训班经审批",
    "yearly_cap": "每人每年补贴次数",
    "same_occupation_level": "同一职业同一等级不重复享受",
    "per_person_cap": "人均补助标准",
    "data_entry_late": "学员信息按时录入",
    "eligibility_at_enrolment": "入班时符合培训条件",
}


@dataclass
class LineFacts:
    """What the checks need about one candidate line (built by the services from the certificate)."""

    person_id: int
    certificate_id: int
    certificate_person_id: int
    certificate_status: str
    certificate_unit_id: int
    certificate_class_id: int | None
    certificate_date: date
    occupation_id: int | None
    special_item_id: int | None
    level_id: int | None
    amount: Decimal
    standard_amount: Decimal | None
    year: int
    enrolled: bool = True
    enrolment_warnings: list = field(default_factory=list)


@dataclass
class ClaimFacts:
    kind: str
    unit_id: int
    claim_id: int | None
    training_class_id: int | None
    class_approved: bool
    class_ended_on: date | None
    data_entered_on: date | None


def _result(code: str, action: str, message: str = "", source: str = "") -> dict:
    return {
        "code": code,
        "label": CHECK_LABELS[code],
        "outcome": action,
        "message": message or "通过",
        "source": source,
    }


OK = {code: _result(code, CheckOutcome.OK) for code in CHECK_LABELS}


def _subject(line) -> tuple:
    return (line.occupation_id, line.special_item_id, line.level_id)


def _any(queryset, column: str, values):
    """`column IN values` — on PostgreSQL as one array parameter (`= ANY(%s)`): a 1,000-value IN list costs
    more to plan than to run."""
    values = list(values)
    if connection.vendor == "postgresql":
        return queryset.extra(where=[f'"subsidies_claimline"."{column}" = ANY(%s)'], params=[values])
    return queryset.filter(**{f"{column}__in": values})


def _fetch(queryset) -> list[tuple]:
    """The rows of a values_list query as the driver returns them (no per-row ORM conversion: integers,
    Decimal and date come typed from PostgreSQL; other databases go through the ORM's converters)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class History:
    """The person's earlier active subsidy lines, loaded in a few batched queries."""

    def __init__(self, lines: list[LineFacts], claim: ClaimFacts):
        persons = {line.person_id for line in lines}
        years = {line.year for line in lines}
        others = _any(ClaimLine.objects.filter(is_active=True), "person_id", persons)
        if claim.claim_id:
            others = others.exclude(claim_id=claim.claim_id)
        # Number of subsidies = certificates subsidised (a training and an assessment line of one certificate
        # are one subsidy event); the amount paid counts both kinds (Anhui: 含技能鉴定费).
        self.counted = defaultdict(set)
        self.paid = defaultdict(Decimal)
        self.subjects = defaultdict(list)
        rows = others.order_by().values_list(
            "person_id",
            "year",
            "certificate_id",
            "amount",
            "occupation_id",
            "special_item_id",
            "level_id",
            "certificate_date",
        )
        # Only the subjects (person, occupation/item, level) of this claim's lines matter for the window check.
        wanted = {(line.person_id, *_subject(line)) for line in lines}
        counted, paid, subjects = self.counted, self.paid, self.subjects
        for person_id, year, certificate_id, amount, occupation_id, item_id, level_id, on in _fetch(rows):
            if year in years:
                key = (person_id, year)
                counted[key].add(certificate_id)
                paid[key] += amount
            subject = (person_id, occupation_id, item_id, level_id)
            if subject in wanted:
                subjects[subject].append((certificate_id, on))
        self.count = {key: len(certificates) for key, certificates in self.counted.items()}
        held = _any(
            ClaimLine.objects.filter(is_active=True, kind=claim.kind),
            "certificate_id",
            {line.certificate_id for line in lines},
        )
        if claim.claim_id:
            held = held.exclude(claim_id=claim.claim_id)
        self.held = {row[0] for row in _fetch(held.order_by().values_list("certificate_id"))}

    def add(self, line: LineFacts) -> None:
        """A line accepted into the claim counts for the later lines of the same claim."""
        key = (line.person_id, line.year)
        if line.certificate_id not in self.counted[key]:
            self.counted[key].add(line.certificate_id)
            self.count[key] = self.count.get(key, 0) + 1
        self.paid[key] = self.paid.get(key, Decimal(0)) + line.amount
        self.subjects[(line.person_id, *_subject(line))].append((line.certificate_id, line.certificate_date))
        self.held.add(line.certificate_id)


def check_line(
    line: LineFacts, claim: ClaimFacts, history: History, pack: PolicyPack
) -> tuple[str, list[dict]]:
    results = []

    def fail(code: str, action: str, message: str, source: str = "") -> None:
        results.append(_result(code, action, message, source))

    def from_decision(code: str, decision) -> None:
        if decision.allowed and not decision.reasons:
            results.append(OK[code])
            return
        action = rules.claim_check_action(code, pack) if not decision.allowed else CheckOutcome.FLAG
        for reason in decision.reasons:
            fail(code, action, reason.message, reason.source)

    # Integrity (always block).
    if line.certificate_unit_id != claim.unit_id or not line.enrolled:
        where = "本单位" if line.certificate_unit_id != claim.unit_id else "本班学员名单"
        fail("person_scope", CheckOutcome.BLOCK, f"该人员不在{where}中，不能申领")
    elif claim.training_class_id and line.certificate_class_id != claim.training_class_id:
        fail("person_scope", CheckOutcome.BLOCK, "证书不是本班培训取得，不能在本班申领")
    else:
        results.append(OK["person_scope"])
    if line.certificate_person_id != line.person_id:
        fail("certificate_valid", CheckOutcome.BLOCK, "证书不属于该人员")
    elif line.certificate_status != "valid":
        status = {"revoked": "已撤销", "superseded": "已被换发"}.get(
            line.certificate_status, line.certificate_status
        )
        fail("certificate_valid", CheckOutcome.BLOCK, f"证书{status}，不能申领补贴")
    else:
        results.append(OK["certificate_valid"])
    if line.certificate_id in history.held:
        fail("certificate_unclaimed", CheckOutcome.BLOCK, "该证书已在其他申领中享受（或正在申领）同类补贴")
    else:
        results.append(OK["certificate_unclaimed"])
    amount = (
        None
        if line.amount == line.standard_amount
        else rules.amount_within_standard(line.amount, line.standard_amount)
    )
    if amount is None:
        results.append(OK["amount_standard"])
    for reason in amount.reasons if amount else ():
        fail(
            "amount_standard", CheckOutcome.BLOCK if not amount.allowed else CheckOutcome.FLAG, reason.message
        )
    if claim.training_class_id:
        if claim.class_approved:
            results.append(OK["class_approved"])
        else:
            fail("class_approved", CheckOutcome.BLOCK, "培训班未经办班审批，不能申领")
    # Policy (block or flag per the pack).
    key = (line.person_id, line.year)
    counted = line.certificate_id in history.counted.get(key, ())
    already = 0 if counted else history.count.get(key, 0)
    cap = pack.subsidy.max_per_person_per_year
    if cap is None or already < cap.value:
        results.append(OK["yearly_cap"])
    else:
        from_decision("yearly_cap", rules.subsidy_count_cap(already, pack))
    earlier = [
        on
        for certificate_id, on in history.subjects.get((line.person_id, *_subject(line)), ())
        if certificate_id != line.certificate_id
    ]
    if earlier:
        from_decision(
            "same_occupation_level", rules.same_occupation_level(earlier, line.certificate_date, pack)
        )
    else:
        results.append(OK["same_occupation_level"])
    if pack.subsidy.per_person_cap_yuan:
        from_decision(
            "per_person_cap", rules.per_person_cap(history.paid.get(key, Decimal(0)), line.amount, pack)
        )
    if claim.class_ended_on and (deadline := rules.data_entry_deadline(claim.class_ended_on, pack)):
        entered = claim.data_entered_on
        if entered is None or entered > deadline:
            when = "尚未录入" if entered is None else f"于 {entered:%Y-%m-%d} 录入"
            rule = pack.deadlines.data_entry_working_days
            fail(
                "data_entry_late",
                rules.claim_check_action("data_entry_late", pack),
                f"学员信息{when}，录入期限为 {deadline:%Y-%m-%d}（{rule.source}）",
                rule.source,
            )
        else:
            results.append(OK["data_entry_late"])
    if line.enrolment_warnings:
        rule = pack.claim_checks.eligibility_at_enrolment
        texts = "；".join(
            str(w.get("message", w)) if isinstance(w, dict) else str(w) for w in line.enrolment_warnings
        )
        fail(
            "eligibility_at_enrolment",
            rules.claim_check_action("eligibility_at_enrolment", pack),
            f"入班时提示：{texts}",
            rule.source if rule else "",
        )
    outcomes = {r["outcome"] for r in results}
    outcome = (
        CheckOutcome.BLOCK
        if CheckOutcome.BLOCK in outcomes
        else CheckOutcome.FLAG
        if CheckOutcome.FLAG in outcomes
        else CheckOutcome.OK
    )
    return outcome, results


def check_lines(lines: list[LineFacts], claim: ClaimFacts, pack: PolicyPack) -> list[tuple[str, list[dict]]]:
    """Check every line in order; a line that is not blocked counts as history for the next ones."""
    history = History(lines, claim)
    out = []
    for line in lines:
        outcome, results = check_line(line, claim, history, pack)
        if outcome != CheckOutcome.BLOCK:
            history.add(line)
        out.append((outcome, results))
    return out


def failing(results: list[dict]) -> list[dict]:
    return [r for r in results if r["outcome"] != CheckOutcome.OK]


def summary(results: list[dict]) -> str:
    return "；".join(r["message"] for r in failing(results))
