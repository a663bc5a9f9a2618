"""xlsx import of assessment results (鉴定成绩).

Each row names the assessment application (申报编号, shown on its page and in the pre-filled template the
page offers) and the candidate by name and ID number or inmate number. Only candidates who completed that
application's class can get a result; the application must be approved and the uploader must belong to
its examining institution or unit. Re-importing a corrected file updates the results, never duplicates.
"""

from collections import defaultdict

from skillbridge.errors import Forbidden
from skillbridge.imports.base import Column, Importer, Row, RowErrors
from skillbridge.registry.idnumbers import normalise

from .models import AssessmentApplication, Outcome
from .services import WRITERS, check_result_rows, results_save

HEADERS = {
    "person": "姓名",
    "theory_score": "理论成绩",
    "practical_score": "实操成绩",
    "outcome": "结果",
}


class ResultsImporter(Importer):
    key = "assessment.results"
    title = "鉴定成绩"
    result_url_name = "assessment:application_list"
    columns = (
        Column(
            "application", "申报编号", required=True, kind="int", sample="12", help="鉴定申报页面上的编号"
        ),
        Column("name", "姓名", required=True, max_length=50, sample="张伟"),
        Column(
            "id_number",
            "身份证号码",
            max_length=18,
            sample="320402198805170011",
            help="身份证号码与罪犯编号至少填写一项",
        ),
        Column("inmate_number", "罪犯编号", max_length=30, sample="LY0001"),
        Column("theory_score", "理论成绩", kind="decimal", sample="78", help="0至100，缺考不填"),
        Column("practical_score", "实操成绩", kind="decimal", sample="85", help="0至100，缺考不填"),
        Column(
            "outcome",
            "结果",
            required=True,
            kind="choice",
            choices={label: value for value, label in Outcome.choices},
            sample="合格",
        ),
    )

    def check_permission(self) -> None:
        if not self.user.has_role(*WRITERS):
            raise Forbidden("需要经办或负责人角色才能导入鉴定成绩")

    def prepare(self) -> None:
        self.applications: dict[int, AssessmentApplication | None] = {}
        self.people: dict[int, dict[str, int]] = {}
        self.seen: set[tuple[int, int]] = set()
        self.count = 0

    def _application(self, pk: int) -> AssessmentApplication | None:
        if pk not in self.applications:
            app = (
                AssessmentApplication.objects.for_user(self.user)
                .filter(pk=pk)
                .select_related("review", "training_class", "examiner", "unit")
                .first()
            )
            if app is not None and self.user.organisation_id not in (app.examiner_id, app.unit_id):
                app = None
            self.applications[pk] = app
            if app is not None:
                index: dict[str, int] = {}
                for e in app.training_class.enrolments.select_related("person", "episode"):
                    index[f"id:{normalise(e.person.id_number)}"] = e.person_id
                    index[f"no:{e.episode.inmate_number}"] = e.person_id
                    index[f"name:{e.person_id}"] = e.person.name
                self.people[pk] = index
        return self.applications[pk]

    def _resolve(self, row: Row, errors: RowErrors | None) -> tuple[AssessmentApplication, int] | None:
        v = row.values

        def err(header, message):
            if errors is not None:
                errors.add(row.number, header, message)

        app = self._application(v["application"])
        if app is None:
            err("申报编号", f"编号{v['application']}的鉴定申报不存在或不是本机构（本单位）的鉴定")
            return None
        if not app.is_approved:
            err("申报编号", f"编号{app.pk}的鉴定申报当前状态为“{app.status_display}”，审核通过后才能录入成绩")
            return None
        index = self.people[app.pk]
        id_number, inmate = normalise(v.get("id_number") or ""), (v.get("inmate_number") or "").strip()
        if not id_number and not inmate:
            err("身份证号码", "身份证号码与罪犯编号至少填写一项")
            return None
        person_id = index.get(f"id:{id_number}") if id_number else index.get(f"no:{inmate}")
        if person_id is None:
            header = "身份证号码" if id_number else "罪犯编号"
            err(header, "不是该鉴定申报所属培训班的学员")
            return None
        if index[f"name:{person_id}"] != v["name"].strip():
            err("姓名", f"与登记的姓名“{index[f'name:{person_id}']}”不一致")
            return None
        return app, person_id

    def _values(self, row: Row, person_id: int) -> dict:
        v = row.values
        return {
            "row": row.number,
            "person_id": person_id,
            "theory_score": v.get("theory_score"),
            "practical_score": v.get("practical_score"),
            "outcome": v.get("outcome"),
        }

    def validate(self, rows: list[Row], errors: RowErrors) -> None:
        by_app = defaultdict(list)
        for row in rows:
            found = self._resolve(row, errors)
            if found is None:
                continue
            app, person_id = found
            if (app.pk, person_id) in self.seen:
                errors.add(row.number, "姓名", "同一考生在文件中重复出现")
                continue
            self.seen.add((app.pk, person_id))
            by_app[app.pk].append(self._values(row, person_id))
        for pk, values in by_app.items():
            _, problems = check_result_rows(self.applications[pk], values)
            for p in problems:
                errors.add(p["row"], HEADERS.get(p["field"], "姓名"), p["message"])

    def write(self, rows: list[Row]) -> tuple[int, int]:
        by_app = defaultdict(list)
        for row in rows:
            app, person_id = self._resolve(row, None)
            by_app[app.pk].append(self._values(row, person_id))
        created = updated = 0
        for pk, values in by_app.items():
            c, u = results_save(actor=self.user, application=self.applications[pk], rows=values)
            created += c
            updated += u
        self.count += len(rows)
        return created, updated

    def audit_summary(self) -> dict:
        return {"rows_written": self.count}
