from django import forms

from skillbridge.accounts.models import Organisation, User

from .models import FindingStatus, NoticeKind, Outcome, Rule

ISO_DATE = "%Y-%m-%d"
_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}
_TEXT = {"class": "form-control", "rows": 3}
_SMALL = {"class": "form-control form-control-sm"}
_SELECT_SMALL = {"class": "form-select form-select-sm"}


def _date(label, required=True):
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs=_DATE, format=ISO_DATE)
    )


class FindingFilterForm(forms.Form):
    rule = forms.ChoiceField(
        label="规则",
        required=False,
        choices=[("", "全部规则"), *Rule.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), ("open", "未办结"), *FindingStatus.choices],
        widget=forms.Select(attrs=_SELECT_SMALL),
    )
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={**_SMALL, "placeholder": "年度"}),
    )
    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={**_SMALL, "placeholder": "人员、班级、机构"}),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="承办人", queryset=User.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    due_on = _date("答复期限", required=False)
    note = forms.CharField(
        label="分派说明", required=False, max_length=500, widget=forms.TextInput(attrs=_INPUT)
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users if users is not None else User.objects.none()
        self.fields["assignee"].label_from_instance = lambda u: f"{u.full_name}（{u.organisation.name}）"


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复（核查情况、整改措施）", widget=forms.Textarea(attrs=_TEXT))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="办结结论", choices=Outcome.choices, widget=forms.Select(attrs=_SELECT))
    note = forms.CharField(label="办结意见", widget=forms.Textarea(attrs=_TEXT))


class ReturnForm(forms.Form):
    note = forms.CharField(label="退回理由", widget=forms.TextInput(attrs=_INPUT))


class InspectionPlanForm(forms.Form):
    target = forms.ModelChoiceField(
        label="被督查单位", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    title = forms.CharField(label="督查事项", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    planned_on = _date("计划日期")
    scope_text = forms.CharField(label="督查内容", required=False, widget=forms.Textarea(attrs=_TEXT))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets if targets is not None else Organisation.objects.none()


class VisitForm(forms.Form):
    visited_on = _date("检查日期")
    inspectors = forms.CharField(label="检查人员", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    visit_record = forms.CharField(label="检查记录", widget=forms.Textarea(attrs=_TEXT))
    issues = forms.CharField(
        label="发现问题（每行一项，无问题留空）", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    rectification_required = forms.CharField(
        label="整改要求", required=False, widget=forms.Textarea(attrs=_TEXT)
    )
    deadline = _date("整改期限（留空按政策包工作日计算）", required=False)


class ReportForm(forms.Form):
    report = forms.CharField(label="整改情况", widget=forms.Textarea(attrs=_TEXT))
    reported_on = _date("报告日期")


class FollowUpForm(forms.Form):
    follow_up_on = _date("复查日期")
    result = forms.CharField(label="复查结论", widget=forms.Textarea(attrs=_TEXT))
    passed = forms.TypedChoiceField(
        label="是否通过",
        choices=[("1", "整改到位，办结"), ("0", "未整改到位，重新限期整改")],
        coerce=lambda v: v == "1",
        widget=forms.Select(attrs=_SELECT),
    )


class NoticeForm(forms.Form):
    target = forms.ModelChoiceField(
        label="被通报单位", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    kind = forms.ChoiceField(label="类型", choices=NoticeKind.choices, widget=forms.Select(attrs=_SELECT))
    number = forms.CharField(
        label="文号", required=False, max_length=60, widget=forms.TextInput(attrs=_INPUT)
    )
    title = forms.CharField(label="标题", max_length=200, widget=forms.TextInput(attrs=_INPUT))
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs=_TEXT))
    issued_on = _date("通报日期")

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets if targets is not None else Organisation.objects.none()


class RatingForm(forms.Form):
    institution = forms.ModelChoiceField(
        label="机构", queryset=Organisation.objects.none(), widget=forms.Select(attrs=_SELECT_SMALL)
    )
    year = forms.IntegerField(
        label="评价年度",
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={**_SMALL, "placeholder": "年度"}),
    )

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = (
            institutions if institutions is not None else Organisation.objects.none()
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=400, widget=forms.TextInput(attrs=_INPUT))
    effective_on = _date("撤销生效日期", required=False)
