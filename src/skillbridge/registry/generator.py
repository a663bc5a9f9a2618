"""Deterministic synthetic people with custody / supervision episodes (``skillbridge generate``).

The same seed, units and reference date give the same people: Chinese names from surname and given-name
lists, valid ID numbers (GB 11643 checksum) with the county codes of the units' cities, plausible
sentences, isolation and correction terms, a share of commutations (kept as release-date changes), a share
with a skill, unable to study or without labour capacity. Insertion uses PostgreSQL ``COPY`` (1,000,000
people in well under a minute) and ``bulk_create`` elsewhere; ID numbers and (unit, number) pairs already in
the database are skipped, so running it again adds nothing twice.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.policy.rules import add_months

from .idnumbers import make_id_number
from .models import INITIAL_STATUS, Education, Episode, EpisodeKind, Person, ReleaseDateChange

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛"
    "昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固"
    "之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘秀娟英华慧巧美"
    "娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐"
)
# County-level codes (GB/T 2260) and names, by city prefix.
COUNTIES = {
    "3204": [
        ("320402", "江苏省常州市天宁区"),
        ("320404", "江苏省常州市钟楼区"),
        ("320411", "江苏省常州市新北区"),
        ("320412", "江苏省常州市武进区"),
        ("320413", "江苏省常州市金坛区"),
        ("320481", "江苏省溧阳市"),
    ],
    "3401": [
        ("340102", "安徽省合肥市瑶海区"),
        ("340103", "安徽省合肥市庐阳区"),
        ("340104", "安徽省合肥市蜀山区"),
        ("340111", "安徽省合肥市包河区"),
        ("340121", "安徽省长丰县"),
        ("340181", "安徽省巢湖市"),
    ],
}
ELSEWHERE = [
    ("320102", "江苏省南京市玄武区"),
    ("320205", "江苏省无锡市锡山区"),
    ("320506", "江苏省苏州市吴中区"),
    ("321302", "江苏省宿迁市宿城区"),
    ("341302", "安徽省宿州市埇桥区"),
    ("340202", "安徽省芜湖市镜湖区"),
    ("411302", "河南省南阳市宛城区"),
    ("510722", "四川省三台县"),
    ("430524", "湖南省隆回县"),
    ("370281", "山东省胶州市"),
]
ETHNICITIES = (("汉族", 94), ("回族", 2), ("满族", 1), ("壮族", 1), ("苗族", 1), ("土家族", 1))
EDUCATION_WEIGHTS = (
    (Education.ILLITERATE, 4),
    (Education.PRIMARY, 18),
    (Education.JUNIOR, 45),
    (Education.SENIOR, 18),
    (Education.VOCATIONAL, 8),
    (Education.COLLEGE, 5),
    (Education.BACHELOR, 2),
)
SKILLS = ("电工", "焊工", "厨师", "汽车维修", "美发", "木工", "瓦工", "驾驶")
INTENTIONS = (
    "烹饪",
    "电工",
    "焊工",
    "汽车维修",
    "美容美发",
    "快递物流",
    "电子商务",
    "家政服务",
    "中式面点",
    "养殖",
    "建筑施工",
    "网约车驾驶",
    "自主创业",
    "",
)
KIND_BY_TYPE = {
    "prison": EpisodeKind.CUSTODY,
    "rehab_centre": EpisodeKind.ISOLATION,
    "community_correction_office": EpisodeKind.COMMUNITY,
}
CATEGORY_BY_KIND = {
    EpisodeKind.CUSTODY: "inmate",
    EpisodeKind.ISOLATION: "drug_rehab",
    EpisodeKind.COMMUNITY: "community_correction",
}
UNIT_TYPES = tuple(KIND_BY_TYPE)


@dataclass
class Generated:
    person: dict
    episode: dict
    unit: Organisation
    commutation: dict | None  # {decided_on, old, new}


def default_units() -> list[Organisation]:
    return list(Organisation.objects.filter(org_type__in=UNIT_TYPES, is_active=True).order_by("name"))


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _tri(rng: random.Random, p_true: float, p_none: float = 0.02) -> bool | None:
    x = rng.random()
    return None if x < p_none else x < p_none + p_true


def generate(units: list[Organisation], n: int, seed: int, today: date) -> Iterator[Generated]:
    """``n`` records spread over ``units`` (in the order given); deterministic for the arguments."""
    if not units:
        raise ValueError("没有可用的单位（监狱、戒毒所或社区矫正机构）")
    rng = random.Random(seed)
    issued: set[str] = set()
    counters = {u.pk: 0 for u in units}
    for i in range(n):
        unit = units[i % len(units)] if i < len(units) else rng.choice(units)
        kind = KIND_BY_TYPE.get(unit.org_type, EpisodeKind.CUSTODY)
        county = COUNTIES.get(unit.region_code[:4], [(unit.region_code, unit.name)])
        region, home = rng.choice(county) if rng.random() < 0.7 else rng.choice(ELSEWHERE)
        male = rng.random() < (0.92 if kind == EpisodeKind.CUSTODY else 0.85)
        birth = date(rng.randint(1964, 2004), 1, 1) + timedelta(days=rng.randrange(365))
        sequence = rng.randrange(500) * 2 + (1 if male else 0)
        number = make_id_number(region, birth, sequence)
        while number in issued:
            sequence = (sequence + 2) % 1000
            number = make_id_number(region, birth, sequence)
        issued.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        person = {
            "name": name,
            "id_number": number,
            "birth_date": birth,
            "sex": "M" if male else "F",
            "ethnicity": _weighted(rng, ETHNICITIES),
            "education": _weighted(rng, EDUCATION_WEIGHTS),
            "household_registration": home,
            "population_category": CATEGORY_BY_KIND[kind],
            "is_disabled": rng.random() < 0.03,
            "is_low_income": rng.random() < 0.08,
            "phone": "" if rng.random() < 0.6 else f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        }
        commutation = None
        if kind == EpisodeKind.CUSTODY:
            months = _weighted(
                rng, ((12, 8), (18, 8), (24, 10), (36, 14), (60, 20), (96, 16), (120, 12), (180, 8))
            )
            # Somewhere in the term, which has begun: at most the whole term (and 2,400 days) still to serve.
            term_end = today + timedelta(
                days=rng.randint(1, min(2400, (add_months(today, months) - today).days))
            )
            term_start = add_months(term_end, -months)
            release = term_end
            if rng.random() < 0.35 and months >= 24:
                cut = rng.randint(3, min(18, months // 3))
                release = max(add_months(term_end, -cut), today + timedelta(days=1))
                if release < term_end:
                    decided = min(today, term_start + (release - term_start) // 2)
                    commutation = {"decided_on": decided, "old": term_end, "new": release}
        elif kind == EpisodeKind.ISOLATION:
            term_start = today - timedelta(days=rng.randint(0, 700))
            term_end = add_months(term_start, 24)
            release = term_end
        else:
            term_start = today - timedelta(days=rng.randint(0, 500))
            term_end = add_months(term_start, rng.choice((6, 12, 24, 36, 60)))
            release = max(term_end, today + timedelta(days=1))
        counters[unit.pk] += 1
        has_skill = _tri(rng, 0.25)
        episode = {
            "kind": kind,
            "inmate_number": f"{unit.region_code[2:6]}{seed % 100:02d}{counters[unit.pk]:07d}",
            "term_start": term_start,
            "term_end": term_end,
            "expected_release_date": release,
            "labour_capacity": _tri(rng, 0.93),
            "has_skill": has_skill,
            "skill": rng.choice(SKILLS) if has_skill else "",
            "can_study": _tri(rng, 0.88),
            "employment_intention": rng.choice(INTENTIONS),
            "status": INITIAL_STATUS[kind],
        }
        yield Generated(person, episode, unit, commutation)


PERSON_COLUMNS = (
    "id",
    "name",
    "id_number",
    "birth_date",
    "sex",
    "ethnicity",
    "education",
    "household_registration",
    "population_category",
    "is_disabled",
    "is_low_income",
    "phone",
    "created_at",
    "updated_at",
)
EPISODE_COLUMNS = (
    "id",
    "person_id",
    "unit_id",
    "kind",
    "inmate_number",
    "term_start",
    "term_end",
    "expected_release_date",
    "labour_capacity",
    "has_skill",
    "skill",
    "can_study",
    "employment_intention",
    "status",
    "created_at",
    "updated_at",
)
CHANGE_COLUMNS = (
    "episode_id",
    "kind",
    "decided_on",
    "old_release_date",
    "new_release_date",
    "reason",
    "created_by_id",
    "created_at",
)


def _reserve_ids(model, count: int) -> int:
    """First of ``count`` consecutive primary keys no one else will be given."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                f"SELECT setval(%s, GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table})) "
                "+ %s - 1)",
                [sequence, sequence, count],
            )
            (last,) = cursor.fetchone()
            return last - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model._meta.db_table, columns, rows)
    else:
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )


def insert(records: Iterator[Generated], *, chunk: int = 20000) -> dict[str, int]:
    """Insert in chunks (one transaction each); returns counts of rows written."""
    counts = {"people": 0, "episodes": 0, "release_changes": 0, "skipped": 0}
    batch: list[Generated] = []
    for record in records:
        batch.append(record)
        if len(batch) >= chunk:
            _insert_chunk(batch, counts)
            batch = []
    if batch:
        _insert_chunk(batch, counts)
    return counts


@transaction.atomic
def _insert_chunk(batch: list[Generated], counts: dict[str, int]) -> None:
    known = set(
        Person.objects.filter(id_number__in=[g.person["id_number"] for g in batch]).values_list(
            "id_number", flat=True
        )
    )
    taken = set(
        Episode.objects.filter(
            unit_id__in={g.unit.pk for g in batch},
            inmate_number__in={g.episode["inmate_number"] for g in batch},
        ).values_list("unit_id", "inmate_number")
    )
    fresh = [
        g
        for g in batch
        if g.person["id_number"] not in known and (g.unit.pk, g.episode["inmate_number"]) not in taken
    ]
    counts["skipped"] += len(batch) - len(fresh)
    if not fresh:
        return
    now = timezone.now()
    first_person = _reserve_ids(Person, len(fresh))
    first_episode = _reserve_ids(Episode, len(fresh))
    people, episodes, changes = [], [], []
    for offset, g in enumerate(fresh):
        p, e = g.person, g.episode
        people.append((first_person + offset, *(p[c] for c in PERSON_COLUMNS[1:-2]), now, now))
        episodes.append(
            (
                first_episode + offset,
                first_person + offset,
                g.unit.pk,
                *(e[c] for c in EPISODE_COLUMNS[3:-2]),
                now,
                now,
            )
        )
        if g.commutation:
            c = g.commutation
            changes.append(
                (
                    first_episode + offset,
                    "commutation",
                    c["decided_on"],
                    c["old"],
                    c["new"],
                    "减刑裁定",
                    None,
                    now,
                )
            )
    _insert(Person, PERSON_COLUMNS, people)
    _insert(Episode, EPISODE_COLUMNS, episodes)
    _insert(ReleaseDateChange, CHANGE_COLUMNS, changes)
    counts["people"] += len(people)
    counts["episodes"] += len(episodes)
    counts["release_changes"] += len(changes)


def roster_row(g: Generated) -> dict:
    """Values keyed like the importer's columns (labels as the template expects)."""
    from skillbridge.policy.schema import POPULATION_CATEGORIES

    from .models import EpisodeKind as Kind

    def yn(value, yes="是", no="否"):
        return "" if value is None else (yes if value else no)

    p, e = g.person, g.episode
    return {
        "name": p["name"],
        "id_number": p["id_number"],
        "sex": "男" if p["sex"] == "M" else "女",
        "birth_date": p["birth_date"],
        "ethnicity": p["ethnicity"],
        "education": Education(p["education"]).label,
        "household_registration": p["household_registration"],
        "population_category": POPULATION_CATEGORIES[p["population_category"]],
        "is_disabled": yn(p["is_disabled"]),
        "is_low_income": yn(p["is_low_income"]),
        "phone": p["phone"],
        "unit": g.unit.name,
        "kind": Kind(e["kind"]).label,
        "inmate_number": e["inmate_number"],
        "term_start": e["term_start"],
        "term_end": e["term_end"],
        "expected_release_date": e["expected_release_date"],
        "labour_capacity": yn(e["labour_capacity"], "有", "无"),
        "has_skill": yn(e["has_skill"], "有", "无"),
        "skill": e["skill"],
        "can_study": yn(e["can_study"]),
        "employment_intention": e["employment_intention"],
    }


def write_roster(path, records: Iterator[Generated]) -> int:
    """An xlsx roster in the ``registry.people`` template format (header row, then one row per record)."""
    from xlsxwriter import Workbook

    from .importers import COLUMNS, template_row

    book = Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("人员名单")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column.header)
    count = 0
    for r, record in enumerate(records, start=1):
        for c, value in enumerate(template_row(roster_row(record))):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), dates)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value))
        count = r
    book.close()
    return count
