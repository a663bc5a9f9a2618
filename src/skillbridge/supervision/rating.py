"""Institution credit rating (信用等级评定, 苏政办发〔2019〕71号（十八）): a pure function from measured facts
and pack parameters to a score, a grade and the reasons. The rating row stores both, so recomputing from the
stored facts gives the stored grade.
"""

from decimal import ROUND_HALF_UP, Decimal

GRADES = "ABCD"  # best first

FACTORS = {
    "pass_rate": "结业合格率",
    "certification_rate": "获证率",
    "attendance": "考勤异常",
    "claims": "补贴申领被核减",
    "inspections": "督查发现问题",
    "dishonesty": "失信记录",
    "timeliness": "信息录入及时率",
}


class RatingNotConfigured(LookupError):
    pass


def params_from_pack(pack) -> dict:
    """The pack's [supervision] rating parameters as plain JSON (stored with the rating)."""
    s = pack.supervision
    needed = {
        "pass_rate": s.rating_weight_pass_rate,
        "certification_rate": s.rating_weight_certification_rate,
        "attendance": s.rating_weight_attendance,
        "claims": s.rating_weight_claims,
        "inspections": s.rating_weight_inspections,
        "dishonesty": s.rating_weight_dishonesty,
        "timeliness": s.rating_weight_timeliness,
    }
    others = (s.rating_count_penalty, s.rating_grade_a, s.rating_grade_b, s.rating_grade_c)
    if any(v is None for v in needed.values()) or any(v is None for v in others):
        raise RatingNotConfigured(f"政策包「{pack.name}」未设置信用评价权重和等级分数线")
    return {
        "pack": pack.code,
        "weights": {k: str(v.value) for k, v in needed.items()},
        "count_penalty": str(s.rating_count_penalty.value),
        "bands": {
            "A": str(s.rating_grade_a.value),
            "B": str(s.rating_grade_b.value),
            "C": str(s.rating_grade_c.value),
        },
        "dishonesty_max_grade": s.rating_dishonesty_max_grade.value
        if s.rating_dishonesty_max_grade
        else None,
        "sources": {k: v.source for k, v in needed.items()},
    }


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _rate(numerator: int, denominator: int) -> Decimal | None:
    return None if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def compute_grade(facts: dict, params: dict) -> dict:
    """`facts` (counts measured for one institution and year) + `params` → {score, grade, reasons}.

    Each factor gives a sub-score between 0 and 1: a rate is its own sub-score; a count of problems loses
    `count_penalty` per problem. Factors without data (no completed class, no deadline in the pack) are left
    out and the remaining weights rescaled. An active dishonesty record caps the grade.
    """
    penalty = Decimal(params["count_penalty"])
    weights = {k: Decimal(v) for k, v in params["weights"].items()}

    def by_count(n: int) -> Decimal:
        return max(Decimal(0), Decimal(1) - penalty * n)

    parts: dict[str, tuple[Decimal | None, str]] = {}
    rate = _rate(facts["completed"], facts["completed"] + facts["failed"])
    parts["pass_rate"] = (
        rate,
        "无已结业学员，不计"
        if rate is None
        else f"结业{facts['completed']}人，未结业{facts['failed']}人，合格率{_pct(rate)}",
    )
    rate = _rate(facts["certified"], facts["completed"])
    parts["certification_rate"] = (
        rate,
        "无已结业学员，不计"
        if rate is None
        else f"结业{facts['completed']}人中{facts['certified']}人取得证书，获证率{_pct(rate)}",
    )
    n = facts["attendance_anomalies"]
    parts["attendance"] = (by_count(n), f"考勤类风险问题{n}项（经核实排除的不计）")
    n = facts["rejected_claim_lines"]
    parts["claims"] = (by_count(n), f"申领明细{facts['claim_lines']}条，不予补贴{n}条")
    n = facts["inspection_issues"]
    parts["inspections"] = (by_count(n), f"督查发现问题{n}项")
    n = facts["dishonesty_records"]
    parts["dishonesty"] = (Decimal(0) if n else Decimal(1), f"年度内有效失信记录{n}条")
    rate = _rate(facts["classes_on_time"], facts["classes_due"])
    parts["timeliness"] = (
        rate,
        "无应录入的结业班级（或政策未规定录入时限），不计"
        if rate is None
        else f"应录入{facts['classes_due']}个班，按时{facts['classes_on_time']}个，及时率{_pct(rate)}",
    )

    total_weight = sum((weights[k] for k, (s, _) in parts.items() if s is not None), Decimal(0))
    reasons = []
    earned = Decimal(0)
    for key, (sub, text) in parts.items():
        points = None
        if sub is not None and total_weight:
            exact = weights[key] * sub * 100 / total_weight
            earned += exact
            points = exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
        reasons.append(
            {
                "factor": key,
                "label": FACTORS[key],
                "weight": str(weights[key]),
                "sub_score": None if sub is None else str(sub.quantize(Decimal("0.0001"), ROUND_HALF_UP)),
                "points": None if points is None else str(points),
                "max_points": None
                if sub is None or not total_weight
                else str((weights[key] * 100 / total_weight).quantize(Decimal("0.01"), ROUND_HALF_UP)),
                "text": text,
            }
        )
    score = earned.quantize(Decimal("0.01"), ROUND_HALF_UP)
    grade = "D"
    for letter in "ABC":
        if score >= Decimal(params["bands"][letter]):
            grade = letter
            break
    cap = params.get("dishonesty_max_grade")
    capped = False
    if facts["dishonesty_records"] and cap and GRADES.index(cap) > GRADES.index(grade):
        grade, capped = cap, True
    band_text = "，".join(f"{k}级≥{v}分" for k, v in params["bands"].items()) + "，以下为D级"
    summary = f"得分{score}分（{band_text}）"
    if capped:
        summary += f"；有失信记录，等级最高为{cap}级"
    return {"score": str(score), "grade": grade, "reasons": reasons, "summary": summary}


def grade_at_most(grade: str, limit: str) -> bool:
    """True if `grade` is `limit` or worse (D is worst)."""
    return GRADES.index(grade) >= GRADES.index(limit)


def grade_at_least(grade: str, limit: str) -> bool:
    """True if `grade` is `limit` or better."""
    return GRADES.index(grade) <= GRADES.index(limit)
