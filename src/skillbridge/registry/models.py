"""People (实名制) and their custody / supervision episodes.

Scope: a person belongs to no unit directly; they are visible to a user when one of their episodes is
at a unit in ``Organisation.objects.visible_units(user)``. Episodes (and their release-date changes and
status history) are scoped by their own unit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from skillbridge.accounts.scope import ScopedQuerySet
from skillbridge.policy.schema import POPULATION_CATEGORIES

from .idnumbers import mask_id_number


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专/中技/职高"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科及以上"


CATEGORY_CHOICES = list(POPULATION_CATEGORIES.items())


class EpisodeKind(models.TextChoices):
    CUSTODY = "custody", "服刑"
    ISOLATION = "isolation", "强制隔离戒毒"
    COMMUNITY = "community", "社区矫正"


class EpisodeStatus(models.TextChoices):
    IN_CUSTODY = "in_custody", "在押（在所）"
    TRANSFERRED = "transferred", "已调出"
    RELEASED = "released", "已释放（解除）"
    COMMUNITY_CORRECTION = "community_correction", "社区矫正中"


ACTIVE_STATUSES = (EpisodeStatus.IN_CUSTODY, EpisodeStatus.COMMUNITY_CORRECTION)
# Which status a new episode of each kind starts in.
INITIAL_STATUS = {
    EpisodeKind.CUSTODY: EpisodeStatus.IN_CUSTODY,
    EpisodeKind.ISOLATION: EpisodeStatus.IN_CUSTODY,
    EpisodeKind.COMMUNITY: EpisodeStatus.COMMUNITY_CORRECTION,
}
# Allowed status moves (from → to).
STATUS_MOVES = {
    EpisodeStatus.IN_CUSTODY: {EpisodeStatus.TRANSFERRED, EpisodeStatus.RELEASED},
    EpisodeStatus.COMMUNITY_CORRECTION: {EpisodeStatus.RELEASED, EpisodeStatus.TRANSFERRED},
    EpisodeStatus.RELEASED: {EpisodeStatus.COMMUNITY_CORRECTION},
    EpisodeStatus.TRANSFERRED: set(),
}


class ExistsProbe(Exists):
    """``EXISTS`` checked row by row. ``OFFSET 0`` keeps PostgreSQL from turning it into a semi-join (which
    it may run as a hash join over every row of the subquery), so a ``LIMIT`` above stops the work once
    enough rows have passed: the probe for a name-prefix search, walked in index order."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


class PersonQuerySet(models.QuerySet):
    def for_user(self, user, *, probe_each: bool = False):
        """People with an episode at one of the user's visible units (a semi-join: no duplicates).
        ``probe_each``: check each candidate in turn (``ExistsProbe``), for searches whose own condition
        already narrows the people to a bounded index range."""
        from skillbridge.accounts.models import Organisation

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        units = Organisation.objects.visible_units(user).values("pk")
        if probe_each:
            # The unit ids as values (one small query first): each probe is then one index lookup.
            units = list(units.values_list("pk", flat=True))
        in_scope = Episode.objects.filter(person_id=OuterRef("pk"), unit_id__in=units).values("pk")
        return self.filter(ExistsProbe(in_scope) if probe_each else Exists(in_scope))


class Person(models.Model):
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    birth_date = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    education = models.CharField("文化程度", max_length=20, choices=Education.choices, blank=True)
    household_registration = models.CharField("户籍地", max_length=200, blank=True)
    population_category = models.CharField("人员类别", max_length=30, choices=CATEGORY_CHOICES)
    is_disabled = models.BooleanField("残疾人", default=False)
    is_low_income = models.BooleanField("低收入（低保）", default=False)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        ordering = ["name", "id"]
        indexes = [
            # Name-prefix search and the list's order by name. On PostgreSQL migration 0003 replaces this
            # with an index on (name COLLATE "C", id), which ``selectors.people_search`` walks in order for
            # a prefix range; other databases keep this plain index (SQLite's BINARY order is code-point
            # order, as "C" is).
            models.Index(
                fields=["name"], name="registry_person_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # Duplicate check (same name and birth date). Birth date first, so the planner is never
            # tempted to walk it in name order for a prefix search.
            models.Index(fields=["birth_date", "name"], name="registry_person_birth_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Episode(models.Model):
    """A custody (服刑), isolation (强制隔离戒毒) or community-correction (社区矫正) episode at one unit."""

    # No index of its own: the (person, unit) index below serves person lookups and the scope probe.
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="episodes", db_index=False
    )
    # No index of its own: the (unit, number) and (unit, release date) indexes below lead with it.
    unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="所在单位",
        on_delete=models.PROTECT,
        related_name="episodes",
        db_index=False,
    )
    kind = models.CharField("类型", max_length=20, choices=EpisodeKind.choices, default=EpisodeKind.CUSTODY)
    inmate_number = models.CharField("罪犯编号/案件编号", max_length=30)
    term_start = models.DateField("刑期（隔离期）起日")
    term_end = models.DateField("刑期（隔离期）止日", null=True, blank=True)
    expected_release_date = models.DateField("预计释放（解除）日期")
    labour_capacity = models.BooleanField("有劳动能力", null=True, blank=True)
    has_skill = models.BooleanField("有一技之长", null=True, blank=True)
    skill = models.CharField("一技之长", max_length=100, blank=True)
    can_study = models.BooleanField("能正常坚持学习", null=True, blank=True)
    employment_intention = models.CharField("就业意向", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=30, choices=EpisodeStatus.choices, default=EpisodeStatus.IN_CUSTODY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = "羁押（矫正）记录"
        ordering = ["-term_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "inmate_number"], name="registry_episode_unit_number"),
            models.CheckConstraint(
                condition=Q(expected_release_date__gte=models.F("term_start")),
                name="registry_episode_release_after_start",
            ),
        ]
        indexes = [
            # Scope probe (person → units) and the survey's date window per unit.
            models.Index(fields=["person", "unit"], name="registry_episode_person_unit"),
            models.Index(fields=["unit", "expected_release_date"], name="registry_episode_unit_release"),
            # The episode list's order across units (a bureau's): walked in order, it stops after a page. It
            # replaces a (unit, person) index that nothing needed once measured (the unit's person list took
            # the same 3-6 ms without it at a million people), so an import maintains as many as before.
            models.Index(fields=["expected_release_date", "id"], name="registry_episode_release"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.inmate_number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ReleaseDateChange(models.Model):
    """A change of the expected release date (减刑 commutation, 加刑, correction): history is kept."""

    class Kind(models.TextChoices):
        COMMUTATION = "commutation", "减刑"
        EXTENSION = "extension", "加刑（延长）"
        CORRECTION = "correction", "更正"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="release_changes")
    kind = models.CharField("变更类型", max_length=20, choices=Kind.choices, default=Kind.COMMUTATION)
    decided_on = models.DateField("裁定日期")
    old_release_date = models.DateField("原预计释放日期")
    new_release_date = models.DateField("新预计释放日期")
    reason = models.CharField("依据/理由", max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "episode__unit"

    class Meta:
        verbose_name = "释放日期变更"
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.old_release_date} → {self.new_release_date}"


class StatusChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("原状态", max_length=30, choices=EpisodeStatus.choices)
    to_status = models.CharField("新状态", max_length=30, choices=EpisodeStatus.choices)
    changed_on = models.DateField("变动日期")
    to_unit = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="调往单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "episode__unit"

    class Meta:
        verbose_name = "状态变动"
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class DuplicateReviewQuerySet(models.QuerySet):
    def for_user(self, user):
        """A pair is visible when either person is (a unit must be able to see who its person collides with)."""
        people = Person.objects.for_user(user).values("pk")
        return self.filter(Q(person_id__in=people) | Q(other_id__in=people))


class DuplicateReview(models.Model):
    """Two people with the same name and birth date but different ID numbers: possibly one person."""

    class Status(models.TextChoices):
        OPEN = "open", "待核查"
        CLEARED = "cleared", "已核查（非同一人）"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.CharField("核查说明", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("核查时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DuplicateReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "疑似重复人员"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="registry_duplicate_pair"),
            models.CheckConstraint(
                condition=Q(person_id__lt=models.F("other_id")), name="registry_duplicate_order"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="registry_duplicate_status")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id}"
