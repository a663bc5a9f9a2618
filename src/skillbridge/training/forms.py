from django import forms
from django.utils import timezone

from skillbridge.accounts.models import Organisation, OrgType
from skillbridge.approvals.models import ReviewStatus
from skillbridge.catalog.models import Occupation, SkillLevel, SpecialAbilityItem
from skillbridge.planning.models import PlanCategory, PlanItem

from .models import MANUAL_EXITS, ClassStatus, EnrolmentStatus, SessionKind

# type="date" inputs only accept ISO dates; the zh-hans default input format (2026/11/22) shows as empty.
ISO_DATE = "%Y-%m-%d"
_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}


class ApplicationForm(forms.Form):
    institution = forms.ModelChoiceField(
        label="培训机构名称", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    plan_year = forms.IntegerField(
        label="计划年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_INPUT)
    )
    category = forms.ChoiceField(
        label="培训类别", choices=PlanCategory.choices, widget=forms.Select(attrs=_SELECT)
    )
    occupation = forms.ModelChoiceField(
        label="职业（工种）",
        required=False,
        queryset=Occupation.objects.none(),
        widget=forms.Select(attrs=_SELECT),
        help_text="列出本单位培训计划中的职业；专项职业能力或创业培训项目请在下面选择或填写",
    )
    special_item = forms.ModelChoiceField(
        label="专项职业能力",
        required=False,
        queryset=SpecialAbilityItem.objects.none(),
        widget=forms.Select(attrs=_SELECT),
    )
    project_name = forms.CharField(
        label="创业培训项目名称",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="如 SIYB",
    )
    level = forms.ModelChoiceField(
        label="等级", required=False, queryset=SkillLevel.objects.all(), widget=forms.Select(attrs=_SELECT)
    )
    trainees = forms.IntegerField(label="培训人数", min_value=1, widget=forms.NumberInput(attrs=_INPUT))
    period_number = forms.IntegerField(
        label="培训班期：第N期", min_value=1, widget=forms.NumberInput(attrs=_INPUT)
    )
    period_total = forms.IntegerField(
        label="培训班期：共M班", min_value=1, widget=forms.NumberInput(attrs=_INPUT)
    )
    date_from = forms.DateField(label="培训时间从", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))
    date_to = forms.DateField(label="培训时间至", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))
    days = forms.IntegerField(label="共计天数", min_value=1, widget=forms.NumberInput(attrs=_INPUT))
    theory_hours = forms.IntegerField(label="理论课时", min_value=0, widget=forms.NumberInput(attrs=_INPUT))
    practice_hours = forms.IntegerField(
        label="实操课时",
        min_value=0,
        widget=forms.NumberInput(attrs=_INPUT),
        help_text="理论与实操课时合计即表中“共…课时”；常州要求理论约40%、实操约60%",
    )
    teachers = forms.CharField(label="授课教师", widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))
    textbooks = forms.CharField(label="使用教材", widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))
    venue = forms.CharField(label="教学场地", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    filled_on = forms.DateField(label="填报日期", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Organisation.objects.filter(
            org_type=OrgType.TRAINING_INSTITUTION, is_active=True
        ).order_by("region_code", "name")
        planned = PlanItem.objects.filter(plan__unit=unit, plan__review__status=ReviewStatus.APPROVED)
        occupations = Occupation.objects.filter(pk__in=planned.values("occupation"))
        if not occupations.exists():
            occupations = Occupation.objects.filter(level=4)
        self.fields["occupation"].queryset = occupations.order_by("code")
        prefix = unit.city_prefix if unit else ""
        self.fields["special_item"].queryset = SpecialAbilityItem.objects.filter(
            is_active=True, region_code__startswith=prefix
        )
        if not self.is_bound and "filled_on" not in self.initial:
            self.initial["filled_on"] = timezone.localdate()


class ApplicationFilterForm(forms.Form):
    year = forms.IntegerField(
        label="计划年度",
        required=False,
        widget=forms.NumberInput(attrs={**_SMALL, "placeholder": "计划年度"}),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), ("draft", "草稿（未报送）"), *ReviewStatus.choices[1:]],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )


class ClassFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *ClassStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    year = forms.IntegerField(
        label="年度", required=False, widget=forms.NumberInput(attrs={**_SMALL, "placeholder": "年度"})
    )


class ExitForm(forms.Form):
    status = forms.ChoiceField(
        label="离班类型",
        choices=[(s, EnrolmentStatus(s).label) for s in MANUAL_EXITS],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    on = forms.DateField(
        label="离班日期", widget=forms.DateInput(format=ISO_DATE, attrs={**_SMALL, "type": "date"})
    )
    reason = forms.CharField(label="说明", max_length=300, widget=forms.TextInput(attrs=_SMALL))


class SessionForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))
    start_time = forms.TimeField(label="开始时间", widget=forms.TimeInput(attrs={**_INPUT, "type": "time"}))
    minutes = forms.IntegerField(label="时长（分钟）", min_value=1, widget=forms.NumberInput(attrs=_INPUT))
    kind = forms.ChoiceField(label="类型", choices=SessionKind.choices, widget=forms.Select(attrs=_SELECT))
    topic = forms.CharField(label="内容", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    teacher = forms.CharField(label="授课教师", max_length=50, widget=forms.TextInput(attrs=_INPUT))


class OnlineForm(forms.Form):
    enrolment = forms.TypedChoiceField(
        label="学员", coerce=int, choices=(), widget=forms.Select(attrs=_SELECT_SMALL)
    )
    platform = forms.CharField(label="平台名称", max_length=100, widget=forms.TextInput(attrs=_SMALL))
    minutes = forms.IntegerField(label="学习分钟数", min_value=0, widget=forms.NumberInput(attrs=_SMALL))

    def __init__(self, *args, enrolments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [(e.pk, e.person.name) for e in enrolments]


class DateForm(forms.Form):
    on = forms.DateField(
        label="日期", widget=forms.DateInput(format=ISO_DATE, attrs={**_SMALL, "type": "date"})
    )
