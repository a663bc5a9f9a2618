from django import forms

from skillbridge.accounts.models import Organisation
from skillbridge.policy.loader import load_all

from .models import AgreementStatus, EmploymentForm, EventKind, HandoverStatus, Need, Sector
from .selectors import PROFILE_STATUS, STATE_LABELS

ISO_DATE = "%Y-%m-%d"
_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}
_DATE_SMALL = {"class": "form-control form-control-sm", "type": "date"}


def _date(label, small=False, **kwargs):
    return forms.DateField(
        label=label, widget=forms.DateInput(format=ISO_DATE, attrs=_DATE_SMALL if small else _DATE), **kwargs
    )


class PeopleFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label="范围",
        required=False,
        choices=[("approaching", "即将释放"), ("released", "已释放（回访期内）")],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    unit = forms.ModelChoiceField(
        label="单位",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="全部单位",
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    status = forms.ChoiceField(
        label="就业服务状态",
        required=False,
        choices=[("", "全部状态"), *PROFILE_STATUS.items()],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ProfileForm(forms.Form):
    employment_intention = forms.CharField(
        label="就业意向", required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    destination_region = forms.RegexField(
        label="释放后去向（行政区划代码）",
        regex=r"^\d{6}$",
        error_messages={"invalid": "须为6位行政区划代码"},
        widget=forms.TextInput(attrs=_INPUT),
        help_text="如 320481（溧阳市）；移交给该地所在市的公共就业服务机构",
    )
    destination_address = forms.CharField(
        label="去向地址", required=False, max_length=200, widget=forms.TextInput(attrs=_INPUT)
    )
    needs = forms.MultipleChoiceField(
        label="就业需求", required=False, choices=Need.choices, widget=forms.CheckboxSelectMultiple
    )
    needs_note = forms.CharField(
        label="需求说明", required=False, max_length=500, widget=forms.Textarea(attrs={**_INPUT, "rows": 2})
    )


class HandoverForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label="接收机构", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    handed_over_on = _date("移交日期")
    note = forms.CharField(
        label="移交说明", required=False, max_length=500, widget=forms.TextInput(attrs=_INPUT)
    )

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients


class HandoverActionForm(forms.Form):
    on = _date("日期", small=True)
    note = forms.CharField(label="说明", required=False, max_length=300, widget=forms.TextInput(attrs=_SMALL))


class HandoverFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *HandoverStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "姓名"}),
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="活动类型", choices=EventKind.choices, widget=forms.Select(attrs=_SELECT))
    title = forms.CharField(label="活动名称", max_length=100, widget=forms.TextInput(attrs=_INPUT))
    held_on = _date("活动日期")
    organiser = forms.ModelChoiceField(
        label="服务机构",
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.Select(attrs=_SELECT),
        help_text="市司法局、公共就业服务机构定期或不定期在监狱举办（常司发〔2022〕42号 五(五)）",
    )
    venue = forms.CharField(
        label="地点", required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    content = forms.CharField(
        label="活动内容", required=False, max_length=1000, widget=forms.Textarea(attrs={**_INPUT, "rows": 3})
    )

    def __init__(self, *args, organisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="活动类型",
        required=False,
        choices=[("", "全部类型"), *EventKind.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    date_from = _date("日期从", small=True, required=False)
    date_to = _date("日期至", small=True, required=False)


class AgreementForm(forms.Form):
    number = forms.CharField(label="协议编号", max_length=40, widget=forms.TextInput(attrs=_INPUT))
    signed_on = _date("签订日期")
    valid_until = _date("帮扶期限至")
    goals = forms.CharField(label="帮扶目标", max_length=500, widget=forms.TextInput(attrs=_INPUT))
    measures = forms.CharField(
        label="帮扶措施", max_length=1000, widget=forms.Textarea(attrs={**_INPUT, "rows": 3})
    )
    contact = forms.CharField(
        label="帮扶联系人", required=False, max_length=50, widget=forms.TextInput(attrs=_INPUT)
    )


class AgreementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *AgreementStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )


YES_NO = [("", "——"), ("yes", "是"), ("no", "否")]


class FollowUpForm(forms.Form):
    milestone_months = forms.TypedChoiceField(
        label="回访节点", coerce=int, choices=(), widget=forms.Select(attrs=_SELECT)
    )
    done_on = _date("回访日期")
    employment_form = forms.ChoiceField(
        label="就业状态", choices=EmploymentForm.choices, widget=forms.Select(attrs=_SELECT)
    )
    employer_name = forms.CharField(
        label="就业单位", required=False, max_length=100, widget=forms.TextInput(attrs=_INPUT)
    )
    employer_sector = forms.ChoiceField(
        label="行业（GB/T 4754 门类）",
        required=False,
        choices=[("", "——"), *Sector.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    uses_trained_occupation = forms.ChoiceField(
        label="从事所培训职业（工种）", required=False, choices=YES_NO, widget=forms.Select(attrs=_SELECT)
    )
    note = forms.CharField(
        label="回访情况", required=False, max_length=500, widget=forms.TextInput(attrs=_INPUT)
    )

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone_months"].choices = [
            (m, f"释放后{m}个月（应回访 {d:%Y-%m-%d}）") for m, d in milestones
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["uses_trained_occupation"] = {"yes": True, "no": False}.get(data.get("uses_trained_occupation"))
        return data


class DueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "应回访和已逾期"), *STATE_LABELS.items()],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )


class RateForm(forms.Form):
    date_from = _date("释放日期从", small=True)
    date_to = _date("释放日期至", small=True)
    unit = forms.ModelChoiceField(
        label="单位",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="全部单位",
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    milestone = forms.TypedChoiceField(
        label="回访节点",
        required=False,
        coerce=int,
        empty_value=None,
        choices=(),
        widget=forms.Select(attrs=_SELECT_SMALL),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        months = sorted(
            {
                m
                for pack in load_all().values()
                if pack.employment.follow_up_months
                for m in pack.employment.follow_up_months.value
            }
        )
        self.fields["milestone"].choices = [("", "最近一次回访"), *((m, f"释放后{m}个月") for m in months)]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data
