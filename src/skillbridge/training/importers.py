"""xlsx import of online learning minutes (在线学习学时) reported by a learning platform.

Each row is one trainee's total on one platform. The row names no class: it is matched to the person's
enrolment in training in an open class of the uploader's unit (a person is never in two overlapping
classes; a person in two open classes is refused and must be entered on the class page). Re-importing
the same report updates the totals, never adds them up twice.
"""

from collections import defaultdict

from skillbridge.accounts.models import Role
from skillbridge.accounts.scope import UNIT_TYPES
from skillbridge.errors import Forbidden, ServiceError
from skillbridge.imports.base import Column, Importer, Row, RowErrors
from skillbridge.registry.idnumbers import normalise

from .models import ClassStatus, Enrolment, EnrolmentStatus, OnlineSource
from .services import clean_online, online_upsert
from .services.classes import MAX_ONLINE_MINUTES


class OnlineMinutesImporter(Importer):
    key = "training.online_minutes"
    title = "在线学习学时"
    result_url_name = "training:class_list"
    columns = (
        Column("name", "姓名", required=True, max_length=50, sample="张伟"),
        Column("id_number", "身份证号码", required=True, max_length=18, sample="320402198805170011"),
        Column(
            "minutes",
            "学习分钟数",
            required=True,
            kind="int",
            sample="240",
            help=f"该平台累计学习分钟数（0至{MAX_ONLINE_MINUTES}），按政策比例计入培训总课时",
        ),
        Column(
            "platform", "平台名称", required=True, max_length=100, sample="江苏省职业技能培训网络学习平台"
        ),
    )

    def check_permission(self) -> None:
        org = self.user.organisation
        if org.org_type not in UNIT_TYPES or not self.user.has_role(Role.OPERATOR, Role.UNIT_HEAD):
            raise Forbidden("只有监狱、戒毒所的经办人或负责人可以导入在线学习学时")

    def prepare(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.enrolments: dict[str, Enrolment] = {}
        self.count = 0

    def _lookup(self, numbers: set[str]) -> dict[str, list[Enrolment]]:
        found = defaultdict(list)
        rows = Enrolment.objects.filter(
            person__id_number__in=numbers,
            status=EnrolmentStatus.ACTIVE,
            training_class__status=ClassStatus.OPEN,
            training_class__unit=self.user.organisation_id,
        ).select_related("person", "training_class")
        for enrolment in rows:
            found[enrolment.person.id_number].append(enrolment)
        return found

    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        numbers = {normalise(r.values["id_number"]) for r in rows}
        found = self._lookup(numbers)
        for row in rows:
            v = row.values
            number = normalise(v["id_number"])
            matches = found.get(number, [])
            if not matches:
                errors.add(row.number, "身份证号码", "不是本单位开班中培训班的在训学员")
                continue
            if len(matches) > 1:
                errors.add(row.number, "身份证号码", "同时在多个开班中的培训班，请到班级页面手工录入")
                continue
            if matches[0].person.name != v["name"].strip():
                errors.add(row.number, "姓名", f"与身份证号码登记的姓名“{matches[0].person.name}”不一致")
            try:
                clean_online(v["platform"], v["minutes"])
            except ServiceError as exc:
                errors.add(row.number, "学习分钟数" if exc.field == "minutes" else "平台名称", exc.message)
            key = (number, (v["platform"] or "").strip())
            if key in self.seen:
                errors.add(row.number, "平台名称", "同一人同一平台在文件中重复出现")
            self.seen.add(key)

    def write(self, rows: list[Row]) -> tuple[int, int]:
        found = self._lookup({normalise(r.values["id_number"]) for r in rows})
        created = updated = 0
        for row in rows:
            v = row.values
            enrolment = found[normalise(v["id_number"])][0]
            platform, minutes = clean_online(v["platform"], v["minutes"])
            made = online_upsert(
                actor=self.user,
                enrolment=enrolment,
                platform=platform,
                minutes=minutes,
                source=OnlineSource.IMPORT,
            )
            created += made
            updated += not made
        self.count += len(rows)
        return created, updated

    def audit_summary(self) -> dict:
        return {"rows_written": self.count}
