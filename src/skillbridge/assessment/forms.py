from django import forms

from skillbridge.accounts.models import Organisation
from skillbridge.approvals.models import ReviewStatus

from .models import Outcome, Route
from .selectors import completed_classes

ISO_DATE = "%Y-%m-%d"
_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        a = obj.application
        return f"{a.subject_display} 第{a.period_number}期（{obj.date_from:%Y-%m-%d}至{obj.ended_on or obj.date_to:%Y-%m-%d}）"


class ApplicationForm(forms.Form):
    training_class = ClassChoiceField(
        label="培训班", queryset=None, widget=forms.Select(attrs=_SELECT), help_text="本单位已结业的培训班"
    )
    examiner = forms.ModelChoiceField(
        label="考核评价机构",
        queryset=Organisation.objects.filter(
            org_type__in=("evaluation_institution", "training_institution"), is_active=True
        ).order_by("org_type", "name"),
        widget=forms.Select(attrs=_SELECT),
        help_text="国家职业资格目录内或可开展技能等级认定、专项能力考核的职业（工种）选择评价机构；"
        "其他职业（工种）由承担培训的培训机构组织结业考核",
    )
    assessment_date = forms.DateField(label="鉴定日期", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))
    candidates = forms.IntegerField(label="鉴定人数", min_value=1, widget=forms.NumberInput(attrs=_INPUT))
    filled_on = forms.DateField(label="填报日期", widget=forms.DateInput(format=ISO_DATE, attrs=_DATE))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training_class"].queryset = completed_classes(user)


STATUS_CHOICES = [("", "全部状态"), ("draft", "草稿（未报送）"), *ReviewStatus.choices[1:]]


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=STATUS_CHOICES,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    route = forms.ChoiceField(
        required=False,
        choices=[("", "全部考核方式"), *Route.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


OUTCOME_CHOICES = [("", "—"), *Outcome.choices]
