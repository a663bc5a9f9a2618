from django import forms

from .models import Decision, DocType, ReviewStatus


class DecisionForm(forms.Form):
    stage_id = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="审核结论", choices=Decision.choices, initial=Decision.APPROVE, widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label="审核意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control", "placeholder": "同意时可不填，默认为“同意”"}
        ),
    )


class CaseFilterForm(forms.Form):
    doc_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *DocType.choices])
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *ReviewStatus.choices]
    )
    q = forms.CharField(label="标题", required=False, max_length=100)
